from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dui.audit.models import Entree
from dui.audit.tests.helpers import record_many, run_verify


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_valid_chain():
    if connection.vendor != "postgresql":
        pytest.skip("Écrivains concurrents : le verrou consultatif de PostgreSQL est testé ici.")
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            record_many(25)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Entree.objects.count() == 100
    ok, output = run_verify()
    assert ok, output


@pytest.mark.django_db(transaction=True)
def test_flush_between_transactional_tests_empties_the_journal_and_keeps_its_triggers():
    from django.core.management import call_command

    from dui.audit import triggers

    record_many(2)
    call_command("flush", interactive=False, verbosity=0)
    assert Entree.objects.count() == 0
    assert triggers.installed()
