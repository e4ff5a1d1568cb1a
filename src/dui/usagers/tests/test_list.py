from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.comptes.models import Role
from dui.comptes.tests.factories import AffectationFactory
from dui.usagers.tests.factories import PriseEnChargeFactory, UsagerFactory


def _names(response):
    return [u.nom_naissance for u in response.context["page"].object_list]


def test_list_shows_only_persons_of_the_current_etablissement(login, collegue, etab, autre_etab):
    ici = PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="ICI").usager
    PriseEnChargeFactory(etablissement=autre_etab, usager__nom_naissance="AILLEURS")
    response = login(collegue).get("/usagers/")
    assert _names(response) == [ici.nom_naissance]


def test_list_follows_the_etablissement_switch(login, etab, autre_etab):
    user = make_pro(etab, "accueil")
    AffectationFactory(user=user, etablissement=autre_etab, role=Role.objects.get(code="accueil"))
    PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="ICI")
    PriseEnChargeFactory(etablissement=autre_etab, usager__nom_naissance="AILLEURS")
    client = login(user)
    client.post("/etablissement/", {"etablissement_id": autre_etab.pk})
    assert _names(client.get("/usagers/")) == ["AILLEURS"]


def test_search_by_name_ignores_accents_and_case(login, collegue, etab):
    PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="LEFÈVRE")
    PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="MARTIN")
    response = login(collegue).get("/usagers/", {"q": "lefevre"})
    assert _names(response) == ["LEFÈVRE"]


def test_search_finds_accented_query_in_unaccented_name(login, collegue, etab):
    PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="HELENE")
    assert _names(login(collegue).get("/usagers/", {"q": "Hélène"})) == ["HELENE"]


def test_search_matches_first_names_and_used_names(login, collegue, etab):
    PriseEnChargeFactory(
        etablissement=etab,
        usager__nom_naissance="DURAND",
        usager__prenoms_naissance="Josette",
        usager__nom_utilise="Bernard",
    )
    client = login(collegue)
    assert _names(client.get("/usagers/", {"q": "josette"})) == ["DURAND"]
    assert _names(client.get("/usagers/", {"q": "bernard josette"})) == ["DURAND"]
    assert _names(client.get("/usagers/", {"q": "bernard paul"})) == []


def test_search_with_regex_characters_is_literal(login, collegue, etab):
    PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="DUPONT")
    response = login(collegue).get("/usagers/", {"q": ".*"})
    assert response.status_code == 200
    assert _names(response) == []


def test_search_never_shows_persons_outside_the_scope(login, autre_etab_pro, etab, autre_etab):
    PriseEnChargeFactory(etablissement=etab, usager__nom_naissance="SECRET")
    assert _names(login(autre_etab_pro).get("/usagers/", {"q": "secret"})) == []


def test_list_is_paginated_by_fifty(login, collegue, etab):
    for _ in range(51):
        PriseEnChargeFactory(etablissement=etab)
    client = login(collegue)
    assert len(_names(client.get("/usagers/"))) == 50
    assert len(_names(client.get("/usagers/", {"page": 2}))) == 1


def test_list_and_search_are_journaled_with_the_ids_shown(login, collegue, etab, usager):
    client = login(collegue)
    client.get("/usagers/")
    client.get("/usagers/", {"q": "dupont"})
    listing = Entree.objects.get(action=AuditAction.LIST)
    search = Entree.objects.get(action=AuditAction.SEARCH)
    assert listing.actor_id == collegue.pk
    assert listing.details["usager_ids"] == [usager.pk]
    assert search.details["recherche"] is True


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/usagers/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_the_number_of_persons(login, collegue, etab):
    client = login(collegue)
    for _ in range(5):
        PriseEnChargeFactory(etablissement=etab)
    with_five = _list_queries(client)
    for _ in range(45):
        PriseEnChargeFactory(etablissement=etab)
    assert _list_queries(client) == with_five


def test_role_without_administrative_read_gets_404_on_the_list(login, admin):
    assert login(admin).get("/usagers/").status_code == 404


def test_person_without_stay_in_scope_is_not_listed(login, collegue):
    UsagerFactory(nom_naissance="SANSSEJOUR")
    assert _names(login(collegue).get("/usagers/")) == []
