"""Check CDA R2 files: the official XSD and the CI-SIS header rules (as before any sending),
and, when saxonche is installed, the official CI-SIS schematrons (structuration minimale,
content models, and the DLU model for a DLU)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Vérifie des documents CDA R2 : schéma officiel, règles d'en-tête du CI-SIS et, si "
        "saxonche est installé, schématrons officiels du CI-SIS. Code de sortie 1 si un "
        "document n'est pas conforme."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("fichiers", nargs="+", type=Path)
        parser.add_argument(
            "--sans-schematron", action="store_true", help="schéma et règles d'en-tête seulement"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from dui.interop.cda import codes, valider
        from dui.interop.cda.header import lire_entete
        from dui.interop.cda.validation import reference_dir

        schematrons: list[Path] = []
        if not options["sans_schematron"]:
            try:
                import saxonche  # noqa: F401
            except ImportError:
                self.stderr.write("saxonche absent : schématrons non exécutés.")
            else:
                profils = reference_dir() / "schematrons" / "profils"
                schematrons = [
                    profils / "structurationMinimale" / "ASIP-STRUCT-MIN-StrucMin.sch",
                    profils / "CI-SIS_ModelesDeContenusCDA.sch",
                    profils / "CI-SIS_Modeles_ANS.sch",
                ]
        failed = 0
        for path in options["fichiers"]:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path} : illisible ({exc.strerror}).") from exc
            errors = list(valider(data))
            if not errors and schematrons:
                from dui.interop.cda import schematron

                checks = list(schematrons)
                if codes.TEMPLATE_DLU in lire_entete(data)["template_ids"]:
                    checks.append(
                        reference_dir() / "schematrons" / "CI-SIS_DLU-EHPAD-DLU_2022.01.sch"
                    )
                for sch in checks:
                    if not sch.is_file():
                        errors.append(f"Schématron introuvable : {sch}")
                        continue
                    errors.extend(f"{sch.name} : {e}" for e in schematron.erreurs(data, sch))
            if errors:
                failed += 1
                self.stdout.write(f"{path} : NON CONFORME")
                for error in errors:
                    self.stdout.write(f"  - {error}")
            else:
                self.stdout.write(f"{path} : conforme")
        if failed:
            raise SystemExit(1)
