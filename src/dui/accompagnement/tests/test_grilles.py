"""Grids defined by an administrator without code: draft → published (frozen) → new version,
old evaluations intact; bad definitions refused in French with nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.accompagnement import grilles, services
from dui.accompagnement.models import Grille, StatutGrille
from dui.accompagnement.tests.factories_grilles import BANDES, QUESTIONS, evaluate, make_grille
from dui.audit.models import AuditAction, Entree

pytestmark = pytest.mark.django_db


def test_draft_is_not_offered_until_published(etab, admin, usager):
    draft = make_grille(etab, admin, publish=False)
    assert draft.statut == StatutGrille.BROUILLON
    assert draft not in services.grilles_offered(usager)
    published = grilles.grille_publish(actor=admin, grille=draft)
    assert published.publiee and published.publiee_par == admin
    assert published in services.grilles_offered(usager)
    entry = (
        Entree.objects.filter(action=AuditAction.ADMIN, object_id=str(draft.pk))
        .order_by("pk")
        .last()
    )
    assert entry is not None and entry.details["grille"] == "publiee"


def test_published_grid_computes_the_sum_and_its_band(etab, admin, usager, referent):
    grille = make_grille(etab, admin)
    evaluation = evaluate(usager, referent, grille, {"q1": "2", "q2": "1"})
    assert evaluation.resultat["score"] == 1 and evaluation.resultat_libelle == (
        "1 — Pas d'inquiétude"
    )
    evaluation = evaluate(usager, referent, grille, {"q1": "2", "q2": "2"})
    assert evaluation.resultat_libelle == "3 — À surveiller"


def test_published_grid_is_frozen(etab, admin):
    grille = make_grille(etab, admin)
    with pytest.raises(grilles.GrilleError, match="ne se modifie plus"):
        grilles.grille_update_draft(
            actor=admin,
            grille=grille,
            expected_revision=grille.revision,
            libelle="Autre titre",
            categorie="soins",
            questions=QUESTIONS,
            bandes=BANDES,
        )
    grille.refresh_from_db()
    assert grille.libelle == "Suivi de l'appétit et du sommeil"


def test_new_version_replaces_the_old_one_and_old_evaluations_keep_theirs(
    etab, admin, usager, referent
):
    v1 = make_grille(etab, admin)
    old = evaluate(usager, referent, v1, {"q1": "3", "q2": "2"})
    v2 = grilles.grille_new_version(actor=admin, grille=v1)
    assert (v2.numero, v2.statut, v2.famille) == (2, StatutGrille.BROUILLON, v1.famille)
    assert grilles.questions_text(v2) == grilles.questions_text(v1)
    # v1 stays in use while v2 is prepared.
    assert v1 in services.grilles_offered(usager) and v2 not in services.grilles_offered(usager)
    grilles.grille_save_and_publish(
        actor=admin,
        grille=v2,
        expected_revision=v2.revision,
        libelle="Suivi de l'appétit et du sommeil",
        categorie="soins",
        questions=QUESTIONS + "Humeur\n- Stable = 0\n- Triste = 3\n",
        bandes="0-3 = Pas d'inquiétude\n4-7 = À surveiller",
    )
    v1.refresh_from_db()
    assert v1.statut == StatutGrille.REMPLACEE
    assert [g.pk for g in services.grilles_offered(usager) if g.famille == v1.famille] == [v2.pk]
    with pytest.raises(services.EvaluationError, match="plus utilisée"):
        evaluate(usager, referent, v1, {"q1": "1", "q2": "1"})
    old.refresh_from_db()
    assert old.grille_id == v1.pk and old.resultat_libelle == "4 — À surveiller"
    assert v1.items.count() == 2 and v2.items.count() == 3
    new = evaluate(usager, referent, v2, {"q1": "3", "q2": "2", "q3": "1"})
    # Both versions are one series over time.
    assert [e.pk for e in services.history(usager, v1.famille)] == [old.pk, new.pk]


def test_only_one_new_version_at_a_time(etab, admin):
    v1 = make_grille(etab, admin)
    grilles.grille_new_version(actor=admin, grille=v1)
    with pytest.raises(grilles.GrilleError, match="déjà en préparation"):
        grilles.grille_new_version(actor=admin, grille=v1)
    assert Grille.objects.filter(famille=v1.famille).count() == 2


def test_retired_grid_is_no_longer_offered_and_may_come_back_as_a_new_version(etab, admin, usager):
    grille = make_grille(etab, admin)
    grilles.grille_retire(actor=admin, grille=grille)
    assert grille not in services.grilles_offered(usager)
    draft = grilles.grille_new_version(actor=admin, grille=grille)
    back = grilles.grille_publish(actor=admin, grille=draft)
    assert [g.pk for g in services.grilles_offered(usager) if g.famille == grille.famille] == [
        back.pk
    ]
    grille.refresh_from_db()
    assert grille.statut == StatutGrille.RETIREE


def test_a_replaced_version_cannot_seed_another_version(etab, admin):
    v1 = make_grille(etab, admin)
    v2 = grilles.grille_new_version(actor=admin, grille=v1)
    grilles.grille_publish(actor=admin, grille=v2)
    v1.refresh_from_db()
    with pytest.raises(grilles.GrilleError, match="dernière version publiée ou retirée"):
        grilles.grille_new_version(actor=admin, grille=v1)


def test_grid_is_offered_only_to_persons_of_its_etablissement(etab, autre_etab, usager):
    other_admin = make_pro(autre_etab, "administrateur")
    grille = make_grille(autre_etab, other_admin)
    assert grille not in services.grilles_offered(usager)


@pytest.mark.parametrize(
    ("questions", "bandes", "message"),
    [
        ("", "0-1 = A", "aucune question"),
        ("Appétit\n- Bon = 0", "0-0 = A", "au moins deux réponses"),
        ("- Bon = 0", "0-0 = A", "ligne 1 : cette réponse ne suit aucune question"),
        ("Appétit\n- Bon = beaucoup", "0-0 = A", "ligne 2 : une réponse s'écrit"),
        ("Appétit\n- Bon = 0\n- Bon = 1", "0-1 = A", "ligne 3 : la réponse « Bon » est déjà"),
        ("Appétit\n- Bon = 0\n- Mauvais = 5000", "0-1 = A", "les points vont de 0 à 1000"),
        (
            "Appétit\n- Bon = 0\n- Mauvais = 2\nAppétit\n- Oui = 0\n- Non = 1",
            "0-3 = A",
            "en double",
        ),
        (QUESTIONS, "", "Donnez les tranches de résultat, de 0 à 4"),
        (QUESTIONS, "0-1 = A\n3-4 = B", "Aucune tranche ne couvre le total 2"),
        (QUESTIONS, "0-2 = A\n2-4 = B", "chevauche"),
        (QUESTIONS, "0-1 = A\n2-3 = B", r"total maximum possible \(4\)"),
        (QUESTIONS, "0 à = A", "Tranches, ligne 1"),
        (QUESTIONS, "3-1 = A", "le minimum dépasse le maximum"),
    ],
)
def test_bad_definition_is_refused_in_french_and_nothing_is_published(
    etab, admin, questions, bandes, message
):
    draft = make_grille(etab, admin, publish=False)
    with pytest.raises(grilles.GrilleError, match=message):
        grilles.grille_save_and_publish(
            actor=admin,
            grille=draft,
            expected_revision=draft.revision,
            libelle="Grille",
            categorie="soins",
            questions=questions,
            bandes=bandes,
        )
    draft.refresh_from_db()
    assert draft.statut == StatutGrille.BROUILLON and draft.libelle != "Grille"
    assert grilles.questions_text(draft) == QUESTIONS.strip()


def test_stale_draft_save_is_refused(etab, admin):
    draft = make_grille(etab, admin, publish=False)
    stale = draft.revision
    values = {"libelle": "Premier", "categorie": "soins", "questions": QUESTIONS, "bandes": BANDES}
    grilles.grille_update_draft(actor=admin, grille=draft, expected_revision=stale, **values)
    with pytest.raises(grilles.GrilleConflict):
        grilles.grille_update_draft(
            actor=admin, grille=draft, expected_revision=stale, **{**values, "libelle": "Second"}
        )
    draft.refresh_from_db()
    assert draft.libelle == "Premier"


def test_admin_defines_and_publishes_a_grid_from_the_screens(etab, admin, usager, referent, login):
    client = login(admin)
    response = client.post(
        reverse("accompagnement:grille_new"),
        {
            "etablissement": etab.pk,
            "libelle": "Douleur ressentie",
            "categorie": "soins",
            "questions": "Douleur au repos\n- Aucune = 0\n- Forte = 2",
            "bandes": "0-0 = Pas de douleur\n1-2 = Douleur",
        },
    )
    grille = Grille.objects.get(libelle="Douleur ressentie")
    assert response.status_code == 302 and grille.statut == StatutGrille.BROUILLON
    response = client.post(
        reverse("accompagnement:grille", args=[grille.pk]),
        {
            "libelle": "Douleur ressentie",
            "categorie": "soins",
            "questions": "Douleur au repos\n- Aucune = 0\n- Forte = 2",
            "bandes": "0-0 = Pas de douleur\n1-2 = Douleur",
            "revision": grille.revision,
            "publier": "",
        },
    )
    grille.refresh_from_db()
    assert response.status_code == 302 and grille.publiee
    # The grid now appears in the person's evaluations tab.
    tab = login(referent).get(reverse("accompagnement:evaluations", args=[usager.pk]))
    new_url = reverse("accompagnement:evaluation_grille_new", args=[usager.pk, grille.pk])
    assert new_url in tab.content.decode()
    form = login(referent).get(new_url).content.decode()
    assert "Forte (2 points)" in form


def test_refused_definition_shows_the_french_message_on_the_screen(etab, admin, login):
    draft = make_grille(etab, admin, publish=False)
    response = login(admin).post(
        reverse("accompagnement:grille", args=[draft.pk]),
        {
            "libelle": "Grille",
            "categorie": "soins",
            "questions": QUESTIONS,
            "bandes": "0-1 = A\n3-4 = B",
            "revision": draft.revision,
            "publier": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aucune tranche ne couvre le total 2" in html and "rien n'a été enregistré" in html
    draft.refresh_from_db()
    assert draft.statut == StatutGrille.BROUILLON and draft.libelle != "Grille"


def test_published_grid_page_offers_a_new_version_not_an_edit(etab, admin, login):
    grille = make_grille(etab, admin)
    client = login(admin)
    page = client.get(reverse("accompagnement:grille", args=[grille.pk])).content.decode()
    assert "Modifier (nouvelle version)" in page and "<textarea" not in page
    response = client.post(reverse("accompagnement:grille_version", args=[grille.pk]))
    draft = Grille.objects.get(famille=grille.famille, numero=2)
    assert response["Location"] == reverse("accompagnement:grille", args=[draft.pk])


def test_another_etablissement_admin_cannot_reach_the_grid(etab, autre_etab, admin, login):
    grille = make_grille(etab, admin)
    other_admin = make_pro(autre_etab, "administrateur")
    client = login(other_admin)
    assert client.get(reverse("accompagnement:grille", args=[grille.pk])).status_code == 404
    response = client.post(reverse("accompagnement:grille_retirer", args=[grille.pk]))
    assert response.status_code == 404
    grille.refresh_from_db()
    assert grille.publiee
    assert "Suivi de l" not in client.get(reverse("accompagnement:grilles")).content.decode()


def test_built_in_grids_are_not_administered_here(admin, login):
    braden = Grille.objects.get(code="braden")
    response = login(admin).get(reverse("accompagnement:grille", args=[braden.pk]))
    assert response.status_code == 404
