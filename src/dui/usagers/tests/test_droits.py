"""Benefits: dates in order, expiry computed against a given day, social category rights."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.usagers.forms_entourage import DroitForm
from dui.usagers.models import DroitPrestation
from dui.usagers.services_entourage import (
    EntourageError,
    droit_create,
    droit_echeance,
    droit_update,
)
from dui.usagers.tests.factories_entourage import DroitFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)


@pytest.fixture
def chef(etab):
    return make_pro(etab, "chef_service")


def _droit(fin):
    return DroitPrestation(date_debut=datetime.date(2024, 1, 1), date_fin=fin)


def test_end_before_start_is_a_form_error():
    form = DroitForm(
        {"type": DroitPrestation.Type.APA, "date_debut": "2025-01-01", "date_fin": "2024-12-31"}
    )
    assert not form.is_valid()
    assert "postérieure ou égale" in form.errors["date_fin"][0]


def test_same_start_and_end_day_is_valid():
    form = DroitForm(
        {"type": DroitPrestation.Type.PCH, "date_debut": "2025-01-01", "date_fin": "2025-01-01"}
    )
    assert form.is_valid(), form.errors


def test_service_refuses_end_before_start(usager, chef):
    with pytest.raises(EntourageError):
        droit_create(
            actor=chef,
            usager=usager,
            values={
                "type": DroitPrestation.Type.APA,
                "date_debut": TODAY,
                "date_fin": TODAY - datetime.timedelta(days=1),
            },
        )
    assert not DroitPrestation.objects.exists()


def test_benefit_ending_in_30_days_is_expiring_with_its_date_and_delay():
    e = droit_echeance(_droit(datetime.date(2025, 4, 9)), TODAY)
    assert e.etat == "bientot" and e.jours == 30 and e.alerte
    assert e.libelle == "expire le 09/04/2025, dans 30 jours"


def test_benefit_ending_in_exactly_60_days_is_expiring():
    assert droit_echeance(_droit(TODAY + datetime.timedelta(days=60)), TODAY).etat == "bientot"


def test_benefit_ending_in_61_days_is_not_yet_flagged():
    e = droit_echeance(_droit(TODAY + datetime.timedelta(days=61)), TODAY)
    assert e.etat == "en_cours" and not e.alerte


def test_benefit_ended_yesterday_is_expired():
    e = droit_echeance(_droit(TODAY - datetime.timedelta(days=1)), TODAY)
    assert e.etat == "expire" and e.alerte
    assert e.libelle == "expiré depuis le 09/03/2025"


def test_benefit_ending_today_is_expiring_not_expired():
    e = droit_echeance(_droit(TODAY), TODAY)
    assert e.etat == "bientot" and e.jours == 0


def test_benefit_without_end_never_alerts():
    assert not droit_echeance(_droit(None), TODAY).alerte


def test_creation_and_renewal_are_journaled(usager, chef):
    droit = droit_create(
        actor=chef,
        usager=usager,
        values={"type": DroitPrestation.Type.APA, "date_debut": TODAY, "date_fin": TODAY},
    )
    droit_update(actor=chef, droit=droit, values={"date_fin": TODAY + datetime.timedelta(days=365)})
    created = Entree.objects.get(action=AuditAction.CREATE, object_id=str(droit.pk))
    updated = Entree.objects.get(action=AuditAction.UPDATE, object_id=str(droit.pk))
    assert created.object_type == updated.object_type == "usagers.droitprestation"
    assert updated.details["champs"] == ["date_fin"]


def test_tab_highlights_an_expiring_benefit(usager, chef, login):
    DroitFactory(usager=usager, date_fin=datetime.date(2025, 4, 9))
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        response = login(chef).get(reverse("usagers:droits", args=[usager.pk]))
    content = response.content.decode()
    assert "À renouveler" in content
    assert "expire le 09/04/2025, dans 30 jours" in content


def test_role_without_social_read_does_not_see_the_tab(usager, collegue, login):
    client = login(collegue)
    assert client.get(reverse("usagers:droits", args=[usager.pk])).status_code == 404
    entourage = client.get(reverse("usagers:entourage", args=[usager.pk])).content.decode()
    assert reverse("usagers:droits", args=[usager.pk]) not in entourage


def test_social_reader_cannot_change_benefits(usager, referent, login):
    client = login(referent)  # infirmier: social read only
    assert client.get(reverse("usagers:droits", args=[usager.pk])).status_code == 200
    assert client.get(reverse("usagers:droit_new", args=[usager.pk])).status_code == 404


def test_social_writer_adds_a_benefit(usager, chef, login):
    response = login(chef).post(
        reverse("usagers:droit_new", args=[usager.pk]),
        {
            "type": DroitPrestation.Type.ASH,
            "organisme_payeur": "Département du Rhône",
            "date_debut": "2025-01-01",
            "date_fin": "2026-12-31",
        },
    )
    assert response.status_code == 302
    assert DroitPrestation.objects.get(usager=usager).type == DroitPrestation.Type.ASH
