"""The DLU never contradicts the record: allergies and current treatments are read from the
care file and the prescriptions (read-only in the draft, re-read by "actualiser" and at
validation); rows typed by hand in older drafts are kept, flagged "à reporter"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.dlu import forms, queries, schema, services
from dui.dlu.models import DLU, StatutDLU
from dui.soins import services as soins

pytestmark = pytest.mark.django_db


@pytest.fixture
def medecin(etab):
    return make_pro(etab, "medecin", prenom="Marie", nom="Médecin")


def _allergie(user, usager, substance="Pénicilline"):
    return soins.allergie_add(
        actor=user,
        usager=usager,
        substance=substance,
        type="allergie",
        severite="moderee",
        certitude="confirmee",
        reaction="Urticaire",
    )


def _substances(donnees):
    return [a["substance"] for a in donnees["allergies"]["liste"]]


def test_care_file_allergy_reaches_draft_and_validated_version(login, medecin, usager):
    client = login(medecin)
    client.post(reverse("dlu:demarrer", args=[usager.pk]))
    dlu = queries.brouillon(usager)
    assert _substances(dlu.donnees) == []
    page = client.get(reverse("dlu:modifier", args=[usager.pk])).content.decode()
    # Read-only, with the way to the place where it is edited.
    assert 'name="allergies-liste-0-substance"' not in page
    assert 'name="traitements-liste-0-medicament"' not in page
    assert reverse("soins:dossier", args=[usager.pk]) in page
    assert reverse("soins:traitements", args=[usager.pk]) in page

    _allergie(medecin, usager)
    client.post(reverse("dlu:actualiser", args=[usager.pk]), {"version": dlu.version})
    dlu.refresh_from_db()
    assert _substances(dlu.donnees) == ["Pénicilline"]
    assert "Pénicilline" in client.get(reverse("dlu:modifier", args=[usager.pk])).content.decode()

    client.post(reverse("dlu:valider", args=[usager.pk]), {"version": dlu.version})
    dlu.refresh_from_db()
    assert dlu.statut == StatutDLU.VALIDE and _substances(dlu.donnees) == ["Pénicilline"]
    version = client.get(reverse("dlu:version", args=[usager.pk, dlu.numero])).content.decode()
    assert "Pénicilline" in version and "Allergies non renseignées" not in version


def test_draft_form_refuses_allergy_and_treatment_edits(login, medecin, usager):
    _allergie(medecin, usager, "Iode")
    dlu = services.demarrer(actor=medecin, usager=usager)
    before = dict(dlu.donnees)
    response = login(medecin).post(
        reverse("dlu:modifier", args=[usager.pk]),
        {
            "version": dlu.version,
            "allergies-liste-0-substance": "Pénicilline",
            "allergies-liste-0-severite": "severe",
            "traitements-liste-0-medicament": "Warfarine",
            "commentaires-texte": "Saisi en même temps",
        },
    )
    assert response.status_code == 400
    assert "ne se modifient pas dans le DLU" in response.content.decode()
    dlu.refresh_from_db()
    assert dlu.donnees == before and dlu.version == 1
    assert not Entree.objects.filter(
        object_type="dlu.dlu", object_id=str(dlu.pk), action=AuditAction.UPDATE
    ).exists()


def test_save_service_keeps_record_owned_fields(medecin, usager):
    _allergie(medecin, usager, "Iode")
    dlu = services.demarrer(actor=medecin, usager=usager)
    d = dict(dlu.donnees)
    d["allergies"] = {"aucune_connue": "oui", "liste": []}
    d["traitements"] = {**d["traitements"], "liste": [{"medicament": "X"}], "anticoagulant": "AVK"}
    dlu = services.enregistrer(actor=medecin, dlu=dlu, donnees=d, expected_version=dlu.version)
    assert (
        _substances(dlu.donnees) == ["Iode"] and dlu.donnees["allergies"]["aucune_connue"] == "non"
    )
    assert dlu.donnees["traitements"]["liste"] == []
    assert dlu.donnees["traitements"]["anticoagulant"] == "AVK"  # not held by the record


def test_validation_takes_the_records_current_allergies(medecin, usager):
    retiree = _allergie(medecin, usager, "Latex")
    dlu = services.demarrer(actor=medecin, usager=usager)
    assert _substances(dlu.donnees) == ["Latex"]
    # The record changes after the draft was last refreshed.
    _allergie(medecin, usager, "Pénicilline")
    soins.allergie_deactivate(actor=medecin, allergie=retiree, motif="Erreur de saisie")
    dlu = services.valider(actor=medecin, dlu=dlu, expected_version=dlu.version)
    dlu.refresh_from_db()
    assert _substances(dlu.donnees) == ["Pénicilline"]
    assert dlu.donnees["_source"]["allergies"] == "Dossier de soins"
    entry = Entree.objects.filter(
        object_type="dlu.dlu", object_id=str(dlu.pk), action=AuditAction.UPDATE
    ).latest("seq")
    assert entry.details["statut"] == StatutDLU.VALIDE
    assert entry.details["sections"] == ["allergies"]


def _brouillon_ancien(medecin, usager, allergies):
    """A draft saved before allergies became record-owned: rows typed in the DLU."""
    dlu = services.demarrer(actor=medecin, usager=usager)
    donnees = dict(dlu.donnees)
    donnees["allergies"] = {"aucune_connue": "", "liste": allergies}
    DLU.objects.filter(pk=dlu.pk).update(donnees=donnees)
    dlu.refresh_from_db()
    return dlu


def test_hand_typed_rows_are_kept_flagged_until_reported(login, medecin, usager):
    penicilline = {"substance": "Pénicilline", "reaction": "", "severite": "moderee"}
    dlu = _brouillon_ancien(medecin, usager, [penicilline])
    dlu = services.actualiser(actor=medecin, dlu=dlu, expected_version=dlu.version)
    assert _substances(dlu.donnees) == []
    assert dlu.donnees[schema.A_REPORTER] == {"allergies": [penicilline]}
    client = login(medecin)
    page = client.get(reverse("dlu:modifier", args=[usager.pk])).content.decode()
    assert "à reporter dans le dossier de soins" in page and "Pénicilline" in page

    # Validated as is: the frozen version still shows it, flagged.
    dlu = services.valider(actor=medecin, dlu=dlu, expected_version=dlu.version)
    version = client.get(reverse("dlu:version", args=[usager.pk, dlu.numero])).content.decode()
    assert "à reporter dans le dossier de soins" in version and "Pénicilline" in version

    # Reported in the care file: the next version has it from the record, no flag.
    _allergie(medecin, usager, "pénicilline")
    v2 = services.demarrer(actor=medecin, usager=usager)
    assert _substances(v2.donnees) == ["pénicilline"] and schema.A_REPORTER not in v2.donnees
    page = client.get(reverse("dlu:modifier", args=[usager.pk])).content.decode()
    assert "à reporter" not in page


def test_record_rows_withdrawn_in_the_record_are_not_flagged(medecin, usager):
    latex = _allergie(medecin, usager, "Latex")
    dlu = services.demarrer(actor=medecin, usager=usager)
    soins.allergie_deactivate(actor=medecin, allergie=latex, motif="Écartée")
    dlu = services.actualiser(actor=medecin, dlu=dlu, expected_version=dlu.version)
    assert _substances(dlu.donnees) == [] and schema.A_REPORTER not in dlu.donnees


def test_validated_version_has_no_empty_box(login, medecin, usager):
    dlu = _brouillon_ancien(
        medecin, usager, [{"substance": "Iode", "reaction": "", "severite": ""}]
    )
    d = dict(dlu.donnees)
    d["pathologies"] = {"liste": [{"libelle": "Diabète", "commentaire": ""}]}
    dlu = services.enregistrer(actor=medecin, dlu=dlu, donnees=d, expected_version=dlu.version)
    _allergie(medecin, usager, "Iode")
    dlu = services.valider(actor=medecin, dlu=dlu, expected_version=dlu.version)
    body = login(medecin).get(reverse("dlu:version", args=[usager.pk, dlu.numero])).content
    html = body.decode()
    assert "Diabète" in html and "Iode" in html
    assert not re.search(r"<dl[^>]*>\s*</dl>", html)
    sections = {s["code"]: s for s in forms.affichage(dlu.donnees, dlu.variante)}
    assert sections["pathologies"]["faits"] is False
