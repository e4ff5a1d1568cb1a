"""Re-verify qualified identities with INSi (run daily from cron, or enqueue the task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dui.usagers import tasks


class Command(BaseCommand):
    help = "Vérifie auprès de l'INSi les identités qualifiées dont le dernier appel est ancien."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=200, help="Identités par passage.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Programmer la tâche de fond au lieu de l'exécuter maintenant.",
        )

    def handle(self, *args: Any, batch: int, enqueue: bool, **options: Any) -> None:
        if enqueue:
            result = tasks.insi_reverifier_identites_qualifiees.enqueue(batch=batch)
            self.stdout.write(f"Tâche programmée : {result.id}")
            return
        counts = tasks.reverifier(batch)
        self.stdout.write(
            "Identités vérifiées : {verifiees} ; conformes : {conformes} ; déclassées : "
            "{declassees} ; INSi injoignable : {injoignable} ; modifiées entre-temps : "
            "{conflits}".format(**counts)
        )
