"""Benchmark of the search box and of the duplicate check (not a test).

Measures, server-side, on the configured database (DUI_DATABASE_URL):

- `usager_search` as the persons list runs it (count for the pager, first page of 50 rows,
  stays prefetched) for demo users of different scopes, on a deterministic sample of
  realistic texts: birth-name prefixes, full names, misspelt names, used names, first names,
  birth dates, matricule prefixes when persons have one;
- `find_duplicates` on traits built from existing persons with the typos seen in practice.

Prints count, p50, p95 and max in milliseconds per operation, and on PostgreSQL the plan
(EXPLAIN ANALYZE) of the slowest SQL statement of each operation. Loads the demo first when
the database holds no organisme (`manage.py demo --usagers N --if-empty`). Exits non-zero
only on errors: missed targets are figures to read, not failures.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python manage.py migrate
    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/search_bench.py --usagers 100000
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

TARGET_MS = 50.0
PAGE_SIZE = 50  # as dui.usagers.views.PAGE_SIZE
WARMUP = 20


@dataclass
class Timing:
    label: str
    samples: list[float] = field(default_factory=list)  # seconds
    slowest: tuple[float, Callable[[], Any] | None, str] = (0.0, None, "")

    def add(self, seconds: float, call: Callable[[], Any], what: str) -> None:
        self.samples.append(seconds)
        if seconds >= self.slowest[0]:
            self.slowest = (seconds, call, what)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return 0.0
        # Nearest rank: the smallest value with at least p % of the samples at or below it.
        rank = max(1, -(-len(ordered) * p // 100))
        return ordered[int(rank) - 1] * 1000

    def line(self) -> str:
        if not self.samples:
            return f"  {self.label:<52} aucune mesure"
        p95 = self.percentile(95)
        verdict = "objectif tenu" if p95 <= TARGET_MS else f"objectif ({TARGET_MS:.0f} ms) manqué"
        return (
            f"  {self.label:<52} {len(self.samples):>5} {self.percentile(50):>8.1f} "
            f"{p95:>8.1f} {max(self.samples) * 1000:>8.1f}   {verdict}"
        )


def header() -> str:
    return f"  {'opération':<52} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"


# --- samples -------------------------------------------------------------------------------


def misspell(rng: random.Random, word: str) -> str:
    """One typing slip: two neighbouring letters swapped, or one letter dropped."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5 and word[i].isalpha() and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def search_texts(rng: random.Random, persons: list[Any], count: int) -> list[str]:
    """`count` texts a user would type to find one of `persons` (round-robin over kinds)."""
    from dui.usagers.phonetique import fold

    kinds = ["prefix", "full", "misspelt", "used", "first", "date", "prefix", "matricule"]
    texts: list[str] = []
    for n in range(count):
        u = rng.choice(persons)
        nom = fold(u.nom_naissance)
        kind = kinds[n % len(kinds)]
        if kind == "used" and not u.nom_utilise:
            kind = "full"
        if kind == "matricule" and not u.matricule_ins:
            kind = "misspelt"
        if kind == "prefix":
            text = nom[: rng.randint(3, 8)].lower()
        elif kind == "full":
            text = f"{u.nom_naissance} {u.premier_prenom}"
        elif kind == "misspelt":
            text = misspell(rng, u.nom_naissance.lower())
        elif kind == "used":
            text = u.nom_utilise
        elif kind == "first":
            text = u.premier_prenom.lower()
        elif kind == "date":
            text = u.date_naissance.strftime("%d/%m/%Y")
        else:
            text = u.matricule_ins[: rng.randint(7, 13)]
        texts.append(text)
    return texts


