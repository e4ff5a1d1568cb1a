"""Habits of life: who may change them, stale-save refusal, the journal, the tab and the
fiche de synthèse."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_pro
from dui.accompagnement import habitudes as services
from dui.accompagnement.models import HabitudeDeVie
from dui.audit.models import AuditAction, Entree

pytestmark = pytest.mark.django_db

SOMMEIL = {"description": "Se couche vers 22 h", "preferences": "Porte entrouverte"}


def _save(actor, usager, domaine="sommeil", values=None, expected_version=0):
    return services.habitude_save(
        actor=actor,
        usager=usager,
        domaine=domaine,
        values=values or SOMMEIL,
        expected_version=expected_version,
    )


def _post(client, usager, domaine, data):
    return client.post(reverse("accompagnement:habitude_edit", args=[usager.pk, domaine]), data)


def test_a_soignant_saves_a_domain_and_the_creation_is_journaled(usager, collegue):
    habitude = _save(collegue, usager)
    assert habitude.version == 1 and habitude.modifie_par == collegue
    entry = Entree.objects.get(action=AuditAction.CREATE, object_id=str(habitude.pk))
    assert entry.object_type == "accompagnement.habitudedevie"
    assert entry.usager_id == usager.pk and entry.actor_id == collegue.pk
    assert entry.details == {
        "domaine": "sommeil",
        "champs": ["description", "preferences"],
        "version": 1,
    }


def test_a_change_journals_the_changed_fields_only(usager, collegue):
    _save(collegue, usager)
    changed = _save(
        collegue,
        usager,
        values={**SOMMEIL, "a_eviter": "La radio le soir", "dit_par_la_personne": True},
        expected_version=1,
    )
    assert changed.version == 2 and changed.a_eviter == "La radio le soir"
    entry = Entree.objects.get(action=AuditAction.UPDATE, object_id=str(changed.pk))
    assert entry.details == {
        "domaine": "sommeil",
        "champs": ["a_eviter", "dit_par_la_personne"],
        "version": 2,
    }


def test_a_save_that_changes_nothing_writes_nothing(usager, collegue):
    _save(collegue, usager)
    again = _save(collegue, usager, expected_version=1)
    assert again.version == 1
    assert not Entree.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_stale_save_is_refused_and_overwrites_nothing(usager, collegue, referent):
    _save(collegue, usager)
    _save(referent, usager, values={"description": "Sieste après le repas"}, expected_version=1)
    with pytest.raises(services.HabitudeConflict, match="rien n'a été enregistré"):
        _save(collegue, usager, values={"description": "Couché tôt"}, expected_version=1)
    habitude = HabitudeDeVie.objects.get()
    assert habitude.description == "Sieste après le repas" and habitude.version == 2
    assert Entree.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_a_stale_first_save_of_an_empty_domain_is_refused(usager, collegue, referent):
    _save(referent, usager)
    with pytest.raises(services.HabitudeConflict):
        _save(collegue, usager, values={"description": "Autre texte"}, expected_version=0)
    assert HabitudeDeVie.objects.get().description == SOMMEIL["description"]


def test_the_stale_form_shows_the_saved_version_in_french(login, usager, collegue, referent):
    _save(referent, usager, values={"description": "Sieste après le repas"})
    response = _post(login(collegue), usager, "sommeil", {"description": "Couché", "version": 0})
    page = response.content.decode()
    assert response.status_code == 200
    assert "modifiées par Rita Référente pendant votre saisie" in page
    assert "Sieste après le repas" in page
    assert HabitudeDeVie.objects.get().description == "Sieste après le repas"


def test_an_educateur_edits_habits_from_the_form(login, usager, etab):
    educateur = make_pro(etab, "educatif", prenom="Eddy", nom="Éducateur")
    response = _post(
        login(educateur), usager, "loisirs", {"description": "Aime la pétanque", "version": 0}
    )
    assert response.status_code == 302
    assert HabitudeDeVie.objects.get(domaine="loisirs").description == "Aime la pétanque"


def test_the_accueil_reads_habits_but_may_not_edit_them(login, usager, etab, collegue):
    _save(collegue, usager)
    accueil = login(make_pro(etab, "accueil"))
    tab = accueil.get(reverse("accompagnement:habitudes", args=[usager.pk]))
    assert tab.status_code == 200 and SOMMEIL["description"] in tab.content.decode()
    assert _post(accueil, usager, "sommeil", {"description": "x", "version": 1}).status_code == 404
    assert HabitudeDeVie.objects.get().version == 1


def test_the_service_refuses_the_accueil(usager, etab):
    with pytest.raises(services.HabitudeError, match="pas habilité"):
        _save(make_pro(etab, "accueil"), usager)
    assert not HabitudeDeVie.objects.exists()


def test_an_unknown_domain_is_not_found(login, usager, collegue):
    assert _post(login(collegue), usager, "cuisine", {"description": "x"}).status_code == 404


def test_an_empty_description_is_refused_in_french(login, usager, collegue):
    response = _post(login(collegue), usager, "sommeil", {"description": "  ", "version": 0})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()
    assert not HabitudeDeVie.objects.exists()


def test_the_tab_lists_every_domain_with_empty_ones_not_filled(login, usager, collegue):
    _save(collegue, usager)
    page = login(collegue).get(reverse("accompagnement:habitudes", args=[usager.pk]))
    html = page.content.decode()
    assert "Repas et goûts" in html and "Personnes importantes" in html
    assert html.count("Non renseigné") == 9
    entry = Entree.objects.filter(action=AuditAction.READ, usager_id=usager.pk).latest("seq")
    assert entry.details["onglet"] == "accompagnement:habitudes"


def test_the_tab_query_count_does_not_grow_with_the_domains(login, usager, collegue, referent):
    client = login(collegue)
    url = reverse("accompagnement:habitudes", args=[usager.pk])
    _save(collegue, usager)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i, domaine in enumerate(["lever", "repas", "hygiene", "religion"]):
        actor = referent if i % 2 else collegue
        _save(actor, usager, domaine=domaine, values={"description": f"Texte {domaine}"})
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(one)


def test_the_synthesis_shows_the_habits(login, usager, collegue):
    _save(
        collegue, usager, domaine="repas", values={"description": "Pas de porc", "a_eviter": "Lait"}
    )
    page = login(collegue).get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert "Habitudes" in page and "Repas et goûts" in page
    assert "Pas de porc" in page and "Lait" in page


def test_the_synthesis_reads_the_habits_in_one_query(usager, collegue, referent):
    from dui.usagers.synthese import build_synthese

    _save(collegue, usager, domaine="repas", values={"description": "Pas de porc"})
    _save(collegue, usager, domaine="sommeil")
    with CaptureQueriesContext(connection) as queries:
        synthese = build_synthese(referent, usager)
    assert [h.domaine for h in synthese.habitudes] == ["sommeil", "repas"]
    habit_queries = [q for q in queries if "habitudedevie" in q["sql"]]
    assert len(habit_queries) == 1
