"""Evaluations of a person: create a draft, save its answers, sign it (result frozen).

Views check the policy ("usager.<grid's category>.read/write") before calling these; the
services refuse closed records (ensure_writable), stale saves and any change to a signed
evaluation: a signed evaluation is never edited, a new one is made.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.accompagnement import aggir
from dui.accompagnement.models import Evaluation, Grille, Reponse, StatutEvaluation
from dui.audit.models import AuditAction
from dui.usagers.access import ensure_writable
from dui.usagers.models import Usager


class EvaluationError(Exception):
    """A refused change, with the French message shown to the person."""


class VersionConflict(EvaluationError):
    """Someone else saved the evaluation since the form was displayed."""

    def __init__(self) -> None:
        super().__init__(
            "Cette évaluation a été enregistrée par quelqu'un d'autre entre-temps. "
            "Rechargez la page pour voir la version actuelle ; rien n'a été enregistré."
        )


def _aggir_result(reponses: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    try:
        result = aggir.calcule(reponses)
    except aggir.AggirIncomplet as missing:
        raise EvaluationError(
            f"Évaluation incomplète : la variable « {missing} » n'a pas de réponse."
        ) from None
    return result.as_json(), f"GIR {result.gir}"


# Computed-result functions of built-in grids, by Grille.calcul.
CALCULS: dict[str, Callable[[Mapping[str, Any]], tuple[dict[str, Any], str]]] = {
    "aggir": _aggir_result,
}


def _check_answers(grille: Grille, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers keyed by item code, checked against each item's scale."""
    items = {item.code: item for item in grille.items.all()}
    clean: dict[str, Any] = {}
    for code, value in answers.items():
        item = items.get(code)
        if item is None:
            raise EvaluationError(f"Question inconnue dans cette grille : « {code} ».")
        kind = item.echelle.get("type")
        if kind == "adverbes":
            if not isinstance(value, Mapping) or set(value) - set(aggir.ADVERBE_CODES):
                raise EvaluationError(f"Réponse invalide pour « {item.libelle} ».")
            clean[code] = {a: value.get(a) is True for a in aggir.ADVERBE_CODES}
        elif kind == "choix":
            if value not in [o["code"] for o in item.echelle.get("options", [])]:
                raise EvaluationError(f"Réponse invalide pour « {item.libelle} ».")
            clean[code] = value
        else:
            raise EvaluationError(f"Échelle de réponse inconnue pour « {item.libelle} ».")
    return clean


def _store(evaluation: Evaluation, answers: dict[str, Any]) -> None:
    for code, value in answers.items():
        Reponse.objects.update_or_create(
            evaluation=evaluation, item_code=code, defaults={"valeur": value}
        )


def _locked_draft(evaluation: Evaluation, expected_version: int | None) -> Evaluation:
    current = (
        Evaluation.objects.select_for_update()
        .select_related("grille", "usager")
        .get(pk=evaluation.pk)
    )
    if current.statut != StatutEvaluation.BROUILLON:
        raise EvaluationError(
            "Cette évaluation est signée : elle ne peut plus être modifiée. "
            "Faites une nouvelle évaluation."
        )
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    ensure_writable(current.usager)
    return current


def evaluation_create(
    *,
    actor: Any,
    usager: Usager,
    grille: Grille,
    date: datetime.date,
    answers: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Evaluation:
    """Start a draft evaluation of the person with a grid (and its first answers)."""
    with transaction.atomic():
        ensure_writable(usager)
        if not grille.actif:
            raise EvaluationError("Cette grille n'est plus utilisée.")
        if date > timezone.localdate():
            raise EvaluationError("La date de l'évaluation ne peut pas être dans le futur.")
        clean = _check_answers(grille, answers or {})
        evaluation = Evaluation.objects.create(
            usager=usager, grille=grille, date=date, auteur=actor
        )
        _store(evaluation, clean)
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=evaluation,
            usager=usager,
            details={"grille": grille.code, "reponses": len(clean)},
        )
    return evaluation


def evaluation_save_answers(
    *,
    actor: Any,
    evaluation: Evaluation,
    answers: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Evaluation:
    """Save answers of a draft; refused if someone saved it since `expected_version`."""
    with transaction.atomic():
        current = _locked_draft(evaluation, expected_version)
        clean = _check_answers(current.grille, answers)
        _store(current, clean)
        current.version += 1
        current.save(update_fields=["version"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager=current.usager,
            details={"reponses": len(clean)},
        )
    return current


def evaluation_sign(
    *,
    actor: Any,
    evaluation: Evaluation,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Evaluation:
    """Sign a draft: compute its result and freeze it (no change afterwards)."""
    with transaction.atomic():
        current = _locked_draft(evaluation, expected_version)
        answers = {r.item_code: r.valeur for r in current.reponses.all()}
        calcul = CALCULS.get(current.grille.calcul)
        if calcul is not None:
            current.resultat, current.resultat_libelle = calcul(answers)
        elif len(answers) < current.grille.items.count():
            raise EvaluationError("Évaluation incomplète : répondez à chaque question.")
        current.statut = StatutEvaluation.SIGNEE
        current.signee_le = timezone.now()
        current.signee_par = actor
        current.version += 1
        current.save(
            update_fields=[
                "resultat",
                "resultat_libelle",
                "statut",
                "signee_le",
                "signee_par",
                "version",
            ]
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager=current.usager,
            details={"statut": StatutEvaluation.SIGNEE.value},
        )
    return current


def gir_history(usager: Usager) -> list[Evaluation]:
    """The person's signed AGGIR evaluations, oldest first (for the table and the chart)."""
    return list(
        Evaluation.objects.filter(
            usager=usager, grille__code="aggir", statut=StatutEvaluation.SIGNEE
        ).order_by("date", "pk")
    )
