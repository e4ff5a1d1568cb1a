"""Evaluation services: draft, answers with stale-save refusal, signature that freezes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dui.accompagnement import services
from dui.accompagnement.models import Reponse, StatutEvaluation
from dui.accompagnement.tests.factories import aggir_answers, grille_aggir
from dui.audit.models import AuditAction, Entree
from dui.usagers.identite import IdentiteError

pytestmark = pytest.mark.django_db


def _draft(usager, referent, **answers):
    return services.evaluation_create(
        actor=referent,
        usager=usager,
        grille=grille_aggir(),
        date=timezone.localdate(),
        answers=aggir_answers(**answers),
    )


def test_create_makes_a_draft_with_its_answers_and_journals_it(usager, referent):
    evaluation = _draft(usager, referent, toilette="C")
    assert evaluation.statut == StatutEvaluation.BROUILLON
    assert evaluation.auteur == referent
    assert Reponse.objects.get(evaluation=evaluation, item_code="toilette.bas").valeur == {
        "S": False,
        "T": False,
        "C": False,
        "H": False,
    }
    entry = Entree.objects.get(action=AuditAction.CREATE, object_id=str(evaluation.pk))
    assert entry.usager_id == usager.pk and entry.actor_id == referent.pk


def test_create_refuses_an_unknown_item_and_saves_nothing(usager, referent):
    with pytest.raises(services.EvaluationError):
        services.evaluation_create(
            actor=referent,
            usager=usager,
            grille=grille_aggir(),
            date=timezone.localdate(),
            answers={"inconnu": {"S": True}},
        )
    assert not usager.evaluations.exists()


def test_create_refuses_a_future_date(usager, referent):
    with pytest.raises(services.EvaluationError):
        services.evaluation_create(
            actor=referent,
            usager=usager,
            grille=grille_aggir(),
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert not usager.evaluations.exists()


def test_create_refuses_an_archived_record(usager, referent):
    usager.archive_le = timezone.now()
    usager.save()
    with pytest.raises(IdentiteError):
        _draft(usager, referent)
    assert not usager.evaluations.exists()


def test_save_answers_updates_the_draft_and_its_version_and_journals_it(usager, referent):
    evaluation = _draft(usager, referent)
    saved = services.evaluation_save_answers(
        actor=referent,
        evaluation=evaluation,
        answers={"transferts": {"S": False, "T": False, "C": False, "H": False}},
        expected_version=evaluation.version,
    )
    assert saved.version == evaluation.version + 1
    assert Reponse.objects.get(evaluation=evaluation, item_code="transferts").valeur["S"] is False
    assert (
        Entree.objects.filter(action=AuditAction.UPDATE, object_id=str(evaluation.pk)).count() == 1
    )


def test_a_stale_save_is_refused_and_changes_nothing(usager, referent, collegue):
    evaluation = _draft(usager, referent)
    services.evaluation_save_answers(
        actor=collegue,
        evaluation=evaluation,
        answers={"transferts": aggir_answers(transferts="B")["transferts"]},
        expected_version=evaluation.version,
    )
    with pytest.raises(services.VersionConflict, match="quelqu'un d'autre"):
        services.evaluation_save_answers(
            actor=referent,
            evaluation=evaluation,
            answers={"transferts": aggir_answers(transferts="C")["transferts"]},
            expected_version=evaluation.version,
        )
    assert Reponse.objects.get(evaluation=evaluation, item_code="transferts").valeur["S"] is True


def test_sign_computes_and_freezes_the_gir_and_journals_it(usager, referent):
    evaluation = _draft(
        usager,
        referent,
        toilette="C",
        habillage="C",
        transferts="C",
        deplacement_interieur="C",
        alimentation="B",
        elimination="B",
    )
    signed = services.evaluation_sign(actor=referent, evaluation=evaluation)
    assert signed.statut == StatutEvaluation.SIGNEE
    assert signed.signee_par == referent and signed.signee_le is not None
    assert (signed.resultat["gir"], signed.resultat["rang"], signed.resultat["groupe"]) == (
        2,
        6,
        "C",
    )
    assert signed.resultat_libelle == "GIR 2"
    assert signed.resultat["codes"]["toilette"] == "C"
    entry = Entree.objects.get(action=AuditAction.UPDATE, object_id=str(evaluation.pk))
    assert entry.details == {"statut": "signee"}


def test_a_signed_evaluation_cannot_be_changed(usager, referent):
    signed = services.evaluation_sign(actor=referent, evaluation=_draft(usager, referent))
    with pytest.raises(services.EvaluationError, match="nouvelle évaluation"):
        services.evaluation_save_answers(
            actor=referent,
            evaluation=signed,
            answers={"transferts": aggir_answers(transferts="C")["transferts"]},
            expected_version=signed.version,
        )
    with pytest.raises(services.EvaluationError):
        services.evaluation_sign(actor=referent, evaluation=signed)
    assert Reponse.objects.get(evaluation=signed, item_code="transferts").valeur["S"] is True


def test_an_incomplete_aggir_cannot_be_signed(usager, referent):
    evaluation = services.evaluation_create(
        actor=referent,
        usager=usager,
        grille=grille_aggir(),
        date=timezone.localdate(),
        answers={"transferts": aggir_answers()["transferts"]},
    )
    with pytest.raises(services.EvaluationError, match="incomplète"):
        services.evaluation_sign(actor=referent, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.statut == StatutEvaluation.BROUILLON


def test_gir_history_lists_signed_aggir_oldest_first(usager, referent):
    old = _draft(usager, referent)
    old.date = timezone.localdate() - datetime.timedelta(days=200)
    old.save()
    services.evaluation_sign(actor=referent, evaluation=old)
    new = services.evaluation_sign(
        actor=referent, evaluation=_draft(usager, referent, transferts="C")
    )
    _draft(usager, referent)  # a draft is not in the history
    assert [e.pk for e in services.gir_history(usager)] == [old.pk, new.pk]
