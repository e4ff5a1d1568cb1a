"""The DPO's journal screen: scope, filters, journaling of the consultation, query count."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction, Entree

URL = reverse("audit:journal")


def journal_seqs(response) -> list[int]:
    return [row.entry.seq for row in response.context["rows"]]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["referent", "collegue", "admin", "autre_etab_pro"])
def test_journal_is_not_found_for_users_without_the_journal_right(persona, request, login):
    user = request.getfixturevalue(persona)
    assert login(user).get(URL).status_code == 404


@pytest.mark.django_db
def test_dpo_sees_entries_of_their_etablissement_and_not_of_others(
    dpo, referent, usager, etab, autre_etab, autre_etab_pro, login
):
    mine = audit.record(action=AuditAction.READ, actor=referent, usager=usager, etablissement=etab)
    other = audit.record(action=AuditAction.READ, actor=autre_etab_pro, etablissement=autre_etab)
    response = login(dpo).get(URL)
    assert response.status_code == 200
    assert mine.seq in journal_seqs(response)
    assert other.seq not in journal_seqs(response)
    assert usager.display_name in response.content.decode()


@pytest.mark.django_db
def test_dpo_sees_logins_of_staff_of_their_etablissement_only(dpo, collegue, autre_etab_pro, login):
    staff_login = audit.record(action=AuditAction.LOGIN, actor=collegue)
    other_login = audit.record(action=AuditAction.LOGIN, actor=autre_etab_pro)
    seqs = journal_seqs(login(dpo).get(URL))
    assert staff_login.seq in seqs
    assert other_login.seq not in seqs


@pytest.mark.django_db
def test_dpo_sees_break_glass_reads_of_their_persons_from_another_etablissement(
    dpo, usager, autre_etab, autre_etab_pro, login
):
    entry = audit.record(
        action=AuditAction.READ,
        actor=autre_etab_pro,
        usager=usager,
        etablissement=autre_etab,
        break_glass=True,
        reason="Appel du SAMU pour cette résidente",
    )
    response = login(dpo).get(URL)
    assert entry.seq in journal_seqs(response)
    assert "Appel du SAMU pour cette résidente" in response.content.decode()


@pytest.mark.django_db
def test_journal_filters_by_person(dpo, referent, usager, etab, login):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    other = PriseEnChargeFactory(etablissement=etab).usager
    about_usager = audit.record(action=AuditAction.READ, actor=referent, usager=usager)
    audit.record(action=AuditAction.READ, actor=referent, usager=other, etablissement=etab)
    response = login(dpo).get(URL, {"usager": usager.pk})
    assert journal_seqs(response) == [about_usager.seq]
    assert usager.display_name in response.context["usager_filtre"]


@pytest.mark.django_db
def test_journal_filters_by_actor_action_and_break_glass(dpo, referent, collegue, etab, login):
    read = audit.record(action=AuditAction.READ, actor=referent, etablissement=etab)
    audit.record(action=AuditAction.UPDATE, actor=referent, etablissement=etab)
    audit.record(action=AuditAction.READ, actor=collegue, etablissement=etab)
    glass = audit.record(
        action=AuditAction.READ, actor=collegue, etablissement=etab, break_glass=True
    )
    client = login(dpo)
    assert journal_seqs(client.get(URL, {"acteur": referent.pk, "action": "read"})) == [read.seq]
    assert journal_seqs(client.get(URL, {"acces_exceptionnels": "on"})) == [glass.seq]


@pytest.mark.django_db
def test_journal_filters_by_period(dpo, referent, etab, login):
    old = audit.record(action=AuditAction.READ, actor=referent, etablissement=etab)
    recent = audit.record(action=AuditAction.READ, actor=referent, etablissement=etab)
    # Move the first entry back in time: only the database owner could, as here.
    from dui.audit import triggers
    from dui.audit.tests.helpers import raw_sql

    with triggers.suspended():
        raw_sql(
            "UPDATE audit_entree SET at = %s WHERE seq = %s",
            [timezone.now() - datetime.timedelta(days=10), old.seq],
        )
    today = timezone.localdate()
    client = login(dpo)
    seqs = journal_seqs(client.get(URL, {"du": today.isoformat(), "au": today.isoformat()}))
    assert recent.seq in seqs
    assert old.seq not in seqs
    week_ago = (today - datetime.timedelta(days=7)).isoformat()
    assert old.seq in journal_seqs(client.get(URL, {"au": week_ago}))


@pytest.mark.django_db
def test_inverted_period_is_refused_with_a_french_message(dpo, login):
    response = login(dpo).get(URL, {"du": "2026-03-10", "au": "2026-03-01"})
    assert response.status_code == 200
    assert "La date de fin doit être postérieure" in response.content.decode()
    assert response.context["rows"] == []


@pytest.mark.django_db
def test_consulting_the_journal_is_itself_journaled(dpo, usager, login):
    login(dpo).get(URL, {"usager": usager.pk, "action": "read"})
    entry = Entree.objects.order_by("-seq")[0]
    assert entry.action == AuditAction.LIST
    assert entry.actor_id == dpo.pk
    assert entry.object_type == "audit.entree"
    assert entry.usager_id == usager.pk
    assert entry.details["filtres"]["action"] == "read"


@pytest.mark.django_db
def test_journal_pages_by_fifty_newest_first(dpo, referent, etab, login):
    entries = [
        audit.record(action=AuditAction.READ, actor=referent, etablissement=etab) for _ in range(60)
    ]
    client = login(dpo)
    first = client.get(URL, {"action": "read"})
    assert journal_seqs(first) == [e.seq for e in reversed(entries)][:50]
    second = client.get(URL, {"action": "read", "avant": first.context["next_before"]})
    assert journal_seqs(second) == [e.seq for e in reversed(entries)][50:]
    assert second.context["next_before"] is None


def _page_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _staff_without_password(etab, n: int):
    """Distinct actors, without the cost of hashing a password for each."""
    from dui.comptes.models import Affectation, Role, User

    role = Role.objects.get(code="soignant")
    users = [
        User.objects.create(email=f"acteur{i}@exemple.fr", nom=f"N{i}", prenom="P")
        for i in range(n)
    ]
    for user in users:
        Affectation.objects.create(user=user, etablissement=etab, role=role)
    return users


@pytest.mark.django_db
def test_journal_page_runs_a_constant_number_of_queries(
    dpo, etab, usager, login, django_assert_max_num_queries
):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    client = login(dpo)
    actors = _staff_without_password(etab, 31)
    audit.record(action=AuditAction.READ, actor=actors[0], usager=usager, etablissement=etab)
    few = _page_queries(client)
    for actor in actors[1:]:
        other = PriseEnChargeFactory(etablissement=etab).usager
        audit.record(action=AuditAction.READ, actor=actor, usager=other, etablissement=etab)
    assert _page_queries(client) == few
    with django_assert_max_num_queries(few):
        client.get(URL)


@pytest.mark.django_db
def test_export_csv_contains_the_filtered_entries_and_is_journaled(
    dpo, referent, usager, etab, login
):
    audit.record(
        action=AuditAction.READ,
        actor=referent,
        usager=usager,
        etablissement=etab,
        break_glass=True,
        reason='=HYPERLINK("x") motif piégé',
    )
    audit.record(action=AuditAction.UPDATE, actor=referent, etablissement=etab)
    response = login(dpo).get(reverse("audit:export"), {"action": "read"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("n°;date et heure;acteur")
    assert len(lines) == 2  # header + the one read; the update is filtered out
    assert usager.display_name in lines[1]
    assert "'=HYPERLINK" in lines[1]  # neutralised for spreadsheets
    entry = Entree.objects.filter(action=AuditAction.EXPORT).get()
    assert entry.actor_id == dpo.pk
    assert entry.object_type == "audit.entree"
    assert entry.details["filtres"]["action"] == "read"


@pytest.mark.django_db
def test_export_is_not_found_for_users_without_the_journal_right(referent, login):
    assert login(referent).get(reverse("audit:export")).status_code == 404
    assert not Entree.objects.filter(action=AuditAction.EXPORT).exists()
