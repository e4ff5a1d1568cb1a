"""DLU views: the tab, the draft form (bad input, stale save), validation, prints (page
count, journal), the yearly review list and home block, and category protection."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.dlu import pdf, queries, services
from dui.dlu.models import DLU, StatutDLU
from dui.dlu.tests.dossier import completer_a_la_main, dossier_complet

pytestmark = pytest.mark.django_db


@pytest.fixture
def medecin(etab):
    return make_pro(etab, "medecin", prenom="Marie", nom="Médecin")


def _valide(usager, user, lourd=False):
    dlu = services.demarrer(actor=user, usager=usager)
    dlu = services.enregistrer(
        actor=user,
        dlu=dlu,
        donnees=completer_a_la_main(dlu.donnees, lourd=lourd),
        expected_version=dlu.version,
    )
    return services.valider(actor=user, dlu=dlu, expected_version=dlu.version)


def test_tab_shows_current_dlu_and_journals_read(login, medecin, usager):
    dossier_complet(usager, medecin)
    dlu = _valide(usager, medecin)
    client = login(medecin)
    response = client.get(reverse("dlu:dlu", args=[usager.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pénicilline" in body and "Classeur infirmier" in body
    assert reverse("dlu:pdf", args=[usager.pk, dlu.numero]) in body
    assert Entree.objects.filter(
        action=AuditAction.READ, usager_id=usager.pk, details__onglet="dlu:dlu"
    ).exists()
    # One click from the person's page.
    synthese = client.get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert reverse("dlu:dlu", args=[usager.pk]) in synthese


def test_prepare_edit_validate_through_views(login, medecin, usager):
    client = login(medecin)
    response = client.post(reverse("dlu:demarrer", args=[usager.pk]))
    assert response.url == reverse("dlu:modifier", args=[usager.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and 'name="directives_anticipees-lieu"' in page.content.decode()
    dlu = queries.brouillon(usager)
    response = client.post(
        reverse("dlu:modifier", args=[usager.pk]),
        {
            "version": dlu.version,
            "directives_anticipees-redigees": "oui",
            "directives_anticipees-lieu": "Bureau infirmier",
            "pathologies-liste-0-libelle": "Insuffisance cardiaque",
            "identite-nom_naissance": usager.nom_naissance,
        },
    )
    assert response.status_code == 302
    dlu.refresh_from_db()
    assert dlu.donnees["directives_anticipees"]["lieu"] == "Bureau infirmier"
    assert dlu.donnees["pathologies"]["liste"] == [
        {"libelle": "Insuffisance cardiaque", "commentaire": ""}
    ]
    response = client.post(reverse("dlu:valider", args=[usager.pk]), {"version": dlu.version})
    assert response.status_code == 302
    dlu.refresh_from_db()
    assert dlu.statut == StatutDLU.VALIDE


def test_bad_input_changes_nothing(login, referent, usager):
    dlu = services.demarrer(actor=referent, usager=usager)
    before = dict(dlu.donnees)
    response = login(referent).post(
        reverse("dlu:modifier", args=[usager.pk]),
        {
            "version": dlu.version,
            "identite-date_naissance": "32/13/1940",
            "commentaires-texte": "Ne doit pas être enregistré",
        },
    )
    assert response.status_code == 400
    assert "date invalide" in response.content.decode()
    dlu.refresh_from_db()
    assert dlu.donnees == before and dlu.version == 1


def test_stale_form_refused_with_message(login, referent, collegue, usager):
    dlu = services.demarrer(actor=referent, usager=usager)
    services.enregistrer(
        actor=referent,
        dlu=dlu,
        donnees={"commentaires": {"texte": "Premier"}},
        expected_version=dlu.version,
    )
    response = login(collegue).post(
        reverse("dlu:modifier", args=[usager.pk]),
        {"version": 1, "commentaires-texte": "Second"},
    )
    assert response.status_code == 400
    assert "pendant votre saisie" in response.content.decode()
    dlu.refresh_from_db()
    assert dlu.donnees["commentaires"]["texte"] == "Premier"


def test_heavy_record_pdf_fits_two_pages_and_print_is_journaled(login, medecin, usager):
    dossier_complet(usager, medecin, lourd=True)
    dlu = _valide(usager, medecin, lourd=True)
    assert len(dlu.donnees["traitements"]["liste"]) >= 18
    assert 1 <= len(pdf.render_dlu(dlu).pages) <= 2
    response = login(medecin).get(reverse("dlu:pdf", args=[usager.pk, dlu.numero]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    # The bytes rendered at validation are served: exactly what was validated.
    with dlu.pdf.open("rb") as stored:
        assert content == stored.read()
    entry = Entree.objects.get(action=AuditAction.PRINT, usager_id=usager.pk)
    assert entry.details == {"document": "dlu", "numero": dlu.numero, "statut": "valide"}


def test_fiche_transfert(login, medecin, collegue, usager):
    dossier_complet(usager, medecin)
    client = login(collegue)  # the night aide-soignant calls the SAMU
    page = client.get(reverse("dlu:transfert", args=[usager.pk]))
    assert page.status_code == 200 and "Aucun DLU validé" in page.content.decode()
    response = client.post(reverse("dlu:transfert", args=[usager.pk]), {"motif": "Chute, plaie"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = Entree.objects.get(action=AuditAction.PRINT, usager_id=usager.pk)
    assert entry.details == {"document": "fiche_transfert", "dlu": None}
    assert entry.actor_id == collegue.pk
    document = pdf.render_fiche_transfert(usager, collegue, motif="Chute")
    assert 2 <= len(document.pages) <= 3  # transfer page + the DLU
    too_long = client.post(reverse("dlu:transfert", args=[usager.pk]), {"motif": "x" * 501})
    assert too_long.status_code == 400
    assert Entree.objects.filter(action=AuditAction.PRINT).count() == 1


def test_review_list_and_home_block(login, medecin, usager, etab):
    client = login(medecin)
    response = client.get(reverse("dlu:revue"))
    assert response.status_code == 200
    assert reverse("dlu:dlu", args=[usager.pk]) in response.content.decode()
    home = client.get(reverse("ui:home")).content.decode()
    assert "DLU à revoir" in home
    dlu = _valide(usager, medecin)
    response = client.get(reverse("dlu:revue"))
    assert reverse("dlu:dlu", args=[usager.pk]) not in response.content.decode()
    DLU.objects.filter(pk=dlu.pk).update(
        valide_le=timezone.now() - datetime.timedelta(days=services.REVUE_JOURS + 1)
    )
    tab = client.get(reverse("dlu:dlu", args=[usager.pk])).content.decode()
    assert "il doit être revu" in tab


@pytest.mark.parametrize("role", ["educatif", "accueil", "dpo"])
def test_roles_without_soins_read_get_404_everywhere(login, medecin, etab, usager, role):
    dlu = _valide(usager, medecin)
    client = login(make_pro(etab, role))
    for name, args in (
        ("dlu:dlu", [usager.pk]),
        ("dlu:version", [usager.pk, dlu.numero]),
        ("dlu:pdf", [usager.pk, dlu.numero]),
        ("dlu:transfert", [usager.pk]),
        ("dlu:modifier", [usager.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("dlu:demarrer", args=[usager.pk])).status_code == 404
    assert client.post(reverse("dlu:valider", args=[usager.pk]), {"version": 1}).status_code == 404
    assert client.get(reverse("dlu:revue")).status_code == 404
    page = client.get(reverse("usagers:detail", args=[usager.pk])).content.decode()
    assert reverse("dlu:dlu", args=[usager.pk]) not in page
    assert not Entree.objects.filter(action=AuditAction.PRINT).exists()
    assert DLU.objects.count() == 1


def test_direction_reads_but_does_not_print(login, medecin, etab, usager):
    dlu = _valide(usager, medecin)
    client = login(make_pro(etab, "direction"))
    assert client.get(reverse("dlu:dlu", args=[usager.pk])).status_code == 200
    assert client.get(reverse("dlu:pdf", args=[usager.pk, dlu.numero])).status_code == 404
    assert client.post(reverse("dlu:transfert", args=[usager.pk])).status_code == 404


def test_other_etablissement_gets_404(login, autre_etab_pro, medecin, usager):
    dlu = _valide(usager, medecin)
    client = login(autre_etab_pro)
    assert client.get(reverse("dlu:dlu", args=[usager.pk])).status_code == 404
    assert client.get(reverse("dlu:pdf", args=[usager.pk, dlu.numero])).status_code == 404


def test_draft_prints_rendered_now_and_marked(login, referent, usager):
    dlu = services.demarrer(actor=referent, usager=usager)
    assert not dlu.pdf
    response = login(referent).get(reverse("dlu:pdf", args=[usager.pk, dlu.numero]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(box.text for page in pdf.render_dlu(dlu).pages for box in _texts(page._page_box))
    assert "Brouillon non validé" in text


def _texts(box):
    if getattr(box, "text", None):
        yield box
    for child in getattr(box, "children", []):
        yield from _texts(child)


def test_validated_dlu_links_to_its_document_generation(login, medecin, etab, usager):
    client = login(medecin)
    link = reverse("cda:generer", args=[usager.pk]) + "?kind=dlu"
    assert link not in client.get(reverse("dlu:dlu", args=[usager.pk])).content.decode()
    dossier_complet(usager, medecin)
    _valide(usager, medecin)
    body = client.get(reverse("dlu:dlu", args=[usager.pk])).content.decode()
    assert "Générer le document DLU (PDF + CDA) pour l'envoyer au DMP" in body
    assert link in body
    # The linked page opens with the DLU preselected.
    form = client.get(link).context["form"]
    assert form["kind"].value() == "dlu"
    # A role that may read the tab but not write the DLU's document category sees no link.
    direction = make_pro(etab, "direction", prenom="Dora", nom="Direction")
    assert link not in login(direction).get(reverse("dlu:dlu", args=[usager.pk])).content.decode()
