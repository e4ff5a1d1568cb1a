"""manage.py demo_codes: the demo accounts with their current second-factor codes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dui.demo import DemoRefused
from dui.demo.accounts import codes_text, logins_text


class Command(BaseCommand):
    help = (
        "Affiche les comptes de démonstration, leur code TOTP actuel et le mot de passe "
        "commun. Interdit en production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins",
            action="store_true",
            help="afficher seulement les identifiants, sans les codes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = logins_text() if options["logins"] else codes_text()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text)
