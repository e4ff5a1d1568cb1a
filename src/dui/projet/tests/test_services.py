"""Projet personnalisé services: steps, deadlines, stale-save refusal, version freeze,
comparison, closure at exit, journal."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.projet import contenu as schema
from dui.projet import services
from dui.projet.models import (
    Etape,
    FrozenVersion,
    ProjetPersonnalise,
    TransitionProjet,
    VersionProjet,
)
from dui.projet.tests.factories import (
    OBJECTIF,
    avancer,
    avec_objectif,
    projet_ouvert,
    projet_signe,
    signer,
)
from dui.usagers.models import Proche
from dui.usagers.services_parcours import prise_en_charge_sortir
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db

# How to reach each step through the services, from a freshly opened project.
PATHS = {
    Etape.RECUEIL: [],
    Etape.ANALYSE: ["analyse"],
    Etape.CO_CONSTRUCTION: ["analyse", "co_construction"],
    Etape.MISE_EN_OEUVRE: ["analyse", "co_construction", "sign"],
    Etape.SUIVI: ["analyse", "co_construction", "sign", "suivi"],
    Etape.CLOTURE: ["close"],
}


def reach(actor, usager, etape):
    projet = projet_ouvert(actor, usager)
    for step in PATHS[etape]:
        if step == "sign":
            projet = avec_objectif(actor, projet)
            signer(actor, projet)
            projet.refresh_from_db()
        elif step == "close":
            projet = services.projet_cloturer(
                actor=actor,
                projet=projet,
                motif="autre",
                date=timezone.localdate(),
                expected_version=projet.version,
            )
        else:
            projet = avancer(actor, projet, step)
    assert projet.etape == etape
    return projet


PLAIN = {(de, vers) for (de, vers), (_, via) in services.TRANSITIONS.items() if via == "etape"}


@pytest.mark.parametrize("de", Etape.values)
@pytest.mark.parametrize("vers", Etape.values)
def test_every_step_change_follows_the_transition_table(de, vers, usager, referent):
    projet = reach(referent, usager, de)
    before = (projet.version, projet.transitions.count())
    if (de, vers) in PLAIN:
        changed = services.projet_transition(
            actor=referent, projet=projet, vers=vers, expected_version=projet.version
        )
        assert changed.etape == vers and changed.version == before[0] + 1
        last = TransitionProjet.objects.filter(projet=projet).last()
        assert (last.de, last.vers, last.par) == (de, vers, referent)
        entry = Entree.objects.filter(
            object_id=str(projet.pk),
            action=AuditAction.UPDATE,
            object_type="projet.projetpersonnalise",
        ).first()
        assert entry.details["transition"] == f"{de}→{vers}"
    else:
        with pytest.raises(services.ProjetError) as error:
            services.projet_transition(
                actor=referent, projet=projet, vers=vers, expected_version=projet.version
            )
        assert str(error.value)  # a French message for the person
        projet.refresh_from_db()
        assert projet.etape == de
        assert (projet.version, projet.transitions.count()) == before


def test_refusal_messages_say_why():
    assert "signé" in services._refusal(Etape.CO_CONSTRUCTION, Etape.MISE_EN_OEUVRE)
    assert "Clôturer" in services._refusal(Etape.RECUEIL, Etape.CLOTURE)
    assert "clôturé" in services._refusal(Etape.CLOTURE, Etape.RECUEIL)
    assert "Passage impossible" in services._refusal(Etape.RECUEIL, Etape.SUIVI)
    assert "déjà" in services._refusal(Etape.ANALYSE, Etape.ANALYSE)


@pytest.mark.parametrize("de", Etape.values)
def test_signature_only_from_co_construction_or_suivi(de, usager, referent):
    projet = reach(referent, usager, de)
    if de in (Etape.RECUEIL, Etape.ANALYSE, Etape.CO_CONSTRUCTION):
        projet = avec_objectif(referent, projet)
    if de in services.SIGNABLE:
        version = signer(referent, projet)
        projet.refresh_from_db()
        assert projet.etape == Etape.MISE_EN_OEUVRE
        assert version.numero == projet.numero_brouillon - 1
    else:
        count = VersionProjet.objects.count()
        with pytest.raises(services.ProjetError):
            signer(referent, projet)
        assert VersionProjet.objects.count() == count


@pytest.mark.parametrize("de", Etape.values)
def test_closure_from_every_open_step(de, usager, referent):
    projet = reach(referent, usager, de)
    call = dict(
        actor=referent,
        projet=projet,
        motif="sortie",
        date=timezone.localdate(),
        expected_version=projet.version,
    )
    if de == Etape.CLOTURE:
        with pytest.raises(services.ProjetError, match="déjà clôturé"):
            services.projet_cloturer(**call)
    else:
        closed = services.projet_cloturer(**call)
        assert closed.etape == Etape.CLOTURE and closed.echeance is None
        assert closed.transitions.last().vers == Etape.CLOTURE


def test_one_project_in_progress_per_person(usager, referent):
    projet_ouvert(referent, usager)
    with pytest.raises(services.ProjetError, match="déjà en cours"):
        projet_ouvert(referent, usager)
    assert ProjetPersonnalise.objects.filter(usager=usager).count() == 1


def test_opening_needs_an_open_stay_and_sets_the_referent(usager, referent, etab):
    projet = projet_ouvert(referent, usager)
    assert projet.referent == referent and projet.etape == Etape.RECUEIL
    entry = Entree.objects.get(
        action=AuditAction.CREATE, object_id=str(projet.pk), object_type="projet.projetpersonnalise"
    )
    assert entry.object_type == "projet.projetpersonnalise" and entry.usager_id == usager.pk
    other = PriseEnChargeFactory(etablissement=etab, date_fin=datetime.date(2024, 6, 1)).usager
    with pytest.raises(services.ProjetError, match="pas d'accompagnement en cours"):
        projet_ouvert(referent, other)
    assert not ProjetPersonnalise.objects.filter(usager=other).exists()


def test_who_may_write(usager, etab, referent):
    for code, allowed in [
        ("educatif", True),
        ("psychologue", True),
        ("soignant", True),
        ("chef_service", True),
        ("direction", False),
        ("accueil", False),
        ("intervenant_domicile", False),
        ("dpo", False),
    ]:
        assert services.may_write(make_pro(etab, code), usager) is allowed, code
    assert not services.may_read(make_pro(etab, "accueil"), usager)
    assert services.may_read(make_pro(etab, "direction"), usager)
    with pytest.raises(services.ProjetError, match="pas habilité"):
        projet_ouvert(make_pro(etab, "direction"), usager)


# --- Deadlines -----------------------------------------------------------------------------


def test_add_months_clamps_to_the_month_end():
    assert services.add_months(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2024, 1, 15), 12) == datetime.date(2025, 1, 15)
    assert services.add_months(datetime.date(2025, 3, 31), -1) == datetime.date(2025, 2, 28)


def test_first_project_due_six_months_after_admission_then_yearly(usager, referent):
    sejour = usager.prises_en_charge.get()
    projet = projet_ouvert(referent, usager)
    assert projet.echeance == services.add_months(sejour.date_debut, 6)
    projet, version = projet_signe_from(referent, projet)
    assert projet.derniere_signature_le == timezone.localdate()
    assert projet.echeance == services.add_months(timezone.localdate(), 12)


def projet_signe_from(actor, projet):
    projet = avancer(actor, projet, "analyse", "co_construction")
    projet = avec_objectif(actor, projet)
    version = signer(actor, projet)
    projet.refresh_from_db()
    return projet, version


def test_due_list_first_projects_revisions_and_overdue(etab, referent):
    today = datetime.date(2026, 6, 1)
    # Admitted 7 months ago, no project: overdue.
    late = PriseEnChargeFactory(etablissement=etab, date_debut=datetime.date(2025, 11, 1))
    # Admitted 5 months ago: due in a month (within 60 days).
    soon = PriseEnChargeFactory(etablissement=etab, date_debut=datetime.date(2026, 1, 1))
    # Admitted 2 months ago: not yet listed.
    PriseEnChargeFactory(etablissement=etab, date_debut=datetime.date(2026, 4, 1))
    # Left already: not listed.
    PriseEnChargeFactory(
        etablissement=etab,
        date_debut=datetime.date(2025, 1, 1),
        date_fin=datetime.date(2026, 5, 1),
    )
    lignes = services.projets_a_echeance(etab, today=today)
    by_person = {ligne.usager.pk: ligne for ligne in lignes}
    assert by_person[late.usager_id].en_retard
    assert by_person[late.usager_id].echeance == datetime.date(2026, 5, 1)
    assert not by_person[soon.usager_id].en_retard
    # The fixture's person (admitted 2024-01-15, no project) is overdue as well.
    assert len(lignes) == 3
    assert services.projets_a_echeance_count(etab, today=today) == 3
    assert [ligne.echeance for ligne in lignes] == sorted(ligne.echeance for ligne in lignes)


def test_due_list_uses_the_last_signature_for_revisions(usager, referent, etab):
    projet, _ = projet_signe(referent, usager)
    today = timezone.localdate()
    assert services.projets_a_echeance_count(etab, today=today) == 0
    in_eleven_months = services.add_months(today, 11)
    lignes = services.projets_a_echeance(etab, today=in_eleven_months)
    assert [(ligne.projet, ligne.en_retard) for ligne in lignes] == [(projet, False)]
    assert lignes[0].libelle == "Révision annuelle"
    later = services.add_months(today, 13)
    assert services.projets_a_echeance(etab, today=later)[0].en_retard


def test_due_list_filters_by_unit(etab):
    from dui.structures.tests.factories import UniteFactory

    a, b = UniteFactory(etablissement=etab), UniteFactory(etablissement=etab)
    in_a = PriseEnChargeFactory(etablissement=etab, unite=a, date_debut=datetime.date(2024, 1, 1))
    PriseEnChargeFactory(etablissement=etab, unite=b, date_debut=datetime.date(2024, 1, 1))
    lignes = services.projets_a_echeance(etab, unite_id=a.pk)
    assert [ligne.usager.pk for ligne in lignes] == [in_a.usager_id]


# --- Content and stale save ----------------------------------------------------------------


def test_sections_are_validated_and_nothing_changes_on_bad_input(usager, referent):
    projet = projet_ouvert(referent, usager)
    for values, message in [
        ([{**OBJECTIF, "formulation_professionnelle": ""}], "obligatoire"),
        ([{**OBJECTIF, "domaine": "inconnu"}], "valeur inconnue"),
        ([{**OBJECTIF, "echeance": "31/12/2026"}], "date invalide"),
    ]:
        with pytest.raises(schema.ContenuError, match=message):
            services.section_save(
                actor=referent,
                projet=projet,
                section="objectifs",
                values=values,
                expected_version=projet.version,
            )
    projet.refresh_from_db()
    assert projet.version == 1 and projet.contenu["objectifs"] == []


def test_serafin_codes_are_checked_when_the_nomenclature_exists(usager, referent, monkeypatch):
    projet = projet_ouvert(referent, usager)
    monkeypatch.setattr(schema, "serafin_codes", lambda: {"1.1.1.1", "1.1.1"})
    besoin = {"libelle": "Se déplacer", "code_serafin": "9.9"}
    with pytest.raises(schema.ContenuError, match="n'existe pas"):
        services.section_save(
            actor=referent,
            projet=projet,
            section="besoins",
            values=[besoin],
            expected_version=projet.version,
        )
    saved = services.section_save(
        actor=referent,
        projet=projet,
        section="besoins",
        values=[{**besoin, "code_serafin": "1.1.1.1"}],
        expected_version=projet.version,
    )
    assert saved.contenu["besoins"][0]["code_serafin"] == "1.1.1.1"


def test_the_persons_words_are_kept_apart_from_the_professionals(usager, referent):
    projet = projet_ouvert(referent, usager)
    projet = services.section_save(
        actor=referent,
        projet=projet,
        section="attentes",
        values=[
            {
                "formulation_personne": "Je veux aller au marché le samedi",
                "exprimee_par": "personne",
                "reformulation": "Maintenir une activité extérieure hebdomadaire",
            }
        ],
        expected_version=projet.version,
    )
    attente = projet.contenu["attentes"][0]
    assert attente["formulation_personne"] == "Je veux aller au marché le samedi"
    assert attente["reformulation"] == "Maintenir une activité extérieure hebdomadaire"
    entry = Entree.objects.filter(
        action=AuditAction.UPDATE, object_id=str(projet.pk), object_type="projet.projetpersonnalise"
    ).first()
    assert entry.details == {"section": "attentes", "elements": 1, "version": 2, "brouillon": 1}
    assert "marché" not in str(entry.details)


def test_a_stale_save_is_refused_with_both_values(usager, referent, etab):
    other = make_pro(etab, "educatif", prenom="Éva", nom="Éduc")
    projet = projet_ouvert(referent, usager)
    shown = projet.version
    services.section_save(
        actor=other,
        projet=projet,
        section="objectifs",
        values=[{**OBJECTIF, "indicateurs": "Deux visites par mois"}],
        expected_version=shown,
    )
    with pytest.raises(services.ProjetConflict) as error:
        services.section_save(
            actor=referent,
            projet=projet,
            section="objectifs",
            values=[{**OBJECTIF, "indicateurs": "Un appel par semaine"}],
            expected_version=shown,
        )
    assert "Éva Éduc" in str(error.value) and "rien n'a été enregistré" in str(error.value)
    diffs = {d.label: (d.avant, d.apres) for d in error.value.differences}
    assert diffs["Objectif 1 — Indicateurs : comment saura-t-on qu'il est atteint ?"] == (
        "Deux visites par mois",
        "Un appel par semaine",
    )
    projet.refresh_from_db()
    assert projet.contenu["objectifs"][0]["indicateurs"] == "Deux visites par mois"


def test_a_stale_step_change_is_refused(usager, referent):
    projet = projet_ouvert(referent, usager)
    shown = projet.version
    avancer(referent, projet, "analyse")
    with pytest.raises(services.ProjetConflict):
        services.projet_transition(
            actor=referent, projet=projet, vers="co_construction", expected_version=shown
        )
    with pytest.raises(services.ProjetConflict):
        services.projet_cloturer(
            actor=referent,
            projet=projet,
            motif="autre",
            date=timezone.localdate(),
            expected_version=shown,
        )
    projet.refresh_from_db()
    assert projet.etape == Etape.ANALYSE


def test_the_draft_is_not_editable_during_mise_en_oeuvre(usager, referent):
    projet, _ = projet_signe(referent, usager)
    with pytest.raises(services.ProjetError, match="Suivi et actualisation"):
        avec_objectif(referent, projet, indicateurs="Autre")


# --- Participants and signature ------------------------------------------------------------


def test_participants_are_traced_and_the_referent_changed(usager, referent, etab):
    fille = Proche.objects.create(usager=usager, nom="Martin", prenom="Julie", lien="fille")
    tuteur = Proche.objects.create(
        usager=usager, nom="Durand", prenom="Paul", is_representant_legal=True
    )
    projet = projet_ouvert(referent, usager)
    projet = services.participants_save(
        actor=referent,
        projet=projet,
        personne=True,
        proche_ids=[fille.pk, tuteur.pk],
        professionnel_ids=[referent.pk],
        autres="Assistante sociale du département",
        referent_id=referent.pk,
        expected_version=projet.version,
    )
    types = [p["type"] for p in projet.contenu["participants"]]
    assert types == ["personne", "proche", "representant", "professionnel", "autre"]
    assert projet.contenu["participants"][1]["libelle"] == "Julie Martin (fille)"
    accueil = make_pro(etab, "accueil")
    with pytest.raises(services.ProjetError, match="référent doit être"):
        services.participants_save(
            actor=referent,
            projet=projet,
            personne=True,
            proche_ids=[],
            professionnel_ids=[],
            autres="",
            referent_id=accueil.pk,
            expected_version=projet.version,
        )


def test_only_the_referent_signs_and_a_representative_must_be_known(usager, referent, etab):
    projet = avancer(referent, projet_ouvert(referent, usager), "analyse", "co_construction")
    projet = avec_objectif(referent, projet)
    with pytest.raises(services.ProjetError, match="Seul le référent"):
        signer(make_pro(etab, "educatif"), projet)
    with pytest.raises(services.ProjetError, match="représentant légal"):
        services.projet_signer(
            actor=referent,
            projet=projet,
            expected_version=projet.version,
            personne_qualite="representant",
            representant_id=None,
            personne_signe_le=timezone.localdate(),
            personne_moyen="manuscrite",
        )
    with pytest.raises(services.ProjetError, match="futur"):
        signer(referent, projet, le=timezone.localdate() + datetime.timedelta(days=1))
    tuteur = Proche.objects.create(
        usager=usager, nom="Durand", prenom="Paul", is_representant_legal=True
    )
    version = services.projet_signer(
        actor=referent,
        projet=projet,
        expected_version=projet.version,
        personne_qualite="representant",
        representant_id=tuteur.pk,
        personne_signe_le=timezone.localdate(),
        personne_moyen="tablette",
    )
    assert version.personne_nom == "Paul Durand" and version.referent == referent
    entry = Entree.objects.get(
        action=AuditAction.CREATE, object_id=str(version.pk), object_type="projet.versionprojet"
    )
    assert entry.object_type == "projet.versionprojet"
    assert entry.details["numero"] == 1 and entry.details["personne_moyen"] == "tablette"


def test_a_project_without_objective_cannot_be_signed(usager, referent):
    projet = avancer(referent, projet_ouvert(referent, usager), "analyse", "co_construction")
    with pytest.raises(services.ProjetError, match="au moins un objectif"):
        signer(referent, projet)


def test_signing_freezes_the_version_and_the_revision_is_version_two(usager, referent):
    projet, v1 = projet_signe(referent, usager)
    frozen = VersionProjet.objects.get(pk=v1.pk)
    with pytest.raises(FrozenVersion):
        frozen.contenu = {}
        frozen.save()
    with pytest.raises(FrozenVersion):
        VersionProjet.objects.get(pk=v1.pk).delete()
    projet = avancer(referent, projet, "suivi")
    assert projet.numero_brouillon == 2
    projet = avec_objectif(referent, projet, indicateurs="Deux visites par mois")
    v1.refresh_from_db()
    assert v1.contenu["objectifs"][0]["indicateurs"] == "Une visite par mois"
    v2 = signer(referent, projet)
    assert v2.numero == 2 and v2.contenu["objectifs"][0]["indicateurs"] == "Deux visites par mois"
    diffs = schema.compare(v1.contenu, v2.contenu)
    assert [(d.avant, d.apres, d.nature) for d in diffs] == [
        ("Une visite par mois", "Deux visites par mois", "modifié")
    ]


def test_comparison_reports_added_and_removed_items():
    a = {"objectifs": [OBJECTIF]}
    b = {
        "objectifs": [],
        "attentes": [{"formulation_personne": "Sortir", "exprimee_par": "personne"}],
    }
    natures = {d.label: d.nature for d in schema.compare(a, b)}
    assert natures["Attente 1 — Attente, dite par la personne"] == "ajouté"
    assert natures["Objectif 1 — Formulation professionnelle"] == "retiré"


# --- Closure at exit -----------------------------------------------------------------------


def test_the_exit_closes_the_project_of_the_stay(usager, referent):
    projet = projet_ouvert(referent, usager)
    sejour = usager.prises_en_charge.get()
    prise_en_charge_sortir(
        user=referent, sejour=sejour, date_sortie=timezone.localdate(), motif="deces"
    )
    projet.refresh_from_db()
    assert projet.etape == Etape.CLOTURE and projet.motif_cloture == "deces"
    assert projet.cloture_le == timezone.localdate()
    assert projet.transitions.last().commentaire == "Clôture automatique à la sortie"
    entry = Entree.objects.filter(
        object_id=str(projet.pk), action=AuditAction.UPDATE, object_type="projet.projetpersonnalise"
    ).first()
    assert entry.details["transition"].endswith("→cloture") and entry.actor_id == referent.pk
    # A new project can be opened for a new stay.
    assert services.projet_courant(usager) is None


def test_demo_gives_projects_at_various_steps(etab, usager, organisme):
    import random

    from dui.projet import demo
    from dui.usagers.tests.factories import PriseEnChargeFactory

    make_pro(etab, "infirmier")
    for _ in range(3):
        PriseEnChargeFactory(etablissement=etab)
    demo.populate(organisme, random.Random(1), timezone.localdate())
    etapes = sorted(ProjetPersonnalise.objects.values_list("etape", flat=True))
    assert etapes == sorted(["recueil", "co_construction", "mise_en_oeuvre", "suivi"])
    assert VersionProjet.objects.count() == 2


def test_actions_point_to_existing_objectives(usager, referent):
    projet = avec_objectif(referent, projet_ouvert(referent, usager))
    action = {
        "objectif": "2",
        "nature": "action",
        "libelle": "Accompagner au marché",
        "qui_type": "professionnel",
        "statut": "a_faire",
    }
    with pytest.raises(services.ProjetError, match="l'objectif n° 2 n'existe pas"):
        services.section_save(
            actor=referent,
            projet=projet,
            section="actions",
            values=[action],
            expected_version=projet.version,
        )
    projet = services.section_save(
        actor=referent,
        projet=projet,
        section="actions",
        values=[{**action, "objectif": "1"}],
        expected_version=projet.version,
    )
    with pytest.raises(services.ProjetError, match="modifiez d'abord les actions"):
        services.section_save(
            actor=referent,
            projet=projet,
            section="objectifs",
            values=[],
            expected_version=projet.version,
        )
    projet.refresh_from_db()
    assert len(projet.contenu["objectifs"]) == 1


def test_whoever_fills_in_the_participants_may_become_the_referent(usager, etab):
    chef = make_pro(etab, "chef_service")
    projet = projet_ouvert(chef, usager)
    assert projet.referent is None  # nobody is référent in the person's team
    projet = services.participants_save(
        actor=chef,
        projet=projet,
        personne=True,
        proche_ids=[],
        professionnel_ids=[chef.pk],
        autres="",
        referent_id=chef.pk,
        expected_version=projet.version,
    )
    assert projet.referent == chef


def test_habits_of_life_are_frozen_with_the_signed_version(usager, referent):
    from dui.accompagnement.habitudes import habitude_save

    habitude_save(
        actor=referent,
        usager=usager,
        domaine="sommeil",
        values={"description": "Se couche vers 22 h", "dit_par_la_personne": True},
        expected_version=0,
    )
    projet, v1 = projet_signe(referent, usager)
    assert v1.contenu["habitudes"] == [
        {
            "domaine": "Sommeil",
            "description": "Se couche vers 22 h",
            "preferences": "",
            "a_eviter": "",
            "dit_par_la_personne": True,
        }
    ]
    habitude_save(
        actor=referent,
        usager=usager,
        domaine="sommeil",
        values={"description": "Se couche vers 23 h", "dit_par_la_personne": True},
        expected_version=1,
    )
    v1.refresh_from_db()
    assert v1.contenu["habitudes"][0]["description"] == "Se couche vers 22 h"
    projet = avancer(referent, projet, "suivi")
    v2 = signer(referent, projet)
    diffs = schema.compare(v1.contenu, v2.contenu)
    assert [(d.label, d.avant, d.apres) for d in diffs] == [
        (
            "Habitudes de vie — Sommeil",
            "Se couche vers 22 h ; (dit par la personne)",
            "Se couche vers 23 h ; (dit par la personne)",
        )
    ]


def test_visible_to_follows_the_policy(usager, referent, etab, autre_etab_pro):
    projet = projet_ouvert(referent, usager)
    assert list(ProjetPersonnalise.objects.visible_to(referent)) == [projet]
    assert not ProjetPersonnalise.objects.visible_to(make_pro(etab, "accueil")).exists()
    assert not ProjetPersonnalise.objects.visible_to(autre_etab_pro).exists()
