"""Test helpers for the journal: raw access that bypasses the model's protections."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dui import audit
from dui.audit.models import AuditAction, Entree


def record_many(n: int, **kwargs: Any) -> list[Entree]:
    return [audit.record(action=AuditAction.READ, details={"i": i}, **kwargs) for i in range(n)]


def raw_sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def run_verify(*args: str) -> tuple[bool, str]:
    """(chain is intact, everything the command printed)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()
