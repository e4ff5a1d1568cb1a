"""Benchmark of CDA R2 generation (not a test): PDF/A rendering + CDA + validation.

On the database given by DUI_DATABASE_URL (the demo loaded by bench/run.py), for persons with
an open stay: a validated DLU is written for each (once), then each sample times, in process,
`dui.interop.cda.generer("dlu", …)` (the PDF/A, the level 3 CDA, the XSD and header checks)
and `generer("lettre_entree", …)` (a level 1 document: the PDF/A base64 in the CDA).
The DMP target (issue 6) is p95 ≤ 800 ms for generating a DLU *and* sending it: generation
must leave room for the send. Prints count, p50, p95, max in ms.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/cda_bench.py --samples 30
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

END_TO_END_TARGET_MS = 800.0
WARMUP = 3


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1] * 1000


def _line(label: str, samples: list[float]) -> str:
    if not samples:
        return f"  {label:<44} aucune mesure"
    return (
        f"  {label:<44} {len(samples):>5} {_percentile(samples, 50):>8.1f} "
        f"{_percentile(samples, 95):>8.1f} {max(samples) * 1000:>8.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    logging_quiet()
    from django.utils import timezone

    from dui.comptes.models import Affectation
    from dui.dlu import schema
    from dui.dlu.models import DLU
    from dui.interop.cda import generer
    from dui.usagers.models import PriseEnCharge

    stays = list(
        PriseEnCharge.objects.filter(date_fin__isnull=True)
        .select_related("usager", "etablissement")
        .order_by("pk")[: args.samples + WARMUP]
    )
    if not stays:
        print("Aucune personne accompagnée : chargez la démo d'abord (manage.py demo).")
        return 2
    dlu_times: list[float] = []
    lettre_times: list[float] = []
    invalid = 0
    for index, stay in enumerate(stays):
        usager = stay.usager
        affectation = (
            Affectation.objects.filter(etablissement=stay.etablissement, actif=True)
            .select_related("user")
            .first()
        )
        if affectation is None:
            continue
        user = affectation.user
        dlu = DLU.objects.filter(usager=usager, statut="valide").order_by("-numero").first()
        if dlu is None:
            donnees = schema.vide("ehpad")
            donnees["allergies"]["liste"] = [
                {"substance": "Pénicilline", "reaction": "", "severite": ""}
            ]
            donnees["traitements"]["liste"] = [
                {
                    "medicament": "Paracétamol",
                    "dosage": "500 mg",
                    "voie": "orale",
                    "posologie": "1 cp matin et soir",
                    "si_besoin": "",
                }
            ]
            numero = (
                DLU.objects.filter(usager=usager)
                .order_by("-numero")
                .values_list("numero", flat=True)
                .first()
                or 0
            ) + 1
            dlu = DLU.objects.create(
                usager=usager,
                numero=numero,
                statut="valide",
                etablissement=stay.etablissement,
                donnees=donnees,
                cree_par=user,
                modifie_par=user,
                valide_le=timezone.now(),
                valide_par=user,
            )
        start = time.perf_counter()
        generated = generer("dlu", usager, user, dlu=dlu)
        dlu_elapsed = time.perf_counter() - start
        start = time.perf_counter()
        lettre = generer("lettre_entree", usager, user, prise_en_charge=stay)
        lettre_elapsed = time.perf_counter() - start
        invalid += (not generated.valide) + (not lettre.valide)
        if index >= WARMUP:
            dlu_times.append(dlu_elapsed)
            lettre_times.append(lettre_elapsed)

    print(f"  {'opération':<44} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(_line("DLU : PDF/A + CDA niveau 3 + validation", dlu_times))
    print(_line("Lettre d'entrée : PDF/A + CDA niveau 1 + validation", lettre_times))
    if dlu_times:
        share = _percentile(dlu_times, 95) / END_TO_END_TARGET_MS * 100
        print(
            f"  La génération du DLU prend {share:.0f} % de l'objectif de bout en bout "
            f"(génération + envoi au DMP, p95 ≤ {END_TO_END_TARGET_MS:.0f} ms)."
        )
    if invalid:
        print(f"  ATTENTION : {invalid} document(s) non valides (schéma CDA absent ?).")
    return 0


def logging_quiet() -> None:
    import logging

    # WeasyPrint logs every rendering step at INFO.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
