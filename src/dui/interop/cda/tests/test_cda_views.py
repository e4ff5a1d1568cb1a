"""The "Générer un document" page: offered kinds, generation into the documents, French
errors with nothing stored, journal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.accompagnement.tests.factories import make_evaluation
from dui.audit.models import Entree
from dui.documents.models import Document
from dui.interop.cda.header import lire_entete

pytestmark = pytest.mark.django_db


@pytest.fixture
def medecin(etab, usager):
    from dui.usagers.tests.factories import MembreEquipeFactory

    user = make_pro(etab, "medecin", prenom="Marc", nom="Médecin")
    MembreEquipeFactory(usager=usager, user=user, etablissement=etab)
    return user


def _url(usager):
    return reverse("cda:generer", args=[usager.pk])


def test_the_page_offers_the_kinds_the_user_may_write(login, medecin, usager):
    response = login(medecin).get(_url(usager))
    assert response.status_code == 200
    kinds = [value for value, _ in response.context["form"].fields["kind"].choices]
    assert kinds == ["lettre_entree", "lettre_sortie", "evaluation", "dlu", "fiche_transfert"]
    assert Entree.objects.filter(usager_id=usager.pk, action="read").exists()


def test_an_entry_letter_is_generated_and_stored(login, medecin, usager, prise_en_charge):
    response = login(medecin).post(
        _url(usager),
        {"kind": "lettre_entree", "texte": "Arrive avec son fauteuil.", "confidentialite": "N"},
    )
    document = Document.objects.get(usager=usager)
    assert response.status_code == 302
    assert response.url == reverse("documents:detail", args=[usager.pk, document.pk])
    assert document.type_code == "88348-8"
    assert document.origine == "genere"
    version = document.versions.get()
    assert version.contenu().startswith(b"%PDF-")
    assert lire_entete(version.cda_bytes())["auteur"]["nom"] == medecin.nom


def test_a_signed_evaluation_is_generated(login, medecin, referent, usager):
    evaluation = make_evaluation(usager, referent, signed=True)
    response = login(medecin).post(
        _url(usager), {"kind": "evaluation", "evaluation": evaluation.pk, "confidentialite": "R"}
    )
    assert response.status_code == 302
    document = Document.objects.get(usager=usager)
    assert (document.type_code, document.confidentialite) == ("34842-5", "R")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "lettre_sortie"}, "sortie n'est pas encore enregistrée"),
        ({"kind": "dlu"}, "pas de DLU validé"),
        ({"kind": "evaluation"}, "Choisissez l'évaluation signée"),
        ({"kind": "inconnu"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_requests_say_why_and_store_nothing(login, medecin, usager, data, message):
    response = login(medecin).post(_url(usager), {"confidentialite": "N", **data})
    assert response.status_code == 200
    errors = [e for errs in response.context["form"].errors.values() for e in errs]
    assert any(message in e for e in errors), errors
    assert not Document.objects.exists()


def test_a_role_without_medical_or_soins_write_gets_404(login, etab, usager):
    educatrice = make_pro(etab, "educatif", prenom="Eva", nom="Éducatrice")
    assert login(educatrice).get(_url(usager)).status_code == 404
    assert login(educatrice).post(_url(usager), {"kind": "lettre_entree"}).status_code == 404
    assert not Document.objects.exists()


def test_an_archived_record_cannot_get_new_documents(login, medecin, usager):
    from django.utils import timezone

    usager.archive_le = timezone.now()
    usager.save()
    assert login(medecin).get(_url(usager)).status_code == 404


def test_a_kind_may_be_preselected_but_only_among_the_offered_ones(login, medecin, usager):
    client = login(medecin)
    assert client.get(_url(usager) + "?kind=dlu").context["form"]["kind"].value() == "dlu"
    assert client.get(_url(usager) + "?kind=inconnu").context["form"]["kind"].value() is None
    assert client.get(_url(usager)).context["form"]["kind"].value() is None
