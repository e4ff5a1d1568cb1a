"""Benchmark of the medication round view (not a test).

Builds, in the database given by DUI_DATABASE_URL (migrated), a 60-bed unit of an EHPAD
(its own organisme, so the demo data already there, if any, stays around it): 60 residents,
each with 8 planned doses a day spread over the slots (3 in the morning, 2 at noon, 2 in the
evening, 1 at bedtime) on 5 to 6 medication lines, one "si besoin" line, an allergy for some,
and `--jours` days of past traces (given, a few not given with a reason) so that the trace
table has a realistic size. A nurse of the établissement opens the round.

Then measures, server-side, through the Django test client (middleware, policy, journal
entry of the read and template rendering included), the round of each slot of today with
about half of the morning traced: target p95 ≤ 100 ms. Prints count, p50, p95, max in ms
and the SQL queries per page. Missed targets are figures to read, not failures.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python manage.py migrate
    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/round_bench.py --samples 100
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

from search_bench import Timing, header  # noqa: E402

TARGET_MS = 100.0
BEDS = 60
WARMUP = 5
# 8 doses a day: (medicament, intakes) — 3 matin, 2 midi, 2 soir, 1 coucher.
LIGNES = [
    ("Amlodipine 5 mg", ["matin"]),
    ("Metformine 500 mg", ["matin", "midi", "soir"]),
    ("Bisoprolol 2,5 mg", ["matin"]),
    ("Paracétamol 1 g", ["midi", "soir"]),
    ("Zopiclone 7,5 mg", ["coucher"]),
]


def build(rng: random.Random, jours: int) -> tuple[Any, Any, Any]:
    """The unit, its établissement and a nurse; everything created in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from dui.comptes.models import Affectation, Role
    from dui.soins.models import Administration, Allergie, LigneMedicament, Prescription
    from dui.structures.models import Etablissement, OrganismeGestionnaire, Unite
    from dui.usagers.models import PriseEnCharge, Usager

    today = timezone.localdate()
    suffix = f"{random.SystemRandom().randrange(10**6):06d}"
    with transaction.atomic():
        organisme = OrganismeGestionnaire.objects.create(
            raison_sociale=f"Banc tournée {suffix}", finess=f"98{suffix}1"
        )
        etab = Etablissement.objects.create(
            organisme=organisme, nom=f"EHPAD banc {suffix}", finess=f"98{suffix}2", categorie="500"
        )
        unite = Unite.objects.create(etablissement=etab, nom="Les Tilleuls", capacite_places=BEDS)
        User = get_user_model()
        nurse = User.objects.create_user(
            f"ide-banc-{suffix}@example.org", None, prenom="Inès", nom="Banc"
        )
        Affectation.objects.create(
            user=nurse, etablissement=etab, role=Role.objects.get(code="infirmier")
        )
        persons = []
        for i in range(BEDS):
            u = Usager(
                organisme=organisme,
                nom_naissance=f"BANC{i:03d}",
                prenoms_naissance=rng.choice(["Marie", "Jean", "Louise", "Paul", "Jeanne"]),
                date_naissance=datetime.date(1930 + rng.randrange(20), 1 + rng.randrange(12), 1),
                sexe=rng.choice(["F", "M"]),
            )
            u.refresh_search_keys()
            persons.append(u)
        Usager.objects.bulk_create(persons)
        PriseEnCharge.objects.bulk_create(
            PriseEnCharge(
                usager=u, etablissement=etab, unite=unite, type="heb_permanent",
                date_debut=today - datetime.timedelta(days=400),
            )
            for u in persons
        )  # fmt: skip
        Allergie.objects.bulk_create(
            Allergie(usager=u, substance="Pénicilline", severite="moderee", saisi_par=nurse)
            for u in persons
            if rng.random() < 0.3
        )
        prescriptions = Prescription.objects.bulk_create(
            Prescription(
                usager=u,
                date_prescription=today - datetime.timedelta(days=jours + 5),
                prescripteur_nom="Dr Banc",
                saisi_par=nurse,
            )
            for u in persons
        )
        lignes = []
        debut = today - datetime.timedelta(days=jours + 5)
        for p in prescriptions:
            for medicament, moments in LIGNES:
                lignes.append(
                    LigneMedicament(
                        prescription=p, usager_id=p.usager_id, medicament=medicament,
                        prises=[{"moment": m, "heure": "", "quantite": "1"} for m in moments],
                        debut=debut, saisi_par=nurse,
                    )
                )  # fmt: skip
            lignes.append(
                LigneMedicament(
                    prescription=p, usager_id=p.usager_id, medicament="Tramadol 50 mg",
                    prises=[{"moment": "", "heure": "", "quantite": "1"}], si_besoin=True,
                    condition="douleur EVA > 4", max_par_jour=3, debut=debut, saisi_par=nurse,
                )
            )  # fmt: skip
        lignes = LigneMedicament.objects.bulk_create(lignes)
        traces = []
        now = timezone.now()
        for days_ago in range(jours, -1, -1):
            jour = today - datetime.timedelta(days=days_ago)
            for ligne in lignes:
                if ligne.si_besoin:
                    continue
                for prise in ligne.prises:
                    moment = prise["moment"]
                    # Today: about half of the morning traced, nothing later.
                    if days_ago == 0 and (moment != "matin" or rng.random() < 0.5):
                        continue
                    refused = rng.random() < 0.03
                    traces.append(
                        Administration(
                            ligne=ligne, usager_id=ligne.usager_id, jour=jour, creneau=moment,
                            prise=moment, quantite=Decimal(1),
                            statut="non_donne" if refused else "donne",
                            motif=rng.choice(["refus", "absent", "vomi"]) if refused else "",
                            administre_le=None if refused else now, trace_par=nurse,
                        )
                    )  # fmt: skip
        Administration.objects.bulk_create(traces, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Administration, LigneMedicament, Usager, PriseEnCharge):
                cursor.execute("ANALYZE " + model._meta.db_table)
    print(f"Unité de {BEDS} lits créée : {len(lignes)} lignes, {len(traces)} traces.")
    return etab, unite, nurse


