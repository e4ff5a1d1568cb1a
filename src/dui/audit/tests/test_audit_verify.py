"""`audit_verify` finds every kind of tampering and says at which entry."""

from __future__ import annotations

import re

import pytest

from dui.audit import triggers
from dui.audit.models import Entree
from dui.audit.tests.helpers import raw_sql, record_many, run_verify


def reported_seqs(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"Entrée n° (\d+) :", output)]


@pytest.mark.django_db
def test_intact_journal_is_reported_with_its_size():
    record_many(5)
    ok, output = run_verify()
    assert ok
    assert "Journal intègre : 5 entrées vérifiées." in output


@pytest.mark.django_db
def test_empty_journal_is_intact():
    ok, output = run_verify()
    assert ok
    assert "Journal intègre : 0 entrées vérifiées." in output


@pytest.mark.django_db
def test_changed_reason_is_detected_at_its_entry():
    record_many(5)
    with triggers.suspended():
        raw_sql("UPDATE audit_entree SET reason = %s WHERE seq = 3", ["motif inventé"])
    ok, output = run_verify()
    assert not ok
    assert reported_seqs(output) == [3]
    assert "contenu modifié" in output


@pytest.mark.django_db
def test_changed_actor_is_detected_at_its_entry():
    record_many(5)
    with triggers.suspended():
        raw_sql("UPDATE audit_entree SET actor_id = 999 WHERE seq = 2")
    ok, output = run_verify()
    assert not ok
    assert reported_seqs(output) == [2]


@pytest.mark.django_db
def test_deleted_entry_is_detected_at_the_next_one():
    record_many(5)
    with triggers.suspended():
        raw_sql("DELETE FROM audit_entree WHERE seq = 3")
    ok, output = run_verify()
    assert not ok
    assert set(reported_seqs(output)) == {4}
    assert "entrée(s) manquante(s) : n° 3" in output


@pytest.mark.django_db
def test_entry_inserted_in_the_middle_is_detected_where_it_was_inserted():
    entries = record_many(5)
    forged_hash = "f" * 64
    with triggers.suspended():
        # Make room at seq 3 by shifting the later entries, as a forger would.
        for seq in (5, 4, 3):
            raw_sql("UPDATE audit_entree SET seq = %s WHERE seq = %s", [seq + 1, seq])
        raw_sql(
            "INSERT INTO audit_entree (seq, at, actor_id, actor_label, action, object_type,"
            " object_id, usager_id, etablissement_id, ip, break_glass, reason, details,"
            " prev_hash, hash) VALUES (3, %s, NULL, 'faux@exemple.fr', 'read', '', '', NULL,"
            " NULL, NULL, %s, '', '{}', %s, %s)",
            [entries[1].at, False, entries[1].hash, forged_hash],
        )
    ok, output = run_verify()
    assert not ok
    seqs = reported_seqs(output)
    assert seqs[0] == 3
    assert 4 in seqs  # the shifted entry no longer links to its predecessor


@pytest.mark.django_db
def test_entry_forged_at_the_end_is_detected():
    entries = record_many(3)
    last = entries[-1]
    with triggers.suspended():
        raw_sql(
            "INSERT INTO audit_entree (seq, at, actor_id, actor_label, action, object_type,"
            " object_id, usager_id, etablissement_id, ip, break_glass, reason, details,"
            " prev_hash, hash) VALUES (4, %s, 1, 'faux@exemple.fr', 'export', '', '', NULL,"
            " NULL, NULL, %s, '', '{}', %s, %s)",
            [last.at, False, last.hash, "0123456789abcdef" * 4],
        )
    ok, output = run_verify()
    assert not ok
    assert reported_seqs(output) == [4]


@pytest.mark.django_db
def test_tail_verification_starts_at_the_given_entry():
    record_many(6)
    with triggers.suspended():
        raw_sql("UPDATE audit_entree SET reason = 'x' WHERE seq = 2")
    ok, output = run_verify("--from-seq", "4")
    assert ok
    assert "Journal intègre : 3 entrées vérifiées." in output
    ok, output = run_verify("--from-seq", "2")
    assert not ok
    assert reported_seqs(output) == [2]


@pytest.mark.django_db
def test_many_records_in_a_row_keep_a_valid_chain():
    record_many(300)
    assert list(Entree.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 301))
    ok, output = run_verify()
    assert ok
    assert "300 entrées vérifiées" in output
