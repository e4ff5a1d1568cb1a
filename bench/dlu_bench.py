"""Benchmark of the DLU PDF (not a test): generation time on a fully populated record.

Creates (once, reused on later runs) a bench EHPAD with one resident whose record is heavy
(every source the DLU reads: entourage, médecin traitant, 5 allergies, 12 antécédents,
19 treatments, vaccinations, measures, AGGIR, habits, long free texts), validates their DLU,
then measures, after a warm-up:

- `dui.dlu.pdf.dlu_pdf(dlu)` (target p95 ≤ 500 ms, issue 5), run once at validation;
- printing a validated version, which serves the PDF stored at validation;
- `dui.dlu.pdf.fiche_transfert_pdf(usager, user)` (transfer page + the DLU; no target,
  printed for information);
- the pre-fill of a new draft from the record (`services.prefill`), for information.

Prints count, p50, p95, max in ms (wall clock, and CPU time of the process) and the page
count. Missed targets are figures to read,
not failures.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python manage.py migrate
    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/dlu_bench.py --samples 40
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

import search_bench  # noqa: E402
from search_bench import Timing, header  # noqa: E402

TARGET_MS = 500.0
WARMUP = 3
BENCH_FINESS = "759999990"  # fixed, so that a second run reuses the record
BENCH_EMAIL = "medecin.bench-dlu@exemple.fr"


def setup() -> tuple[Any, Any]:
    """The bench resident (heavy record, validated DLU) and the médecin; created once."""
    from django.db import transaction
    from django.utils import timezone

    from dui.comptes.models import Affectation, Role, User
    from dui.dlu import queries, services
    from dui.dlu.tests.dossier import completer_a_la_main, dossier_complet
    from dui.structures.models import CategorieEtablissement, Etablissement, OrganismeGestionnaire
    from dui.usagers.models import PriseEnCharge, Usager

    etab = Etablissement.objects.filter(finess=BENCH_FINESS).first()
    medecin = User.objects.filter(email=BENCH_EMAIL).first()
    if etab is not None and medecin is not None:
        usager = Usager.objects.filter(prises_en_charge__etablissement=etab).first()
        courant = queries.dlu_courant(usager) if usager is not None else None
        if courant is not None:
            if not courant.pdf:  # validated before the PDF was stored at validation
                from django.core.files.base import ContentFile

                from dui.dlu.pdf import dlu_pdf

                courant.pdf.save("dlu.pdf", ContentFile(dlu_pdf(courant)))
            return usager, medecin
    with transaction.atomic():
        organisme = OrganismeGestionnaire.objects.create(
            raison_sociale="Organisme du banc DLU", finess="759999982"
        )
        etab = Etablissement.objects.create(
            organisme=organisme,
            nom="EHPAD du banc DLU",
            finess=BENCH_FINESS,
            categorie=CategorieEtablissement.EHPAD,
        )
        medecin = User.objects.create_user(
            email=BENCH_EMAIL, password=None, nom="Banc", prenom="Médecin"
        )
        Affectation.objects.create(
            user=medecin, etablissement=etab, role=Role.objects.get(code="medecin")
        )
        usager = Usager.objects.create(
            nom_naissance="BANC",
            prenoms_naissance="Odette Marie",
            date_naissance=timezone.localdate().replace(year=1930),
            sexe="F",
            organisme=organisme,
        )
        PriseEnCharge.objects.create(
            usager=usager, etablissement=etab, date_debut=timezone.localdate(), type="heb_permanent"
        )
        dossier_complet(usager, medecin, lourd=True)
        dlu = services.demarrer(actor=medecin, usager=usager)
        dlu = services.enregistrer(
            actor=medecin,
            dlu=dlu,
            donnees=completer_a_la_main(dlu.donnees, lourd=True),
            expected_version=dlu.version,
        )
        services.valider(actor=medecin, dlu=dlu, expected_version=dlu.version)
    return usager, medecin


def measure(label: str, call: Any, samples: int) -> tuple[Timing, Timing]:
    """Wall-clock time, and the process's CPU time: on a machine shared with other jobs the
    second one is closer to what an idle server would show."""
    wall, cpu = Timing(label), Timing(f"{label} [CPU]")
    for _ in range(WARMUP):
        call()
    for _ in range(samples):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.add(time.perf_counter() - start, call, label)
        cpu.add(time.process_time() - start_cpu, call, label)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai du PDF du DLU.")
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from dui.dlu import pdf, queries, services

    usager, medecin = setup()
    dlu = queries.dlu_courant(usager)
    assert dlu is not None
    pages = len(pdf.render_dlu(dlu).pages)
    pages_transfert = len(pdf.render_fiche_transfert(usager, medecin).pages)
    print(
        f"Base : {connection.vendor}. Dossier lourd : "
        f"{len(dlu.donnees['traitements']['liste'])} traitements, "
        f"{len(dlu.donnees['allergies']['liste'])} allergies, "
        f"{len(dlu.donnees['antecedents']['liste'])} antécédents. "
        f"DLU : {pages} page(s) ; fiche de transfert : {pages_transfert} page(s)."
    )
    search_bench.TARGET_MS = TARGET_MS  # the verdict column of Timing.line
    dlu_timing = measure(
        "dlu_pdf (DLU validé, dossier lourd)", lambda: pdf.dlu_pdf(dlu), args.samples
    )
    transfert = measure(
        "fiche_transfert_pdf (transfert + DLU)",
        lambda: pdf.fiche_transfert_pdf(usager, medecin, motif="Chute"),
        args.samples,
    )

    def imprimer() -> bytes:
        # What the print view does for a validated version: the bytes stored at validation.
        with dlu.pdf.open("rb") as stored:
            return stored.read()

    impression = measure("impression d'une version validée (PDF stocké)", imprimer, args.samples)
    sejour = services.sejour_dlu(usager)
    prefill = measure(
        "pré-remplissage depuis le dossier (prefill)",
        lambda: services.prefill(
            medecin, usager, variante="ehpad", sejour=sejour, today=timezone.localdate()
        ),
        args.samples,
    )
    print(header())
    for pair in (dlu_timing, impression, transfert, prefill):
        for t in pair:
            print(t.line())
    print(
        f"  (objectif : p95 ≤ {TARGET_MS:.0f} ms pour dlu_pdf ; les autres lignes sont "
        "données pour information)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