def client_for(user: Any, etablissement: Any) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dui.comptes.middleware import SESSION_KEY

    client = Client()
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SESSION_KEY] = etablissement.pk
    session.save()
    return client


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesure la vue de tournée des médicaments.")
    parser.add_argument("--samples", type=int, default=100, help="mesures par créneau")
    parser.add_argument("--jours", type=int, default=60, help="jours de traces passées")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(args.seed)
    started = time.perf_counter()
    etab, unite, nurse = build(rng, args.jours)
    print(f"Préparation : {time.perf_counter() - started:.0f} s ({connection.vendor})")
    client = client_for(nurse, etab)
    url = reverse("soins:tournee")
    print(header())
    missed = False
    for creneau, doses in (("matin", 3), ("midi", 2), ("soir", 2), ("coucher", 1)):
        params = {"unite": unite.pk, "creneau": creneau}
        for _ in range(WARMUP):
            assert client.get(url, params).status_code == 200
        timing = Timing(f"Tournée {creneau} ({BEDS} personnes, {BEDS * doses} doses)")
        cpu = Timing(f"  dont CPU du processus Django ({creneau})")
        for _ in range(args.samples):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            timing.add(time.perf_counter() - t0, lambda p=params: client.get(url, p), creneau)
            cpu.add(time.process_time() - c0, lambda: None, creneau)
            assert response.status_code == 200
        assert response.content.decode().count('class="card tournee-personne') == BEDS
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, params)
        p95 = timing.percentile(95)
        missed |= p95 > TARGET_MS
        verdict = "objectif tenu" if p95 <= TARGET_MS else f"objectif ({TARGET_MS:.0f} ms) manqué"
        print(
            f"  {timing.label:<52} {len(timing.samples):>5} {timing.percentile(50):>8.1f} "
            f"{p95:>8.1f} {max(timing.samples) * 1000:>8.1f}   {verdict} "
            f"[{len(ctx.captured_queries)} requêtes SQL]"
        )
        print(
            f"  {cpu.label:<52} {len(cpu.samples):>5} {cpu.percentile(50):>8.1f} "
            f"{cpu.percentile(95):>8.1f} {max(cpu.samples) * 1000:>8.1f}"
        )
    # A reference page of the same shell (base template, menus, session, policy): what any
    # page costs on this machine at this moment, to read the figures above against.
    ref = Timing("Référence : page « Mon compte »")
    ref_url = reverse("comptes:mon_compte")
    for _ in range(WARMUP):
        client.get(ref_url)
    for _ in range(args.samples):
        t0 = time.perf_counter()
        assert client.get(ref_url).status_code == 200
        ref.add(time.perf_counter() - t0, lambda: None, "ref")
    print(
        f"  {ref.label:<52} {len(ref.samples):>5} {ref.percentile(50):>8.1f} "
        f"{ref.percentile(95):>8.1f} {max(ref.samples) * 1000:>8.1f}"
    )
    if os.name == "posix":
        print(f"Charge de la machine (load average 1 min) : {os.getloadavg()[0]:.1f}")
    print("Objectif : p95 ≤ 100 ms par créneau." + (" Manqué." if missed else " Tenu."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
