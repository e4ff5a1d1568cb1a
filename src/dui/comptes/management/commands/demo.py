"""manage.py demo: load the demo organisme, its staff and synthetic persons."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dui.demo import DEFAULT_SEED, DEFAULT_USAGERS, DEMO_PASSWORD, DemoRefused
from dui.demo.generator import generate, refuse_in_production
from dui.structures.models import OrganismeGestionnaire


class Command(BaseCommand):
    help = (
        "Crée un organisme gestionnaire fictif (EHPAD, IME, SAD), un compte par profil "
        "et des usagers aux identités synthétiques. Interdit en production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--usagers",
            type=int,
            default=DEFAULT_USAGERS,
            help=f"nombre d'usagers à créer (défaut : {DEFAULT_USAGERS})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="graine du tirage : la même graine donne les mêmes usagers",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="ne rien faire si un organisme gestionnaire existe déjà",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="ajouter une démo même si la base contient déjà des données",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            refuse_in_production()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if options["usagers"] < 0:
            raise CommandError("--usagers doit être un nombre positif ou nul.")
        if OrganismeGestionnaire.objects.exists():
            if options["if_empty"]:
                self.stdout.write("La base contient déjà des données : démo non chargée.")
                return
            if not options["force"]:
                raise CommandError(
                    "La base contient déjà un organisme gestionnaire. Relancez avec --force "
                    "pour ajouter une démo, ou --if-empty pour ne rien faire."
                )
        total = options["usagers"]
        verbose = options["verbosity"] > 1 or total >= 10000

        def progress(done: int, planned: int) -> None:
            if verbose:
                self.stdout.write(f"  {done} / {planned} usagers créés")

        result = generate(usagers=total, seed=options["seed"], progress=progress)
        noms = list(result.organisme.etablissements.order_by("pk").values_list("nom", flat=True))
        # At scale there are hundreds of établissements: name the first ones only.
        etabs = ", ".join(noms[:3]) + (f" et {len(noms) - 3} autres" if len(noms) > 3 else "")
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo créée : {result.organisme} ({etabs}), {result.users} comptes, "
                f"{result.usagers} usagers, {result.membres_equipe} affectations à domicile, "
                f"en {result.seconds:.1f} s."
            )
        )
        self.stdout.write(
            f"Mot de passe commun : {DEMO_PASSWORD} — codes du second facteur : "
            "« manage.py demo_codes »."
        )
