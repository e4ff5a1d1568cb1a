"""Fiche de synthèse: content limited to readable categories, bounded queries, INS only when
shareable, alerts; the PDF is a real PDF, journaled as a print, with no network fetch."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.interop.ins.matricule import OID_INS_NIR
from dui.usagers.identite import StatutIdentite
from dui.usagers.models import IntervenantExterieur, MesureProtection
from dui.usagers.synthese import build_synthese
from dui.usagers.tests.factories_entourage import DroitFactory, IntervenantFactory, ProcheFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)
MATRICULE = "255087512345687"


@pytest.fixture
def chef(etab):
    return make_pro(etab, "chef_service")


def test_social_reader_gets_benefits_and_their_alerts(usager, chef):
    DroitFactory(usager=usager, date_fin=TODAY + datetime.timedelta(days=10))
    s = build_synthese(chef, usager, today=TODAY)
    assert s.shows_social and len(s.droits) == 1
    assert any("dans 10 jours" in a for a in s.alertes)


def test_soignant_gets_no_social_data(usager, collegue, login):
    DroitFactory(usager=usager, date_fin=TODAY + datetime.timedelta(days=10))
    s = build_synthese(collegue, usager, today=TODAY)
    assert s.droits is None
    assert not any("APA" in a for a in s.alertes)
    content = login(collegue).get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert "Droits et prestations" not in content
    assert "Allocation personnalisée" not in content


def test_synthesis_gathers_entourage_team_and_medecin_traitant(usager, referent):
    confiance = ProcheFactory(usager=usager, is_personne_confiance=True)
    ProcheFactory(usager=usager, actif=False, is_aidant=True)
    medecin = IntervenantFactory(usager=usager, type=IntervenantExterieur.Type.MEDECIN_TRAITANT)
    s = build_synthese(referent, usager, today=TODAY)
    assert s.personne_confiance.proche == confiance
    assert len(s.proches) == 1
    assert s.medecin_traitant == medecin
    assert [(m.user, m.is_referent) for m in s.equipe] == [(referent, True)]
    assert [p.etablissement for p in s.sejours] == [usager.prises_en_charge.get().etablissement]


def test_expired_measure_and_identity_attributes_are_alerts(usager, referent):
    usager.identite_douteuse = True
    usager.homonyme = True
    usager.save()
    ProcheFactory(
        usager=usager,
        is_representant_legal=True,
        mesure_protection=MesureProtection.CURATELLE,
        mesure_fin=TODAY - datetime.timedelta(days=3),
    )
    alertes = " ".join(build_synthese(referent, usager, today=TODAY).alertes)
    assert "Identité douteuse" in alertes
    assert "Homonyme" in alertes
    assert "Mesure de protection échue le 07/03/2025" in alertes


def _qualify(usager, statut):
    usager.statut_identite = statut
    usager.matricule_ins = MATRICULE
    usager.oid_ins = OID_INS_NIR
    usager.save()


def test_matricule_is_shown_for_a_qualified_identity(usager, referent):
    _qualify(usager, StatutIdentite.QUALIFIEE)
    assert build_synthese(referent, usager).ins.matricule == MATRICULE


def test_matricule_is_hidden_unless_qualified(usager, referent, login):
    _qualify(usager, StatutIdentite.RECUPEREE)
    assert build_synthese(referent, usager).ins is None
    content = login(referent).get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert MATRICULE not in content


def _queries(user, usager) -> int:
    from dui.comptes import policy

    policy.forget(user)
    if hasattr(user, "_dui_usager_etabs"):
        del user._dui_usager_etabs
    with CaptureQueriesContext(connection) as ctx:
        build_synthese(user, usager, today=TODAY)
    return len(ctx)


def test_query_count_does_not_grow_with_the_record(usager, chef):
    ProcheFactory(usager=usager)
    DroitFactory(usager=usager)
    IntervenantFactory(usager=usager)
    few = _queries(chef, usager)
    for _ in range(5):
        ProcheFactory(usager=usager, is_aidant=True)
        DroitFactory(usager=usager)
        IntervenantFactory(usager=usager)
    assert _queries(chef, usager) == few


def test_pdf_is_a_pdf_attachment_without_personal_data_in_its_name(usager, referent, login):
    ProcheFactory(usager=usager, is_personne_confiance=True)
    response = login(referent).get(reverse("usagers:synthese_pdf", args=[usager.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and len(response.content) > 1000
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"synthese-{usager.pk}-" in disposition
    assert usager.nom_naissance.split()[0].lower() not in disposition.lower()


def test_pdf_generation_is_journaled_as_a_print(usager, referent, login):
    login(referent).get(reverse("usagers:synthese_pdf", args=[usager.pk]))
    entry = Entree.objects.get(action=AuditAction.PRINT)
    assert entry.usager_id == usager.pk and entry.actor_id == referent.pk
    assert entry.details["document"] == "fiche_synthese"


def test_out_of_scope_synthesis_and_pdf_are_404_and_not_journaled(usager, autre_etab_pro, login):
    client = login(autre_etab_pro)
    assert client.get(reverse("usagers:detail", args=[usager.pk])).status_code == 404
    assert client.get(reverse("usagers:synthese_pdf", args=[usager.pk])).status_code == 404
    assert not Entree.objects.filter(action=AuditAction.PRINT).exists()