def typo_traits(rng: random.Random, persons: list[Any], count: int) -> list[Any]:
    """Traits of existing persons re-typed with the slips identitovigilance must catch."""
    from dui.usagers.identitovigilance import Traits

    traits: list[Any] = []
    for n in range(count):
        u = rng.choice(persons)
        t = Traits.of(u)
        kind = n % 6
        if kind == 1:
            t = Traits(**{**t.__dict__, "nom_naissance": misspell(rng, t.nom_naissance)})
        elif kind == 2 and t.date_naissance.day <= 12:
            d = t.date_naissance
            swapped = datetime.date(d.year, d.day, d.month)
            t = Traits(**{**t.__dict__, "date_naissance": swapped})
        elif kind == 3:
            d = t.date_naissance
            if (d.month, d.day) != (2, 29):
                t = Traits(**{**t.__dict__, "date_naissance": d.replace(year=d.year + 1)})
        elif kind == 4:
            # Names inverted on the form.
            inverted = {"nom_naissance": t.premier_prenom, "prenoms_naissance": t.nom_naissance}
            t = Traits(**{**t.__dict__, **inverted})
        elif kind == 5 and t.nom_utilise:
            # The married name typed as the birth name.
            t = Traits(**{**t.__dict__, "nom_naissance": t.nom_utilise, "nom_utilise": ""})
        traits.append(t)
    return traits


