"""`flush` that also empties the journal: it lifts the append-only triggers for the wipe.

Django's `flush` (and the test runner between transactional tests) deletes every row of
every table; the journal's triggers would refuse it. Emptying the whole database is an
operator's act with the database owner's rights, so the triggers are suspended around it
and restored afterwards. A role limited by GRANTs (production) still cannot do it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from dui.audit import triggers


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        table_exists = triggers.TABLE in connection.introspection.table_names()
        if not table_exists:
            super().handle(**options)
            return
        with triggers.suspended(connection):
            super().handle(**options)
