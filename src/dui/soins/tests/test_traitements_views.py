"""Traitements tab and prescription views: who reads, who writes, bad input changes nothing,
the prescription document served only through the policy and journaled, no soins data
for non-health roles (tab, person's page, list search)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.soins import traitements
from dui.soins.models import LigneAutre, LigneMedicament, Prescription
from dui.soins.traitements import AutreSaisie, LigneSaisie

pytestmark = pytest.mark.django_db


def _prescription(actor, usager, document=None):
    return traitements.prescription_create(
        actor=actor,
        usager=usager,
        date_prescription=timezone.localdate(),
        prescripteur_nom="Dr Martin",
        lignes=[
            LigneSaisie(
                medicament="Zopiclone",
                dosage="7,5 mg",
                prises=[{"moment": "coucher", "quantite": "1"}],
                debut=timezone.localdate(),
            )
        ],
        autres=[AutreSaisie(type="regime", libelle="Régime sans sel", debut=timezone.localdate())],
        document=document,
    )


def _urls(usager, p):
    u = usager.pk
    ligne = p.lignes.get()
    autre = p.lignes_autres.get()
    return [
        reverse("soins:traitements", args=[u]),
        reverse("soins:prescription_ajouter", args=[u]),
        reverse("soins:ligne_arreter", args=[u, ligne.pk]),
        reverse("soins:ligne_modifier", args=[u, ligne.pk]),
        reverse("soins:autre_arreter", args=[u, autre.pk]),
        reverse("soins:ordonnance", args=[u, p.pk]),
    ]


def _pdf():
    return SimpleUploadedFile("ordo.pdf", b"%PDF-1.4 ordonnance", content_type="application/pdf")


@pytest.mark.parametrize("role", ["accueil", "educatif", "dpo"])
@pytest.mark.parametrize("index", range(6))
def test_non_health_roles_get_404_on_every_url(etab, usager, referent, login, role, index):
    p = _prescription(referent, usager, document=_pdf())
    url = _urls(usager, p)[index]
    client = login(make_pro(etab, role))
    assert client.get(url).status_code == 404
    assert client.post(url, {"motif": "x"}).status_code in (404, 405)
    assert LigneMedicament.objects.filter(arret_le__isnull=True).count() == 1
    assert Prescription.objects.count() == 1


@pytest.mark.parametrize("index", range(6))
def test_other_etablissement_gets_404(usager, referent, autre_etab_pro, login, index):
    p = _prescription(referent, usager, document=_pdf())
    assert login(autre_etab_pro).get(_urls(usager, p)[index]).status_code == 404


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_aide_soignant_reads_but_cannot_write(usager, referent, collegue, login, index):
    p = _prescription(referent, usager)
    client = login(collegue)
    html = client.get(reverse("soins:traitements", args=[usager.pk])).content.decode()
    assert "Zopiclone" in html and "Saisir une prescription" not in html
    url = _urls(usager, p)[index]
    assert client.post(url, {"motif": "x"}).status_code == 404
    assert LigneMedicament.objects.filter(arret_le__isnull=True).count() == 1


def test_no_soins_data_on_person_page_or_list_for_non_health_roles(etab, usager, referent, login):
    _prescription(referent, usager)
    client = login(make_pro(etab, "educatif"))
    detail = client.get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    listing = client.get(reverse("usagers:list"), {"q": usager.nom_naissance}).content.decode()
    for html in (detail, listing):
        assert "Zopiclone" not in html and "Régime sans sel" not in html
        assert reverse("soins:traitements", args=[usager.pk]) not in html


def test_nurse_enters_a_prescription_with_document(usager, referent, login):
    client = login(referent)
    url = reverse("soins:prescription_ajouter", args=[usager.pk])
    assert client.get(url).status_code == 200
    data = {
        "date_prescription": timezone.localdate().isoformat(),
        "prescripteur_nom": "Dr Martin",
        "prescripteur_rpps": "10001234567",
        "ligne-TOTAL_FORMS": "3",
        "ligne-INITIAL_FORMS": "0",
        "ligne-0-medicament": "Metformine",
        "ligne-0-dosage": "500 mg",
        "ligne-0-voie": "orale",
        "ligne-0-unite_prise": "cp",
        "ligne-0-q_matin": "1",
        "ligne-0-q_soir": "1",
        "ligne-1-medicament": "Paracétamol",
        "ligne-1-voie": "orale",
        "ligne-1-unite_prise": "cp",
        "ligne-1-si_besoin": "on",
        "ligne-1-condition": "douleur",
        "ligne-1-quantite_si_besoin": "1",
        "ligne-1-max_par_jour": "3",
        "ligne-2-voie": "orale",
        "ligne-2-unite_prise": "cp",
        "autre-TOTAL_FORMS": "2",
        "autre-INITIAL_FORMS": "0",
        "autre-0-type": "kine",
        "autre-0-libelle": "Rééducation à la marche",
        "autre-0-frequence": "2 fois par semaine",
        "document": _pdf(),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    p = Prescription.objects.get()
    assert [lg.medicament for lg in p.lignes.order_by("medicament")] == [
        "Metformine",
        "Paracétamol",
    ]
    assert LigneAutre.objects.get().libelle == "Rééducation à la marche"
    html = client.get(reverse("soins:traitements", args=[usager.pk])).content.decode()
    assert "1 cp matin et soir" in html and "si besoin (douleur)" in html
    assert "Rééducation à la marche" in html and "Dr Martin (RPPS 10001234567)" in html
    # The document comes through the policy-checked view, and the read is journaled.
    doc = client.get(reverse("soins:ordonnance", args=[usager.pk, p.pk]))
    assert doc.status_code == 200 and b"".join(doc.streaming_content).startswith(b"%PDF")
    assert doc["Content-Type"] == "application/pdf"
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.usager_id, entry.object_type) == (
        "read",
        usager.pk,
        "soins.prescription",
    )


def test_bad_prescription_form_saves_nothing(usager, referent, login):
    client = login(referent)
    data = {
        "date_prescription": timezone.localdate().isoformat(),
        "prescripteur_nom": "Dr Martin",
        "ligne-TOTAL_FORMS": "1",
        "ligne-INITIAL_FORMS": "0",
        "ligne-0-medicament": "Metformine",
        "ligne-0-voie": "orale",
        "ligne-0-unite_prise": "cp",
        "ligne-0-heures": "8h=1",
        "autre-TOTAL_FORMS": "0",
        "autre-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("soins:prescription_ajouter", args=[usager.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "rien n" in html and "a été enregistré" in html
    assert "Heure de prise invalide" in html
    assert not Prescription.objects.exists()


def test_stop_and_change_through_views_keep_history(usager, referent, login):
    p = _prescription(referent, usager)
    ligne = p.lignes.get()
    client = login(referent)
    response = client.post(
        reverse("soins:ligne_modifier", args=[usager.pk, ligne.pk]),
        {
            "m-motif": "Insomnie persistante",
            "medicament": "Zopiclone",
            "dosage": "3,75 mg",
            "voie": "orale",
            "unite_prise": "cp",
            "q_coucher": "1",
            "debut": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    new = LigneMedicament.objects.get(remplace=ligne)
    assert new.dosage == "3,75 mg"
    html = client.get(reverse("soins:traitements", args=[usager.pk])).content.decode()
    assert "Insomnie persistante" in html and "modifiée" in html
    response = client.post(
        reverse("soins:ligne_arreter", args=[usager.pk, new.pk]), {"motif": "  "}
    )
    assert response.status_code == 200
    new.refresh_from_db()
    assert new.arret_le is None
    client.post(reverse("soins:ligne_arreter", args=[usager.pk, new.pk]), {"motif": "Arrêt"})
    new.refresh_from_db()
    assert new.arret_le is not None and LigneMedicament.objects.count() == 2
