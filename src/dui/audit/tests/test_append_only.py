from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from dui import audit
from dui.audit import triggers
from dui.audit.models import AuditAction, Entree
from dui.audit.tests.helpers import raw_sql


@pytest.mark.django_db
def test_model_refuses_to_save_an_existing_entry():
    entry = audit.record(action=AuditAction.LOGIN, actor_label="a@exemple.fr")
    entry.reason = "changé"
    with pytest.raises(PermissionError):
        entry.save()
    assert Entree.objects.get(pk=entry.pk).reason == ""


@pytest.mark.django_db
def test_model_refuses_to_delete_an_entry():
    entry = audit.record(action=AuditAction.LOGIN, actor_label="a@exemple.fr")
    with pytest.raises(PermissionError):
        entry.delete()
    assert Entree.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_queryset_refuses_update_and_delete():
    audit.record(action=AuditAction.LOGIN, actor_label="a@exemple.fr")
    with pytest.raises(PermissionError):
        Entree.objects.all().update(reason="changé")
    with pytest.raises(PermissionError):
        Entree.objects.all().delete()
    assert Entree.objects.filter(reason="").count() == 1


@pytest.mark.django_db
def test_database_triggers_are_installed_by_the_migrations():
    assert triggers.installed()


@pytest.mark.django_db
def test_database_refuses_a_raw_update():
    entry = audit.record(action=AuditAction.LOGIN, actor_label="a@exemple.fr")
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        raw_sql("UPDATE audit_entree SET reason = %s WHERE id = %s", ["changé", entry.pk])
    assert Entree.objects.get(pk=entry.pk).reason == ""


@pytest.mark.django_db
def test_database_refuses_a_raw_delete():
    entry = audit.record(action=AuditAction.LOGIN, actor_label="a@exemple.fr")
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        raw_sql("DELETE FROM audit_entree WHERE id = %s", [entry.pk])
    assert Entree.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_database_refuses_truncate_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE n'existe que sur PostgreSQL.")
    audit.record(action=AuditAction.LOGIN, actor_label="a@exemple.fr")
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        raw_sql("TRUNCATE audit_entree")
    assert Entree.objects.count() == 1


@pytest.mark.django_db
def test_suspending_the_triggers_restores_them_afterwards():
    with triggers.suspended():
        assert not triggers.installed()
    assert triggers.installed()
