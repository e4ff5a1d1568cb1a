"""Sessions: idle expiry, renewal on activity, and "log out of every device"."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from dui.audit.models import AuditAction, Entree
from dui.comptes.tests.login_helpers import travel

pytestmark = pytest.mark.django_db


def test_idle_session_is_refused(login, collegue, settings):
    client = login(collegue)
    assert client.get(reverse("ui:home")).status_code == 200
    with travel(settings.SESSION_IDLE_MINUTES + 1):
        response = client.get(reverse("ui:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("comptes:login"))


def test_session_store_refuses_an_expired_session(login, collegue):
    client = login(collegue)
    key = client.session.session_key
    session = Session.objects.get(session_key=key)
    Session.objects.filter(session_key=key).update(
        expire_date=session.expire_date.replace(year=session.expire_date.year - 1)
    )
    response = client.get(reverse("usagers:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("comptes:login"))


def test_activity_extends_the_session(login, collegue, settings):
    client = login(collegue)
    idle = settings.SESSION_IDLE_MINUTES
    # Active every (idle - 5) minutes: far past one idle period in total, never idle that long.
    for step in (1, 2, 3):
        with travel(step * (idle - 5)):
            assert client.get(reverse("ui:home")).status_code == 200
    with travel(3 * (idle - 5) + idle + 1):
        assert client.get(reverse("ui:home")).status_code == 302


def test_logout_everywhere_invalidates_other_sessions(login, collegue):
    here = login(collegue)
    phone = login(collegue, Client())
    assert phone.get(reverse("ui:home")).status_code == 200
    response = here.post(reverse("comptes:mon_compte"), {"action": "logout_all"})
    assert response.url == reverse("comptes:login")
    assert phone.get(reverse("ui:home")).status_code == 302
    assert here.get(reverse("ui:home")).status_code == 302
    entry = Entree.objects.get(action=AuditAction.SECURITY)
    assert entry.details == {"event": "logout_everywhere"}
    assert entry.actor_id == collegue.pk


def test_logout_everywhere_leaves_other_users_logged_in(login, collegue, referent):
    other = login(referent)
    login(collegue).post(reverse("comptes:mon_compte"), {"action": "logout_all"})
    assert other.get(reverse("ui:home")).status_code == 200


def test_reads_within_a_minute_do_not_rewrite_the_session(login, collegue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(collegue)
    client.get(reverse("ui:home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("ui:home")).status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert writes and all(sql.lstrip().upper().startswith("SELECT") for sql in writes)
    with travel(2), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("ui:home")).status_code == 200
    assert any(
        'UPDATE "django_session"' in q["sql"] or "INSERT" in q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"]
    )
