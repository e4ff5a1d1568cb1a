"""The établissement's list of benefits to renew: scope, rights, constant query count."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.usagers.services_entourage import expiring_benefits, expiring_benefits_count
from dui.usagers.tests.factories import PriseEnChargeFactory
from dui.usagers.tests.factories_entourage import DroitFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)


@pytest.fixture
def chef(etab):
    return make_pro(etab, "chef_service")


def _expiring(usager, days=20):
    return DroitFactory(usager=usager, date_fin=TODAY + datetime.timedelta(days=days))


def test_lists_benefits_expiring_within_60_days_and_recently_expired(etab, usager, chef):
    soon = _expiring(usager, 20)
    expired = _expiring(usager, -5)
    _expiring(usager, 90)  # too far
    _expiring(usager, -90)  # expired long ago (replaced by a renewal, usually)
    ids = {d.pk for d in expiring_benefits(chef, etab, today=TODAY)}
    assert ids == {soon.pk, expired.pk}


def test_other_etablissement_persons_are_not_listed(etab, autre_etab, usager, chef):
    mine = _expiring(usager)
    other = _expiring(PriseEnChargeFactory(etablissement=autre_etab).usager)
    ids = {d.pk for d in expiring_benefits(chef, etab, today=TODAY)}
    assert mine.pk in ids and other.pk not in ids


def test_persons_who_left_are_not_listed(etab, chef):
    gone = PriseEnChargeFactory(
        etablissement=etab,
        date_debut=datetime.date(2020, 1, 1),
        date_fin=datetime.date(2024, 12, 31),
    ).usager
    _expiring(gone)
    assert expiring_benefits_count(chef, etab, today=TODAY) == 0


def test_count_for_the_home_page(etab, usager, chef):
    _expiring(usager, 10)
    _expiring(usager, 50)
    assert expiring_benefits_count(chef, etab, today=TODAY) == 2


def test_count_is_zero_without_social_read(etab, usager, collegue):
    _expiring(usager)
    assert expiring_benefits_count(collegue, etab, today=TODAY) == 0


def test_page_is_refused_without_social_read(collegue, login):
    assert login(collegue).get(reverse("usagers:droits_echeances")).status_code == 404


def test_page_lists_and_journals(etab, usager, chef, login):
    # Relative to the real day (the page reads the clock); only membership is asserted.
    DroitFactory(usager=usager, date_fin=timezone.localdate() + datetime.timedelta(days=15))
    response = login(chef).get(reverse("usagers:droits_echeances"))
    assert response.status_code == 200
    assert usager.display_name in response.content.decode()
    entry = Entree.objects.filter(action=AuditAction.LIST).latest("seq")
    assert entry.details["usager_ids"] == [usager.pk]


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("usagers:droits_echeances")).status_code == 200
    return len(ctx)


def test_page_query_count_does_not_grow_with_the_number_of_persons(etab, chef, login):
    soon = timezone.localdate() + datetime.timedelta(days=15)
    client = login(chef)
    DroitFactory(usager=PriseEnChargeFactory(etablissement=etab).usager, date_fin=soon)
    few = _page_queries(client)
    for _ in range(5):
        DroitFactory(usager=PriseEnChargeFactory(etablissement=etab).usager, date_fin=soon)
    assert _page_queries(client) == few
