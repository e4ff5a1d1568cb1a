"""Entourage: roles, one personne de confiance, protection measures only for a représentant
légal, expired measures flagged; every change journaled."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.usagers.forms_entourage import ProcheForm
from dui.usagers.identite import IdentiteError
from dui.usagers.models import MesureProtection, Proche
from dui.usagers.services_entourage import (
    EntourageError,
    mesure_echue,
    proche_create,
    proche_deactivate,
    proche_update,
)
from dui.usagers.tests.factories_entourage import ProcheFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accueil(etab):
    return make_pro(etab, "accueil", prenom="Alice", nom="Accueil")


def _form_data(**overrides):
    data = {"nom": "Martin", "prenom": "Claire", "lien": "fille"}
    data.update(overrides)
    return data


def test_proche_with_several_roles_is_created_and_journaled(usager, accueil, login):
    response = login(accueil).post(
        reverse("usagers:proche_new", args=[usager.pk]),
        _form_data(is_personne_confiance="on", is_aidant="on", is_contact_urgence="on"),
    )
    assert response.status_code == 302
    proche = Proche.objects.get(usager=usager)
    assert proche.is_personne_confiance and proche.is_aidant and proche.is_contact_urgence
    entry = Entree.objects.get(action=AuditAction.CREATE, object_type="usagers.proche")
    assert entry.usager_id == usager.pk and entry.object_id == str(proche.pk)
    assert "Martin" not in str(entry.details)


def test_second_personne_de_confiance_is_refused(usager, accueil):
    ProcheFactory(usager=usager, is_personne_confiance=True)
    with pytest.raises(EntourageError, match="une seule personne de confiance"):
        proche_create(
            actor=accueil,
            usager=usager,
            values={"nom": "Durand", "is_personne_confiance": True},
        )
    assert Proche.objects.filter(usager=usager).count() == 1


def test_second_personne_de_confiance_shows_a_french_form_error(usager, accueil, login):
    ProcheFactory(usager=usager, is_personne_confiance=True)
    response = login(accueil).post(
        reverse("usagers:proche_new", args=[usager.pk]),
        _form_data(nom="Durand", is_personne_confiance="on"),
    )
    assert response.status_code == 200
    assert "une seule personne de confiance" in response.content.decode()
    assert Proche.objects.filter(usager=usager).count() == 1


def test_inactive_personne_de_confiance_does_not_block_a_new_one(usager, accueil):
    ProcheFactory(usager=usager, is_personne_confiance=True, actif=False)
    proche = proche_create(
        actor=accueil, usager=usager, values={"nom": "Durand", "is_personne_confiance": True}
    )
    assert proche.is_personne_confiance


def test_updating_the_personne_de_confiance_herself_is_allowed(usager, accueil):
    proche = ProcheFactory(usager=usager, is_personne_confiance=True)
    proche_update(
        actor=accueil,
        proche=proche,
        values={"telephone": "0700000000", "is_personne_confiance": True},
    )
    proche.refresh_from_db()
    assert proche.telephone == "0700000000"
    entry = Entree.objects.get(action=AuditAction.UPDATE, object_id=str(proche.pk))
    assert entry.details["champs"] == ["telephone"]


def test_measure_for_someone_who_is_not_representant_legal_is_a_form_error():
    form = ProcheForm(_form_data(mesure_protection=MesureProtection.TUTELLE))
    assert not form.is_valid()
    assert "ne concerne qu'un représentant légal" in form.errors["mesure_protection"][0]


def test_measure_for_a_representant_legal_is_valid():
    form = ProcheForm(
        _form_data(
            is_representant_legal="on",
            mesure_protection=MesureProtection.CURATELLE_RENFORCEE,
            mesure_debut="2024-01-01",
            mesure_fin="2029-01-01",
            organisme_mandataire="UDAF",
        )
    )
    assert form.is_valid(), form.errors


def test_measure_ending_before_it_starts_is_a_form_error():
    form = ProcheForm(
        _form_data(
            is_representant_legal="on",
            mesure_protection=MesureProtection.TUTELLE,
            mesure_debut="2024-06-01",
            mesure_fin="2024-01-01",
        )
    )
    assert not form.is_valid()
    assert "postérieure à son début" in form.errors["mesure_fin"][0]


def test_service_refuses_a_measure_without_representant_legal(usager, accueil):
    with pytest.raises(EntourageError):
        proche_create(
            actor=accueil,
            usager=usager,
            values={"nom": "X", "mesure_protection": MesureProtection.TUTELLE},
        )
    assert not Proche.objects.filter(usager=usager).exists()
    assert not Entree.objects.filter(object_type="usagers.proche").exists()


def test_mesure_echue_only_for_a_representant_legal_after_the_end_date():
    today = datetime.date(2025, 3, 10)
    ended = Proche(is_representant_legal=True, mesure_fin=datetime.date(2025, 3, 9))
    running = Proche(is_representant_legal=True, mesure_fin=datetime.date(2025, 3, 10))
    assert mesure_echue(ended, today)
    assert not mesure_echue(running, today)
    assert not mesure_echue(Proche(is_representant_legal=True), today)


def test_entourage_tab_warns_of_an_expired_measure(usager, referent, login):
    ProcheFactory(
        usager=usager,
        is_representant_legal=True,
        mesure_protection=MesureProtection.TUTELLE,
        mesure_debut=datetime.date(2015, 1, 1),
        mesure_fin=timezone.localdate() - datetime.timedelta(days=1),
    )
    response = login(referent).get(reverse("usagers:entourage", args=[usager.pk]))
    assert response.status_code == 200
    assert "Mesure échue" in response.content.decode()
    assert Entree.objects.filter(action=AuditAction.READ, usager_id=usager.pk).exists()


def test_deactivated_proche_is_kept_and_journaled(usager, accueil, login):
    proche = ProcheFactory(usager=usager)
    response = login(accueil).post(
        reverse("usagers:proche_deactivate", args=[usager.pk, proche.pk])
    )
    assert response.status_code == 302
    proche.refresh_from_db()
    assert proche.actif is False
    entry = Entree.objects.get(action=AuditAction.UPDATE, object_id=str(proche.pk))
    assert entry.details["desactivation"] is True


def test_archived_record_refuses_entourage_changes(usager, accueil):
    usager.archive_le = timezone.now()
    usager.save(update_fields=["archive_le"])
    proche = ProcheFactory(usager=usager)
    with pytest.raises(IdentiteError):
        proche_deactivate(actor=accueil, proche=proche)
    proche.refresh_from_db()
    assert proche.actif


def test_reader_without_administrative_write_cannot_open_the_form(usager, collegue, login):
    response = login(collegue).get(reverse("usagers:proche_new", args=[usager.pk]))
    assert response.status_code == 404


def test_proche_of_another_person_is_404(usager, accueil, login):
    other = ProcheFactory()
    response = login(accueil).get(reverse("usagers:proche_edit", args=[usager.pk, other.pk]))
    assert response.status_code == 404


def test_entourage_of_out_of_scope_person_is_404(usager, autre_etab_pro, login):
    response = login(autre_etab_pro).get(reverse("usagers:entourage", args=[usager.pk]))
    assert response.status_code == 404
