from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(using: str = "default", **kwargs: Any) -> None:
    # On SQLite, a migration that alters the journal table rebuilds it and drops its
    # triggers: put them back after every migrate.
    from django.db import connections

    from dui.audit import triggers

    connection = connections[using]
    if triggers.TABLE in connection.introspection.table_names() and not triggers.installed(
        connection
    ):
        triggers.install(connection)


class AuditConfig(AppConfig):
    name = "dui.audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        post_migrate.connect(_ensure_triggers, sender=self)