def sample_persons(rng: random.Random, qs: Any, count: int) -> list[Any]:
    """Up to `count` persons of `qs` drawn with `rng` (the same seed gives the same ones)."""
    from dui.usagers.models import Usager

    ids = sorted(qs.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    return list(Usager.objects.filter(pk__in=chosen).order_by("pk"))


# --- measure -------------------------------------------------------------------------------


def measure(timing: Timing, calls: list[tuple[str, Callable[[], Any]]]) -> None:
    for _, call in calls[:WARMUP]:
        call()
    for what, call in calls:
        started = time.perf_counter()
        call()
        timing.add(time.perf_counter() - started, call, what)


def list_calls(
    user: Any, text: str, etablissement_id: int | None
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """The two reads of the persons list for one search: the count for the pager, and the
    first page (50 rows, stays prefetched), as dui.usagers.views.usager_list does them."""
    from django.db.models import Prefetch

    from dui.usagers.models import PriseEnCharge
    from dui.usagers.queries import usager_search

    def queryset() -> Any:
        qs = usager_search(user, text, etablissement_id=etablissement_id)
        sejours = PriseEnCharge.objects.order_by("-date_debut")
        if etablissement_id is not None:
            sejours = sejours.filter(etablissement_id=etablissement_id)
        return qs.prefetch_related(
            Prefetch("prises_en_charge", queryset=sejours, to_attr="sejours")
        )

    return (lambda: queryset().count()), (lambda: list(queryset()[:PAGE_SIZE]))


def measure_list(
    page: Timing, whole: Timing, user: Any, texts: list[str], etab_id: int | None
) -> None:
    calls = [(t, *list_calls(user, t, etab_id)) for t in texts]
    for _, count, first in calls[:WARMUP]:
        count()
        first()
    for text, count, first in calls:
        started = time.perf_counter()
        count()
        counted = time.perf_counter()
        first()
        ended = time.perf_counter()
        page.add(ended - counted, first, text)
        whole.add(ended - started, lambda c=count, f=first: (c(), f()), text)


def explain_slowest(timing: Timing) -> None:
    """Run the slowest call again, then EXPLAIN ANALYZE its slowest SQL statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, call, what = timing.slowest
    if call is None:
        return
    with CaptureQueriesContext(connection) as ctx:
        call()
    worst = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    queries = len(ctx.captured_queries)
    print(
        f"\n  Plan de la requête la plus lente de « {timing.label.strip()} » ({what!r}, "
        f"{seconds * 1000:.1f} ms ; {queries} requête(s) SQL par appel) :"
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst["sql"])
        for (row,) in cursor.fetchall():
            print(f"    {row}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesure la recherche et le contrôle de doublons.")
    parser.add_argument("--usagers", type=int, default=100_000, help="taille de la démo")
    parser.add_argument("--samples", type=int, default=200, help="mesures par opération")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-explain", action="store_true", help="sans plan d'exécution")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dui.comptes.models import User
    from dui.demo import staff
    from dui.demo.generator import email_for, finess_for
    from dui.structures.models import Etablissement, OrganismeGestionnaire
    from dui.usagers.identitovigilance import find_duplicates
    from dui.usagers.models import Usager
    from dui.usagers.queries import usager_search

    if not OrganismeGestionnaire.objects.exists():
        print(f"Chargement de la démo ({args.usagers} usagers)…", flush=True)
    call_command("demo", usagers=args.usagers, if_empty=True, verbosity=0)
    organisme = OrganismeGestionnaire.objects.get(finess=finess_for(1, 0))
    etabs = {
        spec.key: Etablissement.objects.get(finess=finess_for(1, position))
        for position, spec in enumerate(staff.ETABLISSEMENTS, start=1)
    }
    logins = ("idec", "accueil", "direction", "chef-service")
    users = {login: User.objects.get(email=email_for(login, 1)) for login in logins}
    total = Usager.objects.filter(organisme=organisme).count()
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would gather after the bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"base : {connection.vendor} ({connection.settings_dict['NAME']}), {total} usagers "
        f"dans l'organisme ; {args.samples} mesures par opération après {WARMUP} d'échauffement"
    )
    if total < args.usagers:
        print(f"Note : la base contenait déjà une démo de {total} usagers (et non {args.usagers}).")

    rng = random.Random(args.seed)
    # (label, user, établissement of the list, or None for the whole scope)
    scopes = [
        ("IDEC, liste de l'EHPAD", users["idec"], etabs[staff.EHPAD].pk),
        ("accueil, liste de l'EHPAD", users["accueil"], etabs[staff.EHPAD].pk),
        ("chef de service, liste du SAD", users["chef-service"], etabs[staff.SAD].pk),
        ("direction, liste de l'IME", users["direction"], etabs[staff.IME].pk),
        ("direction, tout son périmètre", users["direction"], None),
    ]
    timings: list[Timing] = []
    for label, user, etab_id in scopes:
        visible = sample_persons(rng, usager_search(user, "", etablissement_id=etab_id), 500)
        if not visible:
            print(f"  {label} : personne de visible, ignoré")
            continue
        # Mostly persons in scope; one text in five names someone of the organisme outside it.
        pool = sample_persons(rng, Usager.objects.filter(organisme=organisme), 500)
        in_scope = args.samples * 4 // 5
        texts = search_texts(rng, visible, in_scope)
        texts += search_texts(rng, pool, args.samples - in_scope)
        rng.shuffle(texts)
        page = Timing(f"recherche, 1re page — {label}")
        whole = Timing("  + comptage pour la pagination")
        measure_list(page, whole, user, texts, etab_id)
        timings += [page, whole]

    search_all = Timing("recherche, 1re page — tous profils")
    for t in timings[::2]:
        search_all.samples += t.samples
        if t.slowest[0] >= search_all.slowest[0]:
            search_all.slowest = t.slowest

    persons = sample_persons(rng, Usager.objects.filter(organisme=organisme), args.samples)
    doublons = Timing("doublons — find_duplicates (traits avec fautes)")

    def dup_call(traits: Any) -> Callable[[], Any]:
        return lambda: find_duplicates(organisme_id=organisme.pk, traits=traits)

    calls = [
        (f"{t.nom_naissance} {t.prenoms_naissance} {t.date_naissance}", dup_call(t))
        for t in typo_traits(rng, persons, args.samples)
    ]
    measure(doublons, calls)
    found = sum(1 for _, call in calls if call())

    print()
    print(header())
    for t in [*timings, search_all, doublons]:
        print(t.line())
    print(f"\n  (doublons : {found} des {len(calls)} traits ont au moins un candidat)")
    if connection.vendor == "postgresql" and not args.no_explain:
        explain_slowest(search_all)
        explain_slowest(doublons)
    return 0


if __name__ == "__main__":
    sys.exit(main())
