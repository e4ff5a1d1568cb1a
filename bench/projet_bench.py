"""Benchmark of the projets personnalisés due list, the home count and the PPA tab (not a
test).

Builds, in the database given by DUI_DATABASE_URL (migrated), an établissement of its own
organisme with `--personnes` persons in 4 units (admitted over the last 5 years): about 70 %
have a project (a third still unsigned, the others signed between 0 and 15 months ago, so
some revisions are overdue), and one person has a project with 6 signed versions.

Then measures, server-side, through the Django test client (middleware, policy, journal
entry and template rendering included): the due list of the établissement and of one unit
(target p95 ≤ 300 ms), the home page count alone (target p95 ≤ 50 ms) and the PPA tab of the
person with 6 versions (target p95 ≤ 100 ms). Prints count, p50, p95, max in ms and the SQL
queries per page. Missed targets are figures to read, not failures.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python manage.py migrate
    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/projet_bench.py --samples 50
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

from round_bench import client_for  # noqa: E402
from search_bench import Timing, header  # noqa: E402

WARMUP = 3
OBJECTIF = {
    "domaine": "loisirs",
    "formulation_personne": "Aller au marché",
    "formulation_professionnelle": "Une sortie accompagnée par semaine",
    "indicateurs": "Sorties réalisées",
    "echeance": "",
    "statut": "actif",
}


def build(rng: random.Random, personnes: int) -> tuple[Any, Any, Any, Any]:
    """The établissement, its first unit, a chef de service and the person with 6 versions."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from dui.comptes.models import Affectation, Role
    from dui.projet import contenu as schema
    from dui.projet.models import ProjetPersonnalise, VersionProjet
    from dui.projet.services import add_months
    from dui.structures.models import Etablissement, OrganismeGestionnaire, Unite
    from dui.usagers.models import MembreEquipe, PriseEnCharge, Usager

    today = timezone.localdate()
    suffix = f"{random.SystemRandom().randrange(10**6):06d}"
    with transaction.atomic():
        organisme = OrganismeGestionnaire.objects.create(
            raison_sociale=f"Banc projets {suffix}", finess=f"97{suffix}1"
        )
        etab = Etablissement.objects.create(
            organisme=organisme, nom=f"EHPAD banc {suffix}", finess=f"97{suffix}2", categorie="500"
        )
        unites = [Unite.objects.create(etablissement=etab, nom=f"Unité {i + 1}") for i in range(4)]
        User = get_user_model()
        chef = User.objects.create_user(
            f"chef-banc-{suffix}@example.org", None, prenom="Karim", nom="Banc"
        )
        Affectation.objects.create(
            user=chef, etablissement=etab, role=Role.objects.get(code="chef_service")
        )
        persons = []
        for i in range(personnes):
            u = Usager(
                organisme=organisme,
                nom_naissance=f"BANC{i:05d}",
                prenoms_naissance=rng.choice(["Marie", "Jean", "Louise", "Paul", "Jeanne"]),
                date_naissance=datetime.date(1930 + rng.randrange(20), 1 + rng.randrange(12), 1),
                sexe=rng.choice(["F", "M"]),
            )
            u.refresh_search_keys()
            persons.append(u)
        Usager.objects.bulk_create(persons, batch_size=2000)
        stays = PriseEnCharge.objects.bulk_create(
            [
                PriseEnCharge(
                    usager=u, etablissement=etab, unite=rng.choice(unites), type="heb_permanent",
                    date_debut=today - datetime.timedelta(days=rng.randrange(30, 5 * 365)),
                )
                for u in persons
            ],
            batch_size=2000,
        )  # fmt: skip
        contenu = {s.key: schema.empty_section(s.key) for s in schema.SECTIONS}
        contenu["objectifs"] = [OBJECTIF]
        now = timezone.now()
        projets = []
        for stay in stays:
            if rng.random() > 0.7:
                continue
            signed = None
            if rng.random() > 0.33:
                signed = today - datetime.timedelta(days=rng.randrange(0, 450))
            echeance = add_months(signed, 12) if signed else add_months(stay.date_debut, 6)
            projets.append(
                ProjetPersonnalise(
                    usager_id=stay.usager_id, prise_en_charge=stay, etablissement=etab,
                    etape="mise_en_oeuvre" if signed else "co_construction", referent=chef,
                    contenu=contenu, numero_brouillon=2 if signed else 1,
                    derniere_signature_le=signed, echeance=echeance, ouvert_le=now,
                    ouvert_par=chef, modifie_par=chef, modifie_le=now,
                )
            )  # fmt: skip
        projets = ProjetPersonnalise.objects.bulk_create(projets, batch_size=2000)
        # One person with 6 signed versions (the tab lists them all).
        many = projets[0]
        VersionProjet.objects.bulk_create(
            VersionProjet(
                projet=many, numero=n, contenu=contenu, etape="suivi",
                personne_qualite="personne", personne_nom="BANC", personne_signe_le=today,
                personne_moyen="manuscrite", referent=chef, referent_nom="Karim Banc",
                referent_signe_le=today, referent_moyen="authentification",
            )
            for n in range(1, 7)
        )  # fmt: skip
        MembreEquipe.objects.create(
            usager_id=many.usager_id, user=chef, etablissement=etab, is_referent=True
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (ProjetPersonnalise, PriseEnCharge, Usager, VersionProjet):
                cursor.execute("ANALYZE " + model._meta.db_table)
    print(f"{personnes} personnes, {len(projets)} projets créés.")
    return etab, unites[0], chef, many


def measure(label: str, call: Any, samples: int, target: float) -> tuple[Timing, bool]:
    for _ in range(WARMUP):
        call()
    timing = Timing(label)
    for _ in range(samples):
        t0 = time.perf_counter()
        call()
        timing.add(time.perf_counter() - t0, call, label)
    p95 = timing.percentile(95)
    return timing, p95 > target


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesure la liste des projets à échéance.")
    parser.add_argument("--personnes", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dui.projet import services

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(args.seed)
    started = time.perf_counter()
    etab, unite, chef, many = build(rng, args.personnes)
    print(f"Préparation : {time.perf_counter() - started:.0f} s ({connection.vendor})")
    client = client_for(chef, etab)
    echeances = reverse("projet:echeances")
    tab = reverse("projet:projet", args=[many.usager_id])

    def ok(url: str, params: dict[str, Any] | None = None) -> Any:
        def call() -> None:
            assert client.get(url, params or {}).status_code == 200

        return call

    cases = [
        ("Projets à échéance (établissement)", ok(echeances), 300.0),
        ("Projets à échéance (une unité)", ok(echeances, {"unite": unite.pk}), 300.0),
        ("Compte de l'accueil", lambda: services.projets_a_echeance_count(etab), 50.0),
        ("Onglet projet (6 versions signées)", ok(tab), 100.0),
    ]
    print(header())
    missed_any = False
    for label, call, target in cases:
        timing, missed = measure(label, call, args.samples, target)
        missed_any |= missed
        with CaptureQueriesContext(connection) as ctx:
            call()
        verdict = "objectif tenu" if not missed else f"objectif ({target:.0f} ms) manqué"
        print(
            f"  {label:<52} {len(timing.samples):>5} {timing.percentile(50):>8.1f} "
            f"{timing.percentile(95):>8.1f} {max(timing.samples) * 1000:>8.1f}   {verdict} "
            f"[{len(ctx.captured_queries)} requêtes SQL]"
        )
    lignes = services.projets_a_echeance(etab)
    print(
        f"Lignes de la liste : {len(lignes)} (dont {sum(x.en_retard for x in lignes)} en retard)."
    )
    print(
        "Objectifs : liste p95 ≤ 300 ms, compte ≤ 50 ms, onglet ≤ 100 ms."
        + (" Manqué." if missed_any else " Tenus.")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
