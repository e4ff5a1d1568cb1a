from __future__ import annotations

import pytest

from dui import audit
from dui.audit.chain import CHAINED_FIELDS, GENESIS, entry_hash
from dui.audit.models import AuditAction, Entree


@pytest.mark.django_db
def test_first_entry_is_chained_to_genesis():
    entry = audit.record(action=AuditAction.LOGIN, actor_label="x@exemple.fr")
    assert entry.seq == 1
    assert entry.prev_hash == GENESIS


@pytest.mark.django_db
def test_record_chains_each_entry_to_the_previous_one(usager, referent):
    first = audit.record(action=AuditAction.LOGIN, actor=referent)
    second = audit.record(
        action=AuditAction.READ, actor=referent, obj=usager, usager=usager, reason=""
    )
    stored = Entree.objects.get(pk=second.pk)
    assert stored.seq == first.seq + 1
    assert stored.prev_hash == first.hash
    assert stored.actor_id == referent.pk
    assert stored.usager_id == usager.pk
    assert stored.object_type == "usagers.usager"
    fields = {name: getattr(stored, name) for name in CHAINED_FIELDS}
    assert stored.hash == entry_hash(stored.prev_hash, fields)


@pytest.mark.django_db
def test_record_accepts_an_object_type_without_an_object(dpo):
    entry = audit.record(action=AuditAction.LIST, actor=dpo, object_type="audit.entree")
    assert Entree.objects.get(pk=entry.pk).object_type == "audit.entree"
