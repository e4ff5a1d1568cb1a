"""Data built once and shared by the tests of one class or module (read-only for them).

`shared_data(django_db_blocker)` opens a transaction that stays open for the scope and is
rolled back at its end; each test's own transaction (the `db` fixture) is then a savepoint
inside it, so what a test writes is still rolled back after it. Use it only for expensive
set-ups (the demo generator) that the tests read without needing a database of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def shared_data(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
