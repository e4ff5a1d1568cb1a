"""Database triggers that make the journal table append-only, below the ORM.

The model and its queryset already refuse updates and deletes; these triggers also refuse
raw SQL (a maintenance script, a bug, an injection) on both supported databases. They do
not stop the table's owner, who may drop them: in production, give the application a role
that does not own the table and only holds SELECT and INSERT on it (see README.md).

Installed by migration 0002 and re-checked after every `migrate` (on SQLite, a migration
that alters the table rebuilds it and would silently lose them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

TABLE = "audit_entree"
_MESSAGE = "Le journal d''audit est en ajout seul"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entree_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_MESSAGE} : % refusé.', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    f"""
    CREATE OR REPLACE TRIGGER audit_entree_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_entree_append_only()
    """,
    f"""
    CREATE OR REPLACE TRIGGER audit_entree_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entree_append_only()
    """,
]
_POSTGRESQL_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS audit_entree_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_entree_no_update_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_entree_append_only()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entree_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE} : UPDATE refusé.'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entree_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE} : DELETE refusé.'); END
    """,
]
_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_entree_no_update",
    "DROP TRIGGER IF EXISTS audit_entree_no_delete",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return _POSTGRESQL_INSTALL if install else _POSTGRESQL_UNINSTALL
    if vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_UNINSTALL
    raise NotImplementedError(f"Base de données non prise en charge : {vendor}")


def install(connection: Any = None) -> None:
    """Create the triggers (idempotent)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def uninstall(connection: Any = None) -> None:
    """Drop the triggers (reverse of the migration)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)


def installed(connection: Any = None) -> bool:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgname IN ('audit_entree_no_update_delete', 'audit_entree_no_truncate') "
                "AND tgenabled <> 'D'",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
        return bool(cursor.fetchone()[0] == 2)


@contextmanager
def suspended(connection: Any = None) -> Iterator[None]:
    """Lift the protection for the block: only for `flush` and for tests that tamper.

    PostgreSQL disables the user triggers (needs the table's owner); SQLite drops and
    recreates them.
    """
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            for sql in _SQLITE_UNINSTALL:
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            else:
                for sql in _SQLITE_INSTALL:
                    cursor.execute(sql)
