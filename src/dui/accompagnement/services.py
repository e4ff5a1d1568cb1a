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
from dui.accompagnement import aggir, serafin
from dui.accompagnement.models import Evaluation, Grille, Reponse, StatutEvaluation, StatutGrille
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


COMMENTAIRE_MAX = 4000


def _aggir_result(grille: Grille, reponses: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    try:
        result = aggir.calcule(reponses)
    except aggir.AggirIncomplet as missing:
        raise EvaluationError(
            f"Évaluation incomplète : la variable « {missing} » n'a pas de réponse."
        ) from None
    # "score" is what every grid's chart plots; the GIR is AGGIR's.
    return {**result.as_json(), "score": result.gir}, f"GIR {result.gir}"


def bande(grille: Grille, total: int) -> str:
    """The label of the result band holding `total` ("" when no band does)."""
    for b in grille.bandes:
        if b["min"] <= total <= b["max"]:
            return str(b["libelle"])
    return ""


def _somme_result(grille: Grille, reponses: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Sum of the chosen answers' points; the band it falls in is the result's label."""
    total = 0
    points: dict[str, int] = {}
    for item in grille.items.all():
        if item.code not in reponses:
            raise EvaluationError(f"Évaluation incomplète : « {item.libelle} » n'a pas de réponse.")
        option = next(o for o in item.echelle["options"] if o["code"] == reponses[item.code])
        points[item.code] = int(option["points"])
        total += points[item.code]
    libelle = bande(grille, total)
    return (
        {"score": total, "points": points, "bande": libelle},
        f"{total} — {libelle}" if libelle else str(total),
    )


def _serafin_result(grille: Grille, reponses: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    return serafin.calcule(reponses)


# Computed-result functions, by Grille.calcul: each returns (result with a numeric "score"
# for the chart, short label).
CALCULS: dict[str, Callable[[Grille, Mapping[str, Any]], tuple[dict[str, Any], str]]] = {
    "aggir": _aggir_result,
    "somme": _somme_result,
    "serafin": _serafin_result,
}


def _check_besoin(item: Any, value: Any) -> dict[str, Any]:
    """A SERAFIN need's answer: present or not, intensity of a present need, comment."""
    if not isinstance(value, Mapping) or set(value) - {"present", "intensite", "commentaire"}:
        raise EvaluationError(f"Réponse invalide pour « {item.libelle} ».")
    present = value.get("present") is True
    intensite = value.get("intensite")
    if intensite in ("", None):
        intensite = None
    elif intensite not in serafin.INTENSITE_CODES:
        raise EvaluationError(f"Intensité invalide pour « {item.libelle} ».")
    elif not present:
        raise EvaluationError(
            f"« {item.libelle} » : une intensité est donnée mais le besoin n'est pas coché."
        )
    commentaire = str(value.get("commentaire") or "").strip()
    if len(commentaire) > COMMENTAIRE_MAX:
        raise EvaluationError(f"Le commentaire de « {item.libelle} » est trop long.")
    return {"present": present, "intensite": intensite, "commentaire": commentaire}


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
        elif kind == "besoin":
            clean[code] = _check_besoin(item, value)
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
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Evaluation:
    """Start a draft evaluation of the person with a grid (and its first answers)."""
    with transaction.atomic():
        ensure_writable(usager)
        # The grid as it is now: it may have been replaced since the form was shown.
        grille = Grille.objects.get(pk=grille.pk)
        if not grille.actif or grille.statut != StatutGrille.PUBLIEE:
            raise EvaluationError("Cette grille n'est plus utilisée.")
        if not grille_offered(grille, usager):
            raise EvaluationError("Cette grille n'est pas proposée pour cette personne.")
        if date > timezone.localdate():
            raise EvaluationError("La date de l'évaluation ne peut pas être dans le futur.")
        clean = _check_answers(grille, answers or {})
        evaluation = Evaluation.objects.create(
            usager=usager,
            grille=grille,
            date=date,
            auteur=actor,
            commentaire=_check_commentaire(commentaire),
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
    commentaire: str | None = None,
    request: HttpRequest | None = None,
) -> Evaluation:
    """Save answers of a draft; refused if someone saved it since `expected_version`."""
    with transaction.atomic():
        current = _locked_draft(evaluation, expected_version)
        clean = _check_answers(current.grille, answers)
        _store(current, clean)
        if commentaire is not None:
            current.commentaire = _check_commentaire(commentaire)
        current.version += 1
        current.save(update_fields=["version", "commentaire"])
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
            current.resultat, current.resultat_libelle = calcul(current.grille, answers)
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


def _check_commentaire(commentaire: str) -> str:
    commentaire = (commentaire or "").strip()
    if len(commentaire) > COMMENTAIRE_MAX:
        raise EvaluationError(
            f"Le commentaire est trop long ({len(commentaire)} caractères, "
            f"{COMMENTAIRE_MAX} au plus)."
        )
    return commentaire


def person_finess_categories(usager: Usager) -> set[str]:
    """FINESS categories of the établissements supporting the person now."""
    return set(
        usager.prises_en_charge.filter(date_fin__isnull=True).values_list(
            "etablissement__categorie", flat=True
        )
    )


def person_etablissement_ids(usager: Usager) -> set[int]:
    return set(
        usager.prises_en_charge.filter(date_fin__isnull=True).values_list(
            "etablissement_id", flat=True
        )
    )


def grille_offered(grille: Grille, usager: Usager) -> bool:
    """May a new evaluation of the person be made with this (published) grid?

    Built-in grids limited to some FINESS categories (SERAFIN-PH: disability services)
    are offered to persons supported by such an établissement; an administrator's grid to
    the persons its établissement supports.
    """
    if grille.etablissement_id is not None:
        return grille.etablissement_id in person_etablissement_ids(usager)
    if grille.categories_finess:
        return bool(set(grille.categories_finess) & person_finess_categories(usager))
    return True


def grilles_offered(usager: Usager) -> list[Grille]:
    """Published grids a new evaluation of the person can use, built-in ones first."""
    grilles = Grille.objects.filter(actif=True, statut=StatutGrille.PUBLIEE).order_by(
        "-type", "libelle"
    )
    etabs = person_etablissement_ids(usager)
    categories = person_finess_categories(usager)
    return [
        g
        for g in grilles
        if (g.etablissement_id is None or g.etablissement_id in etabs)
        and (not g.categories_finess or set(g.categories_finess) & categories)
    ]


def history(usager: Usager, famille: str) -> list[Evaluation]:
    """The person's signed evaluations with every version of a grid, oldest first."""
    return list(
        Evaluation.objects.filter(
            usager=usager, grille__famille=famille, statut=StatutEvaluation.SIGNEE
        )
        .select_related("grille", "signee_par")
        .order_by("date", "pk")
    )


def gir_history(usager: Usager) -> list[Evaluation]:
    """The person's signed AGGIR evaluations, oldest first (for the table and the chart)."""
    return list(
        Evaluation.objects.filter(
            usager=usager, grille__code="aggir", statut=StatutEvaluation.SIGNEE
        ).order_by("date", "pk")
    )


def answer_text(item: Any, value: Any) -> str:
    """A readable French answer of any grid's item (for documents built from evaluations):
    AGGIR adverbs held, the chosen answer with its points, a SERAFIN need and intensity."""
    kind = item.echelle.get("type") if item is not None else None
    if kind == "adverbes" and isinstance(value, Mapping):
        held = [label for code, label in aggir.ADVERBES if value.get(code)]
        return f"{aggir.code_adverbes(value)} ({', '.join(held) or 'aucun adverbe'})"
    if kind == "choix":
        for option in item.echelle.get("options", []):
            if option["code"] == value:
                points = option["points"]
                return f"{option['libelle']} ({points} point{'s' if abs(points) > 1 else ''})"
    if kind == "besoin" and isinstance(value, Mapping):
        if not value.get("present"):
            return "Besoin absent"
        parts = ["Besoin présent"]
        intensite = dict(serafin.INTENSITES).get(int(value.get("intensite") or 0))
        if intensite:
            parts.append(f"intensité : {intensite.lower()}")
        if value.get("commentaire"):
            parts.append(str(value["commentaire"]))
        return " — ".join(parts)
    return str(value)
