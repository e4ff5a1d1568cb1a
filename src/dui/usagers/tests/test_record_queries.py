"""The person's record issues a bounded number of SQL queries, whatever the data size.

A person with one stay, one team member and one identity event, and a person with many of
each, must cost the same number of queries: no query per row (issue 3, "Measured").
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dui.comptes.tests.factories import UserFactory
from dui.structures.tests.factories import UniteFactory
from dui.usagers.identite import StatutIdentite
from dui.usagers.models import EvenementIdentite
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory

MANY = 8


def _person_with(etab, n):
    """A person of `etab` with n stays (each in its own unit), n team members, n events."""
    first = PriseEnChargeFactory(etablissement=etab, unite=UniteFactory(etablissement=etab))
    usager = first.usager
    for i in range(1, n):
        debut = datetime.date(2010 + i, 1, 1)
        PriseEnChargeFactory(
            etablissement=etab,
            usager=usager,
            unite=UniteFactory(etablissement=etab),
            date_debut=debut,
            date_fin=debut + datetime.timedelta(days=100),
        )
    for _ in range(n):
        MembreEquipeFactory(usager=usager, etablissement=etab, user=UserFactory())
        EvenementIdentite.objects.create(
            usager=usager,
            user=UserFactory(),
            type=EvenementIdentite.Type.TRAITS,
            statut_avant=StatutIdentite.PROVISOIRE,
            statut_apres=StatutIdentite.PROVISOIRE,
            motif="Correction",
            details={"nom_utilise": ["", "MARTIN"]},
        )
    return usager


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["", "identite/"])
def test_record_page_queries_do_not_grow_with_the_data(login, collegue, etab, page):
    small = _person_with(etab, 1)
    large = _person_with(etab, MANY)
    client = login(collegue)
    client.get(f"/usagers/{small.pk}/{page}")  # warm the session and the user's rights
    assert _count(client, f"/usagers/{large.pk}/{page}") == _count(
        client, f"/usagers/{small.pk}/{page}"
    )
