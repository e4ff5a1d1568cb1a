"""Re-enqueue DMP sends whose task was lost (run from cron, e.g. every 15 minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dui.interop.dmp.services import reprendre_envois_perdus


class Command(BaseCommand):
    help = "Relance les envois au DMP restés « à envoyer » sans tâche (worker interrompu)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = reprendre_envois_perdus()
        self.stdout.write(f"Envois au DMP relancés : {count}")
