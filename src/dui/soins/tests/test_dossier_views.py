import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from conftest import make_pro
from dui.audit.models import Entree
from dui.comptes import policy
from dui.soins.models import Allergie, AllergieStatut, Antecedent, Vaccination
from dui.soins.tests.factories import AllergieFactory, AntecedentFactory, VaccinationFactory
from dui.usagers.access import RECORD_TABS

POSTED = {
    "type": "medical",
    "libelle": "HTA",
    "substance": "Latex",
    "severite": "legere",
    "certitude": "confirmee",
    "vaccin": "Grippe",
    "date": "2024-10-01",
    "motif": "x",
}


def _urls(usager, a, al, v):
    u = usager.pk
    return [
        reverse("soins:dossier", args=[u]),
        reverse("soins:antecedent_ajouter", args=[u]),
        reverse("soins:allergie_ajouter", args=[u]),
        reverse("soins:vaccination_ajouter", args=[u]),
        reverse("soins:antecedent_retirer", args=[u, a.pk]),
        reverse("soins:allergie_retirer", args=[u, al.pk]),
        reverse("soins:vaccination_retirer", args=[u, v.pk]),
        reverse("soins:allergies_aucune", args=[u]),
    ]


def _entries(usager):
    return (
        AntecedentFactory(usager=usager),
        AllergieFactory(usager=usager),
        VaccinationFactory(usager=usager),
    )


def _unchanged():
    return (
        Antecedent.objects.filter(actif=True).count(),
        Allergie.objects.filter(actif=True).count(),
        Vaccination.objects.filter(actif=True).count(),
        AllergieStatut.objects.count(),
    ) == (1, 1, 1, 0)


@pytest.mark.parametrize("role", ["accueil", "educatif", "dpo", "direction"])
@pytest.mark.parametrize("index", range(8))
def test_non_health_roles_are_refused_on_every_care_file_url(etab, usager, login, role, index):
    url = _urls(usager, *_entries(usager))[index]
    client = login(make_pro(etab, role))
    if role != "direction" or index > 0:  # direction reads soins data, writes none
        assert client.get(url).status_code in (404, 405)
    assert client.post(url, POSTED).status_code == (405 if index == 0 else 404)
    assert _unchanged()


@pytest.mark.parametrize("index", range(8))
def test_other_etablissement_is_refused_on_every_care_file_url(
    usager, autre_etab_pro, login, index
):
    url = _urls(usager, *_entries(usager))[index]
    assert login(autre_etab_pro).post(url, POSTED).status_code == (405 if index == 0 else 404)
    assert _unchanged()


@pytest.mark.parametrize("index", [1, 4])
def test_aide_soignant_is_refused_on_antecedents(etab, usager, login, collegue, index):
    url = _urls(usager, *_entries(usager))[index]
    client = login(collegue)
    assert client.get(url).status_code == 404
    assert client.post(url, POSTED).status_code == 404
    assert _unchanged()


def test_aide_soignant_sees_allergies_but_not_antecedents(usager, login, collegue):
    AntecedentFactory(usager=usager, libelle="Cancer du sein")
    AllergieFactory(usager=usager, substance="Gluten")
    html = login(collegue).get(reverse("soins:dossier", args=[usager.pk])).content.decode()
    assert "Gluten" in html
    assert "Cancer du sein" not in html and "Antécédents" not in html


def test_nurse_sees_antecedents_and_the_read_is_journaled(usager, login, referent):
    AntecedentFactory(usager=usager, libelle="Cancer du sein")
    response = login(referent).get(reverse("soins:dossier", args=[usager.pk]))
    assert "Cancer du sein" in response.content.decode()
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.usager_id, entry.details["onglet"], entry.details["medical"]) == (
        "read",
        usager.pk,
        "soins:dossier",
        True,
    )


def test_allergy_form_saves_and_journals(usager, login, collegue):
    response = login(collegue).post(
        reverse("soins:allergie_ajouter", args=[usager.pk]),
        {
            "substance": "Fraise",
            "type": "intolerance",
            "severite": "legere",
            "certitude": "suspectee",
        },
    )
    assert response.status_code == 302
    allergie = Allergie.objects.get()
    assert (allergie.substance, allergie.saisi_par) == ("Fraise", collegue)
    assert Entree.objects.filter(action="create", object_id=str(allergie.pk)).exists()


def test_withdraw_form_keeps_the_entry_in_the_history(usager, login, referent):
    antecedent = AntecedentFactory(usager=usager, libelle="Asthme")
    client = login(referent)
    url = reverse("soins:antecedent_retirer", args=[usager.pk, antecedent.pk])
    assert client.post(url, {"motif": ""}).status_code == 200
    assert Antecedent.objects.get().actif
    assert client.post(url, {"motif": "Erreur de dossier"}).status_code == 302
    html = client.get(reverse("soins:dossier", args=[usager.pk])).content.decode()
    assert "Asthme" in html and "retiré" in html and "Erreur de dossier" in html


def _tab_urls(user, usager):
    readable = policy.usager_categories(user, usager)
    urls = []
    for name, _, categorie in RECORD_TABS:
        if categorie in readable:
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(name, args=[usager.pk]))
    return urls


def test_allergy_banner_is_on_every_tab_for_a_soignant(usager, login, collegue):
    AllergieFactory(usager=usager, substance="Arachide", severite="anaphylaxie")
    client = login(collegue)
    urls = _tab_urls(collegue, usager)
    assert len(urls) >= 5
    for url in urls:
        html = client.get(url).content.decode()
        assert 'allergies" role="alert"' in html, url
        assert "Arachide (allergie, anaphylaxie)" in html, url


def test_mild_allergy_banner_is_a_note_not_an_alert(usager, login, collegue):
    AllergieFactory(usager=usager, substance="Pollen", severite="legere")
    html = login(collegue).get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert 'allergies" role="note"' in html and "Pollen (allergie, légère)" in html


def test_banner_tells_no_known_allergy_apart_from_not_filled_in(usager, login, referent):
    client = login(referent)
    url = reverse("usagers:detail", args=[usager.pk])
    assert "Allergies non renseignées" in client.get(url).content.decode()
    client.post(reverse("soins:allergies_aucune", args=[usager.pk]))
    html = client.get(url).content.decode()
    assert "Aucune allergie connue (vérifié le" in html
    assert "Allergies non renseignées" not in html


@pytest.mark.parametrize("role", ["accueil", "educatif"])
def test_no_banner_and_no_allergy_query_for_non_health_roles(etab, usager, login, role):
    AllergieFactory(usager=usager, substance="Arachide", severite="anaphylaxie")
    client = login(make_pro(etab, role))
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert "Arachide" not in html and "Allergies" not in html
    assert not [q for q in queries if "soins_allergie" in q["sql"]]


def test_record_page_query_count_does_not_grow_with_allergies(usager, login, collegue):
    client = login(collegue)
    url = reverse("usagers:detail", args=[usager.pk])
    AllergieFactory(usager=usager, substance="A")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for substance in "BCDEF":
        AllergieFactory(usager=usager, substance=substance)
    with CaptureQueriesContext(connection) as six:
        html = client.get(url).content.decode()
    assert "F (allergie" in html
    assert len(six) == len(one)
