"""Professionals around the person: RPPS and FINESS checks, MSSanté address, one médecin
traitant."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.structures.validators import luhn_ok
from dui.usagers.forms_entourage import IntervenantForm
from dui.usagers.models import IntervenantExterieur
from dui.usagers.services_entourage import (
    EntourageError,
    intervenant_create,
    intervenant_warnings,
)
from dui.usagers.tests.factories_entourage import IntervenantFactory

pytestmark = pytest.mark.django_db

RPPS_OK = "10003456786"  # passes Luhn
RPPS_BAD_KEY = "10003456788"


@pytest.fixture
def accueil(etab):
    return make_pro(etab, "accueil")


def _data(**overrides):
    data = {"type": IntervenantExterieur.Type.MEDECIN_TRAITANT, "nom": "Dr Bernard"}
    data.update(overrides)
    return data


def test_fixture_numbers_have_the_expected_keys():
    assert luhn_ok(RPPS_OK) and not luhn_ok(RPPS_BAD_KEY)


def test_malformed_rpps_is_refused():
    form = IntervenantForm(_data(rpps="12345"))
    assert not form.is_valid()
    assert "11 chiffres" in form.errors["rpps"][0]


def test_rpps_with_a_wrong_key_is_accepted_with_a_warning():
    form = IntervenantForm(_data(rpps=RPPS_BAD_KEY))
    assert form.is_valid(), form.errors
    assert any("clé de contrôle" in w for w in form.warnings)


def test_valid_rpps_with_spaces_is_normalized_without_warning():
    form = IntervenantForm(_data(rpps="100 0345 6786"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rpps"] == RPPS_OK
    assert form.warnings == []


def test_rpps_warning_is_shown_after_saving_and_on_the_tab(usager, accueil, login):
    client = login(accueil)
    response = client.post(
        reverse("usagers:intervenant_new", args=[usager.pk]), _data(rpps=RPPS_BAD_KEY), follow=True
    )
    content = response.content.decode()
    assert IntervenantExterieur.objects.get(usager=usager).rpps == RPPS_BAD_KEY
    assert content.count("Annuaire Santé") >= 2  # the message and the row's warning


def test_mssante_must_be_an_email_address():
    form = IntervenantForm(_data(mssante="pas une adresse"))
    assert not form.is_valid()
    assert "adresse e-mail valide" in form.errors["mssante"][0]


def test_mssante_outside_the_mssante_domain_warns():
    form = IntervenantForm(_data(mssante="dr.bernard@gmail.com"))
    assert form.is_valid(), form.errors
    assert any(".mssante.fr" in w for w in form.warnings)
    assert intervenant_warnings(IntervenantExterieur(mssante="dr.bernard@gmail.com"))


def test_mssante_address_in_the_domain_does_not_warn():
    form = IntervenantForm(_data(mssante="dr.bernard@medecin.mssante.fr"))
    assert form.is_valid(), form.errors
    assert form.warnings == []


def test_malformed_finess_is_refused():
    form = IntervenantForm(
        _data(type=IntervenantExterieur.Type.SERVICE_PARTENAIRE, nom="SSIAD", finess="12")
    )
    assert not form.is_valid()
    assert "9 caractères" in form.errors["finess"][0]


def test_second_medecin_traitant_is_refused(usager, accueil):
    IntervenantFactory(usager=usager, type=IntervenantExterieur.Type.MEDECIN_TRAITANT)
    with pytest.raises(EntourageError, match="un seul médecin traitant"):
        intervenant_create(actor=accueil, usager=usager, values=_data())
    assert IntervenantExterieur.objects.filter(usager=usager).count() == 1


def test_second_medecin_traitant_shows_a_form_error(usager, accueil, login):
    IntervenantFactory(usager=usager, type=IntervenantExterieur.Type.MEDECIN_TRAITANT)
    response = login(accueil).post(reverse("usagers:intervenant_new", args=[usager.pk]), _data())
    assert response.status_code == 200
    assert "un seul médecin traitant" in response.content.decode()


def test_intervenant_creation_is_journaled(usager, accueil):
    intervenant = intervenant_create(actor=accueil, usager=usager, values=_data(rpps=RPPS_OK))
    entry = Entree.objects.get(action=AuditAction.CREATE, object_id=str(intervenant.pk))
    assert entry.object_type == "usagers.intervenantexterieur"
    assert entry.usager_id == usager.pk
