"""The search box: names (accents, case, phonetics), birth date, matricule; scope first."""

import datetime

import pytest

from dui.usagers.queries import search_q, usager_search
from dui.usagers.tests.factories import PriseEnChargeFactory


@pytest.fixture
def people(etab):
    def make(nom, prenoms, date=datetime.date(1940, 2, 3), nom_utilise="", matricule=""):
        u = PriseEnChargeFactory(etablissement=etab).usager
        u.nom_naissance, u.prenoms_naissance, u.date_naissance = nom, prenoms, date
        u.nom_utilise, u.matricule_ins = nom_utilise, matricule
        u.save()
        return u

    return {
        "helene": make("LEFÈVRE", "Hélène Marie", nom_utilise="Martin"),
        "legoff": make("LE GOFF", "Jean-Pierre", datetime.date(1950, 11, 20)),
        "dupont": make("DUPONT", "Paul", datetime.date(1933, 7, 14), matricule="133077505612345"),
    }


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("lefevre", "helene"),
        ("LEFÈVRE hél", "helene"),
        ("martin", "helene"),  # used name
        ("lefebvre", "helene"),  # sounds the same
        ("goff", "legoff"),
        ("le goff jean", "legoff"),
        ("jean-pierre", "legoff"),
        ("dupond", "dupont"),
        ("14/07/1933", "dupont"),
        ("1933-07-14", "dupont"),
        ("1330775056", "dupont"),
    ],
)
def test_search_finds_the_person(collegue, etab, people, text, who):
    found = list(usager_search(collegue, text, etablissement_id=etab.pk))
    assert found == [people[who]]


def test_search_never_leaves_the_users_scope(autre_etab_pro, people):
    assert not usager_search(autre_etab_pro, "lefevre").exists()


def test_empty_text_filters_nothing_and_meaningless_text_finds_no_one(collegue, people):
    assert search_q("   ") is None
    assert usager_search(collegue, "").count() == 3
    assert not usager_search(collegue, "!!! .*").exists()


def test_search_is_one_query_after_the_rights(collegue, etab, people, django_assert_num_queries):
    with django_assert_num_queries(3):  # the user's rights (2), then the search
        list(usager_search(collegue, "lefevre", etablissement_id=etab.pk))
