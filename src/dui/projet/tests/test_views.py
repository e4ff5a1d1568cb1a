"""Projet personnalisé screens: tab, section forms and the stale-save diff, signature, PDF,
comparison, due list, home block, and who may see what."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.projet import services
from dui.projet.models import Etape, ProjetPersonnalise, VersionProjet
from dui.projet.pdf import person_view, projet_pdf
from dui.projet.tests.factories import (
    OBJECTIF,
    avancer,
    avec_objectif,
    projet_ouvert,
    projet_signe,
)
from dui.usagers.models import Proche

pytestmark = pytest.mark.django_db


def _formset(prefix, items, extra=0, initial=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items) + extra),
        f"{prefix}-INITIAL_FORMS": str(len(items) if initial is None else initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def test_the_tab_opens_a_project_and_journals_the_read(usager, referent, login):
    client = login(referent)
    url = reverse("projet:projet", args=[usager.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Ouvrir le projet personnalisé" in response.content.decode()
    assert Entree.objects.filter(
        action=AuditAction.READ, usager_id=usager.pk, details__onglet="projet:projet"
    ).exists()
    response = client.post(reverse("projet:ouvrir", args=[usager.pk]))
    assert response.status_code == 302
    projet = ProjetPersonnalise.objects.get(usager=usager)
    page = client.get(url).content.decode()
    assert "Recueil des attentes, besoins et habitudes" in page
    assert "Passer à l&#x27;analyse en équipe" in page
    assert projet.echeance.strftime("%d/%m/%Y") in page


def test_a_section_is_saved_through_its_form(usager, referent, login):
    client = login(referent)
    projet = projet_ouvert(referent, usager)
    url = reverse("projet:section", args=[usager.pk, projet.pk, "attentes"])
    assert client.get(url).status_code == 200
    data = {
        "version": projet.version,
        **_formset(
            "attentes",
            [{"formulation_personne": "Aller au marché", "exprimee_par": "personne"}],
            initial=0,
        ),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    projet.refresh_from_db()
    assert projet.contenu["attentes"] == [
        {"formulation_personne": "Aller au marché", "exprimee_par": "personne", "reformulation": ""}
    ]


def test_a_bad_section_shows_a_french_error_and_saves_nothing(usager, referent, login):
    client = login(referent)
    projet = projet_ouvert(referent, usager)
    url = reverse("projet:section", args=[usager.pk, projet.pk, "objectifs"])
    item = {**OBJECTIF, "formulation_professionnelle": ""}
    response = client.post(url, {"version": 1, **_formset("objectifs", [item], initial=0)})
    assert response.status_code == 200
    assert "« Formulation professionnelle » est obligatoire" in response.content.decode()
    projet.refresh_from_db()
    assert projet.version == 1 and projet.contenu["objectifs"] == []


def test_two_people_editing_the_second_save_shows_what_changed(usager, referent, etab, login):
    educ = make_pro(etab, "educatif", prenom="Éva", nom="Éduc")
    projet = projet_ouvert(referent, usager)
    url = reverse("projet:section", args=[usager.pk, projet.pk, "recueil"])
    first, second = login(educ), login(referent)
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    r1 = first.post(url, {"version": 1, "recueil-paroles_personne": "Je veux rentrer chez moi"})
    assert r1.status_code == 302
    r2 = second.post(url, {"version": 1, "recueil-paroles_personne": "Je me plais ici"})
    page = r2.content.decode()
    assert r2.status_code == 200
    assert "modifié par Éva Éduc" in page and "rien n&#x27;a été enregistré" in page
    assert "Je veux rentrer chez moi" in page and "Je me plais ici" in page
    projet.refresh_from_db()
    assert projet.contenu["recueil"]["paroles_personne"] == "Je veux rentrer chez moi"
    # The redisplayed form carries the saved version: saving again is deliberate.
    assert 'name="version" value="2"' in page
    r3 = second.post(url, {"version": 2, "recueil-paroles_personne": "Je me plais ici"})
    assert r3.status_code == 302
    projet.refresh_from_db()
    assert projet.contenu["recueil"]["paroles_personne"] == "Je me plais ici"


def test_step_buttons_and_refused_steps(usager, referent, login):
    client = login(referent)
    projet = projet_ouvert(referent, usager)
    url = reverse("projet:etape", args=[usager.pk, projet.pk])
    response = client.post(url, {"version": 1, "vers": "mise_en_oeuvre"}, follow=True)
    assert "Passage impossible" in response.content.decode()
    client.post(url, {"version": 1, "vers": "analyse"})
    projet.refresh_from_db()
    assert projet.etape == Etape.ANALYSE


def test_signing_through_the_form_then_pdf_and_comparison(usager, referent, login):
    client = login(referent)
    projet = avancer(referent, projet_ouvert(referent, usager), "analyse", "co_construction")
    projet = avec_objectif(referent, projet)
    url = reverse("projet:signer", args=[usager.pk, projet.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": projet.version,
            "personne_qualite": "personne",
            "personne_signe_le": timezone.localdate().isoformat(),
            "personne_moyen": "manuscrite",
            "referent_moyen": "authentification",
        },
    )
    assert response.status_code == 302
    version = VersionProjet.objects.get(projet=projet)
    pdf = client.get(reverse("projet:version_pdf", args=[usager.pk, projet.pk, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    printed = Entree.objects.get(action=AuditAction.PRINT, object_id=str(version.pk))
    assert printed.details == {"document": "projet_personnalise", "numero": 1}
    # A revision, then the comparison of version 1 with the draft.
    projet.refresh_from_db()
    projet = avancer(referent, projet, "suivi")
    avec_objectif(referent, projet, indicateurs="Deux visites par mois")
    page = client.get(
        reverse("projet:comparer", args=[usager.pk, projet.pk]), {"a": "1", "b": "brouillon"}
    ).content.decode()
    assert "Une visite par mois" in page and "Deux visites par mois" in page
    shown = client.get(reverse("projet:version", args=[usager.pk, projet.pk, 1])).content
    assert "Une visite par mois" in shown.decode() and "Deux visites" not in shown.decode()


def test_only_the_referent_sees_the_signature_button(usager, referent, etab, login):
    projet = avancer(referent, projet_ouvert(referent, usager), "analyse", "co_construction")
    url = reverse("projet:detail", args=[usager.pk, projet.pk])
    assert "Signer le projet" in login(referent).get(url).content.decode()
    educ = make_pro(etab, "educatif")
    assert "Signer le projet</a>" not in login(educ).get(url).content.decode()


def test_the_pdf_speaks_to_the_person(usager, referent):
    projet, version = projet_signe(referent, usager)
    view = person_view(
        {
            **version.contenu,
            "actions": [
                {
                    "objectif": "1",
                    "libelle": "Appeler ma sœur",
                    "qui_type": "personne",
                    "statut": "a_faire",
                },
                {"objectif": "", "libelle": "Atelier mémoire", "qui_type": "professionnel"},
            ],
        }
    )
    assert view["objectifs"][0]["actions"][0]["qui"] == "moi"
    assert view["autres_actions"][0]["libelle"] == "Atelier mémoire"
    assert view["objectifs"][0]["domaine"] == "Relations, vie sociale et affective"
    assert person_view({"participants": [{"type": "personne", "libelle": "La personne"}]})["c"][
        "participants"
    ] == [{"type": "personne", "libelle": "Moi"}]
    assert projet_pdf(version).startswith(b"%PDF")


def test_closing_through_the_form(usager, referent, login):
    client = login(referent)
    projet = projet_ouvert(referent, usager)
    url = reverse("projet:cloturer", args=[usager.pk, projet.pk])
    bad = client.post(url, {"version": 1, "motif": "sortie", "date": "2999-01-01"})
    assert "futur" in bad.content.decode()
    response = client.post(
        url, {"version": 1, "motif": "transfert", "date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    projet.refresh_from_db()
    assert projet.etape == Etape.CLOTURE and projet.motif_cloture == "transfert"
    page = client.get(reverse("projet:projet", args=[usager.pk])).content.decode()
    assert "Projets clôturés" in page and "Ouvrir le projet personnalisé" in page


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("educatif", 200),
        ("soignant", 200),
        ("direction", 200),
        ("accueil", 404),
        ("dpo", 404),
        ("intervenant_domicile", 404),
    ],
)
def test_the_project_is_educational_data(role, status, usager, referent, etab, login):
    from dui.usagers.tests.factories import MembreEquipeFactory

    projet = projet_ouvert(referent, usager)
    user = make_pro(etab, role)
    MembreEquipeFactory(usager=usager, user=user, etablissement=etab)
    client = login(user)
    assert client.get(reverse("projet:projet", args=[usager.pk])).status_code == status
    assert client.get(reverse("projet:detail", args=[usager.pk, projet.pk])).status_code == status


def test_another_establishment_sees_nothing(usager, referent, autre_etab_pro, login):
    projet = projet_ouvert(referent, usager)
    client = login(autre_etab_pro)
    assert client.get(reverse("projet:detail", args=[usager.pk, projet.pk])).status_code == 404
    response = client.post(
        reverse("projet:etape", args=[usager.pk, projet.pk]), {"version": 1, "vers": "analyse"}
    )
    assert response.status_code == 404
    projet.refresh_from_db()
    assert projet.etape == Etape.RECUEIL


def test_direction_reads_but_cannot_change(usager, referent, etab, login):
    projet = projet_ouvert(referent, usager)
    client = login(make_pro(etab, "direction"))
    url = reverse("projet:section", args=[usager.pk, projet.pk, "recueil"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": 1, "recueil-paroles_personne": "x"}).status_code == 404
    projet.refresh_from_db()
    assert projet.version == 1


def test_the_tab_is_hidden_from_who_may_not_read_it(usager, etab, login):
    page = login(make_pro(etab, "accueil")).get(reverse("usagers:detail", args=[usager.pk]))
    assert reverse("projet:projet", args=[usager.pk]) not in page.content.decode()
    page = login(make_pro(etab, "educatif")).get(reverse("usagers:detail", args=[usager.pk]))
    assert reverse("projet:projet", args=[usager.pk]) in page.content.decode()


# --- Due list and home ---------------------------------------------------------------------


def test_due_list_for_coordinators_journaled(usager, etab, login):
    chef = make_pro(etab, "chef_service")
    response = login(chef).get(reverse("projet:echeances"))
    assert response.status_code == 200
    page = response.content.decode()
    assert usager.nom_naissance.upper() in page and "En retard" in page
    entry = Entree.objects.get(action=AuditAction.LIST, object_type="projet.projetpersonnalise")
    assert entry.details["usager_ids"] == [usager.pk]
    assert login(make_pro(etab, "accueil")).get(reverse("projet:echeances")).status_code == 404


def test_home_block_and_nav_for_coordinators(usager, etab, login):
    chef = make_pro(etab, "chef_service")
    page = login(chef).get(reverse("ui:home")).content.decode()
    assert "Projets personnalisés à échéance" in page
    assert reverse("projet:echeances") in page
    soignant = make_pro(etab, "soignant")
    page = login(soignant).get(reverse("ui:home")).content.decode()
    assert reverse("projet:echeances") not in page


def test_home_count_counts_due_projects(usager, etab, referent):
    from django.test import RequestFactory

    from dui.projet.home import bloc_projets

    request = RequestFactory().get("/")
    request.user = make_pro(etab, "chef_service")
    request.etablissement = etab
    assert bloc_projets(request).compte == 1  # admitted in 2024, no project yet
    projet_signe(referent, usager)
    assert bloc_projets(request).compte == 0
    Proche.objects.create(usager=usager, nom="x")  # unrelated change keeps the count
    assert services.projets_a_echeance_count(etab) == 0
    assert bloc_projets(request).compte == 0
    far = timezone.localdate() + datetime.timedelta(days=400)
    assert services.projets_a_echeance_count(etab, today=far) == 1


def test_due_list_queries_do_not_grow_with_the_number_of_persons(etab, referent, usager, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory

    client = login(make_pro(etab, "chef_service"))
    url = reverse("projet:echeances")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        stay = PriseEnChargeFactory(etablissement=etab, date_debut=datetime.date(2024, 3, 1))
        MembreEquipeFactory(usager=stay.usager, user=referent, etablissement=etab, is_referent=True)
        projet_ouvert(referent, stay.usager)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("Premier projet à signer") == 6
    assert len(many) == len(few)


def test_the_tab_reads_a_bounded_number_of_queries(
    usager, referent, login, django_assert_max_num_queries
):
    projet, _ = projet_signe(referent, usager)
    projet = avancer(referent, projet, "suivi")
    avec_objectif(referent, projet, indicateurs="Deux visites par mois")
    client = login(referent)
    url = reverse("projet:projet", args=[usager.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def test_a_signed_version_is_stored_in_the_documents(usager, referent, login):
    from dui.documents.models import Document

    client = login(referent)
    projet = avancer(referent, projet_ouvert(referent, usager), "analyse", "co_construction")
    projet = avec_objectif(referent, projet)
    data = {
        "personne_qualite": "personne",
        "personne_signe_le": timezone.localdate().isoformat(),
        "personne_moyen": "manuscrite",
        "referent_moyen": "authentification",
    }
    url = reverse("projet:signer", args=[usager.pk, projet.pk])
    client.post(url, {**data, "version": projet.version})
    document = Document.objects.get(usager=usager, type_code="80788-3")
    assert document.versions.count() == 1
    assert document.versions.get().fichier.read(5) == b"%PDF-"
    # The revision becomes the next version of the same document.
    projet.refresh_from_db()
    projet = avancer(referent, projet, "suivi")
    client.post(url, {**data, "version": projet.version})
    assert Document.objects.filter(usager=usager, type_code="80788-3").count() == 1
    assert document.versions.count() == 2


def test_due_list_is_paginated_and_journals_the_page_shown(etab, usager, login, monkeypatch):
    from dui.projet import views
    from dui.usagers.tests.factories import PriseEnChargeFactory

    monkeypatch.setattr(views, "PAR_PAGE", 1)
    other = PriseEnChargeFactory(etablissement=etab, date_debut=datetime.date(2025, 1, 1)).usager
    client = login(make_pro(etab, "chef_service"))
    first = client.get(reverse("projet:echeances")).content.decode()
    second = client.get(reverse("projet:echeances"), {"page": 2}).content.decode()
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
    assert "2 projets à faire" in first
    shown = [
        e.details["usager_ids"]
        for e in Entree.objects.filter(action=AuditAction.LIST).order_by("seq")
    ]
    assert shown == [[usager.pk], [other.pk]]  # the earliest deadline first


def test_the_recueil_shows_the_habits_of_life(usager, referent, login):
    from dui.accompagnement.habitudes import habitude_save

    habitude_save(
        actor=referent,
        usager=usager,
        domaine="repas",
        values={"description": "Aime le poisson le vendredi"},
        expected_version=0,
    )
    projet = projet_ouvert(referent, usager)
    page = login(referent).get(reverse("projet:detail", args=[usager.pk, projet.pk]))
    assert "Aime le poisson le vendredi" in page.content.decode()


def test_home_count_is_one_query(etab, usager, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.projets_a_echeance_count(etab) == 1


def test_more_empty_slots_on_request_and_removal(usager, referent, login):
    client = login(referent)
    projet = projet_ouvert(referent, usager)
    url = reverse("projet:section", args=[usager.pk, projet.pk, "besoins"])
    page = client.get(url, {"emplacements": 3}).content.decode()
    assert 'name="besoins-TOTAL_FORMS" value="3"' in page
    assert "Supprimer" in page and "emplacements=4" in page
    items = [{"libelle": "Se déplacer"}, {"libelle": "Communiquer"}]
    client.post(url, {"version": 1, **_formset("besoins", items, extra=1, initial=0)})
    projet.refresh_from_db()
    assert [b["libelle"] for b in projet.contenu["besoins"]] == ["Se déplacer", "Communiquer"]
    removal = _formset("besoins", [{**items[0], "DELETE": "on"}, items[1]])
    client.post(url, {"version": projet.version, **removal})
    projet.refresh_from_db()
    assert [b["libelle"] for b in projet.contenu["besoins"]] == ["Communiquer"]
