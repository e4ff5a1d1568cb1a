"""Benchmark of the transmission lists at scale (not a test).

Loads the demo (`manage.py demo --usagers N --if-empty`), then adds transmissions in bulk
until the database holds `--transmissions` of them: COPY on PostgreSQL (indexes rebuilt
after the load), multi-row INSERTs on SQLite. The distribution is meant to look like real
use over two years: an EHPAD resident gets about one note a day, a person followed at home
or in an IME a few a week, some persons almost none; categories, forms, urgency (3 %) and
authors vary with the kind of établissement; most urgent notes were acknowledged.

Then measures, server-side, through the Django test client (middleware, policy, journal
entry of every read and template rendering included):

- a person's Transmissions tab, first page (target p95 ≤ 60 ms), for the IDEC of the EHPAD
  on its residents (the persons with the most notes) and for the chef de service of the SAD;
- the handover view "depuis ma dernière prise de poste" of the EHPAD, and of each of its
  wings through the unit filter (target p95 ≤ 100 ms).

Prints count, p50, p95, max in ms and the SQL queries per page, and on PostgreSQL the plan
of the slowest statement. Missed targets are figures to read, not failures.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python manage.py migrate
    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/transmissions_bench.py \
        --usagers 100000 --transmissions 10000000
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

from search_bench import Timing, header  # noqa: E402

TIMELINE_TARGET_MS = 60.0
HANDOVER_TARGET_MS = 100.0
WARMUP = 10
HISTORY_DAYS = 730
CHUNK = 200_000
AUTHOR_POOL = 120  # former and replacement staff, for établissements without demo accounts

# Notes a day per person, by kind of établissement (mean of a log-normal spread).
RATES = {"ehpad": 1.2, "fam_mas": 0.8, "ime": 0.4, "domicile": 0.3, "autre": 0.3}
QUIET_SHARE = 0.10  # persons with almost no notes (outside the EHPAD)
URGENT_SHARE = 0.03

CATEGORY_MIX = {
    "ehpad": {
        "vie_quotidienne": 45,
        "soins": 30,
        "medical": 10,
        "social": 5,
        "educatif": 3,
        "administratif": 7,
    },
    "fam_mas": {"vie_quotidienne": 35, "soins": 30, "educatif": 20, "medical": 10, "social": 5},
    "ime": {"educatif": 50, "vie_quotidienne": 20, "soins": 10, "social": 10, "medical": 5},
    "domicile": {"vie_quotidienne": 55, "soins": 30, "social": 10, "administratif": 5},
    "autre": {"vie_quotidienne": 40, "educatif": 25, "social": 20, "soins": 15},
}

FREE_TEXTS = {
    "vie_quotidienne": [
        "A bien dormi, levée à 7 h 30. Petit déjeuner pris en entier.",
        "Repas de midi pris à moitié, n'aime pas le poisson ; proposé un yaourt en plus.",
        "Participation à l'atelier mémoire cet après-midi, de bonne humeur.",
        "Douche faite avec aide partielle, souhaite garder sa chemise de nuit bleue.",
        "Visite de sa fille en fin de journée, moment apprécié.",
        "Refus du goûter, dit ne pas avoir faim. À surveiller au dîner.",
        "Promenade dans le jardin avec l'animatrice, marche avec le déambulateur.",
        "Agitée en début de soirée, apaisée après un temps d'échange.",
    ],
    "soins": [
        "Pansement du talon gauche refait, plaie propre, pas de rougeur.",
        "Aide à la toilette complète ce matin, peau fragile au niveau du sacrum.",
        "Hydratation insuffisante aujourd'hui : 800 ml. Relancer demain.",
        "Changement de position toutes les 3 h, effleurages faits.",
        "Bas de contention mis ce matin.",
    ],
    "medical": [
        "Tension 14/8, pouls 78. Traitement inchangé.",
        "Appel au médecin traitant pour toux depuis deux jours : passage prévu demain.",
        "Glycémie capillaire 1,45 g/l avant le repas.",
        "Douleur évaluée à 3/10 à l'épaule droite, antalgique donné selon prescription.",
    ],
    "social": [
        "Dossier APA : pièces demandées par le département, à voir avec la famille.",
        "Entretien avec le fils au sujet de la mesure de protection.",
        "Demande d'aide au logement envoyée.",
    ],
    "educatif": [
        "Atelier cuisine : a préparé la pâte seul et attendu son tour.",
        "Sortie à la médiathèque, a choisi deux albums.",
        "Difficulté à la transition après la récréation, apaisé avec le pictogramme.",
    ],
    "administratif": [
        "Attestation de la mutuelle reçue et classée.",
        "Rendez-vous de renouvellement du contrat de séjour fixé.",
    ],
}
TARGETED = [
    ("Chute", "Retrouvée assise au sol de la chambre à 6 h.", "Relevée à deux, constantes prises.",
     "Pas de douleur, marche habituelle."),
    ("Alimentation", "A refusé le repas du soir.", "Proposé une collation, prévenu l'IDE.",
     "Collation prise."),
    ("Sommeil", "Réveillée plusieurs fois, déambule.", "Réassurance, tisane.",
     "Rendormie vers 2 h."),
    ("Douleur", "Se plaint du genou droit à la marche.", "Évaluation EVA 4/10, glace.",
     "Soulagée après 30 min."),
    ("Comportement", "Propos agressifs envers une voisine de table.",
     "Changement de place, échange au calme.", "Apaisé, s'excuse."),
]  # fmt: skip


def kind_of(categorie: str) -> str:
    from dui.structures.models import CategorieEtablissement as C

    if categorie == C.EHPAD:
        return "ehpad"
    if categorie in (C.FAM, C.MAS):
        return "fam_mas"
    if categorie == C.IME:
        return "ime"
    if categorie in C.domicile():
        return "domicile"
    return "autre"


def _weighted(mix: dict[str, int]) -> tuple[list[str], list[int]]:
    codes = list(mix)
    cumulative, total = [], 0
    for code in codes:
        total += mix[code]
        cumulative.append(total)
    return codes, cumulative


# --- bulk load -------------------------------------------------------------------------------


def plan_counts(
    rng: random.Random, persons: list[tuple[int, int, str, datetime.date]], target: int
) -> list[int]:
    """How many notes each person gets: rate × days followed, scaled to `target` in all."""
    today = datetime.date.today()
    raw = []
    for _, _, kind, since in persons:
        days = max(1, min(HISTORY_DAYS, (today - since).days))
        rate = RATES[kind] * rng.lognormvariate(0, 0.5)
        if kind != "ehpad" and rng.random() < QUIET_SHARE:
            rate = 0.01
        raw.append(rate * days)
    scale = target / sum(raw) if raw else 0
    counts = []
    for r in raw:
        value = r * scale
        counts.append(int(value) + (1 if rng.random() < value - int(value) else 0))
    # Rounding leaves the total a little off: settle the difference on random persons so
    # that the database holds exactly `target` (a rerun then loads nothing).
    missing = target - sum(counts)
    while counts and missing != 0:
        i = rng.randrange(len(counts))
        step = 1 if missing > 0 else -1
        if counts[i] + step >= 0:
            counts[i] += step
            missing -= step
    return counts


def transmission_rows(
    rng: random.Random,
    persons: list[tuple[int, int, str, datetime.date]],
    counts: list[int],
    authors: dict[int, list[int]],
    pool: list[int],
) -> Iterator[tuple[Any, ...]]:
    now = datetime.datetime.now(datetime.UTC)
    mixes = {kind: _weighted(mix) for kind, mix in CATEGORY_MIX.items()}
    for (usager_id, etab_id, kind, since), n in zip(persons, counts, strict=True):
        if n == 0:
            continue
        codes, cumulative = mixes[kind]
        writers = authors.get(etab_id) or pool
        start = max(
            now - datetime.timedelta(days=HISTORY_DAYS),
            datetime.datetime.combine(since, datetime.time(), datetime.UTC),
        )
        span = max(60.0, (now - start).total_seconds())
        shared = kind == "domicile"
        for _ in range(n):
            categorie = rng.choices(codes, cum_weights=cumulative)[0]
            cree_le = start + datetime.timedelta(seconds=rng.random() * span)
            if rng.random() < 0.25:
                cible, donnees, actions, resultats = rng.choice(TARGETED)
                type_, texte = "ciblee", ""
            else:
                cible = donnees = actions = resultats = ""
                type_, texte = "libre", rng.choice(FREE_TEXTS[categorie])
            yield (
                usager_id,
                etab_id,
                categorie,
                type_,
                cible,
                donnees,
                actions,
                resultats,
                texte,
                rng.random() < URGENT_SHARE,
                shared and rng.random() < 0.2,
                writers[int(rng.random() * len(writers))],
                cree_le,
                "",
            )


TRANSMISSION_COLUMNS = (
    "usager_id",
    "etablissement_id",
    "categorie",
    "type",
    "cible",
    "donnees",
    "actions",
    "resultats",
    "texte",
    "is_urgent",
    "partage_cahier_liaison",
    "auteur_id",
    "cree_le",
    "motif_correction",
)


def write_rows(
    table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]], label: str
) -> int:
    """Insert `rows` in chunks (one transaction each): COPY on PostgreSQL, else INSERTs."""
    from django.db import connection, transaction

    done = 0
    started = time.perf_counter()
    exhausted = False
    while not exhausted:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                break
        else:
            exhausted = True
        if not chunk:
            break
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                adapt = connection.ops.adapt_datetimefield_value
                chunk = [
                    tuple(adapt(v) if isinstance(v, datetime.datetime) else v for v in row)
                    for row in chunk
                ]
                marks = ", ".join(["%s"] * len(columns))
                # Table and column names are our own constants, never input.
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, chunk)
        done += len(chunk)
        elapsed = time.perf_counter() - started
        print(f"  {label} : {done:>10} lignes ({elapsed:6.1f} s)", flush=True)
    return done


def _drop_indexes(table: str) -> list[str]:
    """Drop the secondary indexes of `table` (not those backing constraints); return their
    definitions to rebuild them after the load, which is much faster than maintaining them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def load(rng: random.Random, organisme: Any, target: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from dui.accompagnement.models import LectureTransmission, Transmission
    from dui.comptes.models import Affectation, User
    from dui.usagers.models import PriseEnCharge

    existing = Transmission.objects.count()
    if existing >= target:
        print(f"La base contient déjà {existing} transmissions.")
        return
    latest: dict[int, tuple[int, int, str, datetime.date]] = {}
    stays = (
        PriseEnCharge.objects.filter(usager__organisme=organisme)
        .order_by("date_debut", "pk")
        .values_list("usager_id", "etablissement_id", "etablissement__categorie", "date_debut")
    )
    for usager_id, etab_id, categorie, debut in stays.iterator(chunk_size=20_000):
        latest[usager_id] = (usager_id, etab_id, kind_of(categorie), debut)
    persons = [latest[k] for k in sorted(latest)]

    pool_emails = [f"auteur-bench-{i}@bench.invalid" for i in range(AUTHOR_POOL)]
    if not User.objects.filter(email__in=pool_emails).exists():
        password = make_password(None)
        User.objects.bulk_create(
            User(email=e, prenom="Auteur", nom=f"Banc {i}", password=password)
            for i, e in enumerate(pool_emails)
        )
    pool = list(User.objects.filter(email__in=pool_emails).values_list("pk", flat=True))
    authors: dict[int, list[int]] = {}
    for etab_id, user_id in Affectation.objects.filter(
        etablissement__organisme=organisme, actif=True
    ).values_list("etablissement_id", "user_id"):
        authors.setdefault(etab_id, []).append(user_id)

    counts = plan_counts(rng, persons, target - existing)
    print(
        f"Génération de {sum(counts)} transmissions pour {len(persons)} personnes "
        f"(max {max(counts)} par personne, {sum(1 for c in counts if c <= 10)} en ont ≤ 10)",
        flush=True,
    )
    table = Transmission._meta.db_table
    # Acknowledgements are added for the notes of this load only (a rerun tops up).
    first_new = (Transmission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    indexes: list[str] = []
    if connection.vendor == "postgresql":
        indexes = _drop_indexes(table)
        with connection.cursor() as cursor:
            # Throwaway bench database, loaded by its superuser: no FK trigger per row.
            cursor.execute("SET session_replication_role = replica")
    rows = transmission_rows(rng, persons, counts, authors, pool)
    write_rows(table, TRANSMISSION_COLUMNS, rows, "transmissions")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            for definition in indexes:
                started = time.perf_counter()
                cursor.execute(definition)
                print(f"  index reconstruit ({time.perf_counter() - started:.1f} s) : {definition}")

    # Urgent notes older than a day were acknowledged by one to three colleagues.
    day_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    urgent = Transmission.objects.filter(
        pk__gte=first_new, is_urgent=True, cree_le__lt=day_ago
    ).values_list("pk", "etablissement_id", "auteur_id", "cree_le")

    def lectures() -> Iterator[tuple[Any, ...]]:
        for pk, etab_id, auteur_id, cree_le in urgent.iterator(chunk_size=20_000):
            readers = [u for u in (authors.get(etab_id) or pool) if u != auteur_id]
            for reader in rng.sample(readers, min(len(readers), rng.randint(1, 3))):
                when = cree_le + datetime.timedelta(minutes=rng.randint(5, 720))
                yield (pk, reader, when)

    write_rows(
        LectureTransmission._meta.db_table,
        ("transmission_id", "lecteur_id", "lu_le"),
        lectures(),
        "lectures",
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE " + table)
            cursor.execute("VACUUM ANALYZE " + LectureTransmission._meta.db_table)


# --- measure -------------------------------------------------------------------------------


def client_for(user: Any, etablissement: Any) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dui.comptes.middleware import SESSION_KEY

    client = Client()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SESSION_KEY] = etablissement.pk
    session.save()
    return client


def measure_pages(timing: Timing, client: Any, urls: list[str]) -> list[int]:
    """GET every URL (after a warm-up), recording the wall time in `timing` and the CPU time
    of this process (Django, templates, driver: what contention does not inflate much) in
    CPU[timing.label]; returns the SQL queries per page of the first three URLs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:WARMUP]:
        assert client.get(url).status_code == 200, url
    cpu = CPU.setdefault(timing.label, Timing(timing.label))
    empty = EMPTY.setdefault(timing.label, Timing(timing.label))
    for url in urls:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpu.samples.append(time.process_time() - cpu_started)
        timing.add(time.perf_counter() - started, lambda u=url: client.get(u), url)
        assert response.status_code == 200, url
        # Interleaved, so under the same load: the same page filtered on a day without
        # notes (same middleware, rights, journal and queries, no row): its fixed cost.
        started = time.perf_counter()
        client.get(url + ("&" if "?" in url else "?") + EMPTY_FILTER)
        empty.samples.append(time.perf_counter() - started)
    counts = []
    for url in urls[:3]:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    return counts


CPU: dict[str, Timing] = {}
EMPTY: dict[str, Timing] = {}
EMPTY_FILTER = "du=2000-01-03&au=2000-01-03"


def line(timing: Timing, target: float, queries: list[int]) -> str:
    if not timing.samples:
        return f"  {timing.label:<52} aucune mesure"
    p95 = timing.percentile(95)
    verdict = "objectif tenu" if p95 <= target else f"objectif ({target:.0f} ms) manqué"
    return (
        f"  {timing.label:<52} {len(timing.samples):>5} {timing.percentile(50):>8.1f} "
        f"{p95:>8.1f} {max(timing.samples) * 1000:>8.1f}   {verdict} "
        f"[{'/'.join(map(str, queries))} requêtes SQL par page]\n"
        f"  {'  dont temps CPU du processus Django':<52} {'':>5} "
        f"{CPU[timing.label].percentile(50):>8.1f} {CPU[timing.label].percentile(95):>8.1f}\n"
        f"  {'  même page sans aucune ligne (coût fixe)':<52} {'':>5} "
        f"{EMPTY[timing.label].percentile(50):>8.1f} {EMPTY[timing.label].percentile(95):>8.1f}"
        f"   → les transmissions ajoutent "
        f"{timing.percentile(50) - EMPTY[timing.label].percentile(50):.1f} ms (p50)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesure les listes de transmissions.")
    parser.add_argument("--usagers", type=int, default=100_000, help="taille de la démo")
    parser.add_argument("--transmissions", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=200, help="mesures par vue")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-explain", action="store_true", help="sans plan d'exécution")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from dui.accompagnement.models import Transmission
    from dui.comptes.models import User
    from dui.demo import staff
    from dui.demo.generator import email_for, finess_for
    from dui.structures.models import Etablissement, OrganismeGestionnaire, Unite
    from dui.usagers.models import PriseEnCharge

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not OrganismeGestionnaire.objects.exists():
        print(f"Chargement de la démo ({args.usagers} usagers)…", flush=True)
    call_command("demo", usagers=args.usagers, if_empty=True, verbosity=0)
    organisme = OrganismeGestionnaire.objects.get(finess=finess_for(1, 0))
    rng = random.Random(args.seed)
    started = time.perf_counter()
    load(rng, organisme, args.transmissions)
    print(f"Chargement des transmissions : {time.perf_counter() - started:.0f} s")

    etabs = {
        spec.key: Etablissement.objects.get(finess=finess_for(1, position))
        for position, spec in enumerate(staff.ETABLISSEMENTS, start=1)
    }
    users = {
        login: User.objects.get(email=email_for(login, 1)) for login in ("idec", "chef-service")
    }
    total = Transmission.objects.count()
    print(
        f"base : {connection.vendor} ({connection.settings_dict['NAME']}), {total} transmissions ; "
        f"{args.samples} mesures par vue après {WARMUP} d'échauffement"
    )

    def residents(etab: Any) -> list[int]:
        ids = list(
            PriseEnCharge.objects.filter(etablissement=etab, date_fin__isnull=True)
            .order_by("usager_id")
            .values_list("usager_id", flat=True)
            .distinct()
        )
        return [rng.choice(ids) for _ in range(args.samples)] if ids else []

    timeline = Timing("onglet Transmissions, 1re page — IDEC, résidents de l'EHPAD")
    timeline_sad = Timing("onglet Transmissions, 1re page — chef de service, SAD")
    handover = Timing("relève de l'EHPAD (depuis ma dernière prise de poste)")
    handover_unit = Timing("relève d'une aile de l'EHPAD (filtre par unité)")
    queries: dict[str, list[int]] = {}
    for timing, login, key in (
        (timeline, "idec", staff.EHPAD),
        (timeline_sad, "chef-service", staff.SAD),
    ):
        client = client_for(users[login], etabs[key])
        urls = [reverse("accompagnement:transmissions", args=[u]) for u in residents(etabs[key])]
        queries[timing.label] = measure_pages(timing, client, urls)

    client = client_for(users["idec"], etabs[staff.EHPAD])
    releve = reverse("accompagnement:transmissions_releve")
    queries[handover.label] = measure_pages(handover, client, [releve] * args.samples)
    wings = list(
        Unite.objects.filter(etablissement=etabs[staff.EHPAD]).values_list("pk", flat=True)
    )
    unit_urls = [f"{releve}?unite={wings[i % len(wings)]}" for i in range(args.samples)]
    queries[handover_unit.label] = measure_pages(handover_unit, client, unit_urls)

    print()
    loadavg = os.getloadavg()
    print(
        f"  Charge de la machine (load average 1/5/15 min) : {loadavg[0]:.1f} / {loadavg[1]:.1f} / "
        f"{loadavg[2]:.1f} pour {os.cpu_count()} cœurs : au-delà du nombre de cœurs, le temps "
        "mesuré inclut l'attente du processeur (Django comme PostgreSQL)."
    )
    print(header())
    for timing, target in (
        (timeline, TIMELINE_TARGET_MS),
        (timeline_sad, TIMELINE_TARGET_MS),
        (handover, HANDOVER_TARGET_MS),
        (handover_unit, HANDOVER_TARGET_MS),
    ):
        print(line(timing, target, queries[timing.label]))
    per_person = Transmission.objects.filter(usager_id__in=residents(etabs[staff.EHPAD])[:20])
    print(
        f"\n  (en moyenne {per_person.count() / 20:.0f} transmissions par résident échantillonné ; "
        f"{math.ceil(total / max(1, args.usagers))} par personne en moyenne)"
    )
    if connection.vendor == "postgresql" and not args.no_explain:
        for timing in (timeline, handover):
            explain_lists(timing)
    return 0


def explain_lists(timing: Timing) -> None:
    """EXPLAIN ANALYZE of the transmission statements of the slowest page: their execution
    time inside PostgreSQL, which the load of the machine does not inflate much."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, call, what = timing.slowest
    if call is None:
        return
    with CaptureQueriesContext(connection) as ctx:
        call()
    print(f"\n  Requêtes des transmissions de « {timing.label} » ({what}) dans PostgreSQL :")
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            sql = query["sql"]
            if "accompagnement_" not in sql or not sql.startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row for (row,) in cursor.fetchall()]
            executed = next((r for r in plan if r.startswith("Execution Time")), "")
            table = sql.split(" FROM ", 1)[1].split()[0] if " FROM " in sql else "?"
            print(f"    {executed:<28} {plan[0][:70]}  ← {sql[:38]}… FROM {table}")


if __name__ == "__main__":
    sys.exit(main())
