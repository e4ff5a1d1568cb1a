"""The person's evaluations tab: list and GIR history, AGGIR form, result, TDDUI export."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from dui import audit
from dui.accompagnement import aggir, services, tddui
from dui.accompagnement.chart import gir_chart
from dui.accompagnement.forms import EvaluationForm
from dui.accompagnement.models import Evaluation, Grille
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

app_name = "accompagnement"
TAB = "accompagnement:evaluations"
SOINS_READ = "usager.soins.read"


def _usager(request: HttpRequest, usager_id: int, permission: str) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, permission, usager)
    return usager


def _evaluation(request: HttpRequest, usager_id: int, evaluation_id: int, mode: str) -> Evaluation:
    """The evaluation of an authorized person, if the grid's category allows `mode`."""
    usager = usager_get_for(request.user, usager_id)
    evaluation = (
        Evaluation.objects.select_related("grille", "auteur", "signee_par")
        .filter(usager=usager, pk=evaluation_id)
        .first()
    )
    if evaluation is None:
        raise Http404("Évaluation introuvable.")
    policy.require(request.user, f"usager.{evaluation.grille.categorie}.{mode}", usager)
    evaluation.usager = usager
    return evaluation


def _may_write(request: HttpRequest, usager: Usager, grille: Grille) -> bool:
    return (
        policy.allows(request.user, f"usager.{grille.categorie}.write", usager)
        and usager.archive_le is None
        and usager.fusionne_dans_id is None
    )


@login_required
def evaluations(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, SOINS_READ)
    context = record_context(request, usager, tab=TAB)
    readable = context["categories"]
    liste = (
        Evaluation.objects.filter(usager=usager, grille__categorie__in=readable)
        .select_related("grille", "auteur")
        .order_by("-date", "-pk")
    )
    history = services.gir_history(usager)
    aggir_grid = Grille.objects.get(code="aggir")
    return render(
        request,
        "accompagnement/evaluations.html",
        {
            **context,
            "evaluations": liste,
            "history": history,
            "chart": gir_chart(history),
            "may_write": _may_write(request, usager, aggir_grid),
        },
    )


def _save_form(request: HttpRequest, form: EvaluationForm, call: Any) -> Evaluation | None:
    try:
        return call()
    except (services.EvaluationError, IdentiteError) as error:
        form.add_error(None, str(error))
        return None


@login_required
def evaluation_new(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    grille = Grille.objects.get(code="aggir")
    policy.require(request.user, f"usager.{grille.categorie}.write", usager)
    form = EvaluationForm(request.POST or None, grille=grille)
    if request.method == "POST" and form.is_valid():

        def call() -> Evaluation:
            evaluation = services.evaluation_create(
                actor=request.user,
                usager=usager,
                grille=grille,
                date=form.cleaned_data["date"],
                answers=form.answers(),
                request=request,
            )
            if "signer" in request.POST:
                evaluation = services.evaluation_sign(
                    actor=request.user, evaluation=evaluation, request=request
                )
            return evaluation

        evaluation = _save_form(request, form, call)
        if evaluation is not None:
            messages.success(
                request, "Évaluation signée." if evaluation.signee else "Brouillon enregistré."
            )
            return redirect("accompagnement:evaluation", usager.pk, evaluation.pk)
    context = record_context(request, usager, tab=TAB)
    return render(
        request,
        "accompagnement/evaluation_form.html",
        {**context, "form": form, "grille": grille, "evaluation": None},
    )


@login_required
def evaluation_edit(request: HttpRequest, usager_id: int, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, usager_id, evaluation_id, "write")
    usager = evaluation.usager
    if evaluation.signee:
        messages.error(request, "Une évaluation signée ne se modifie pas : faites-en une nouvelle.")
        return redirect("accompagnement:evaluation", usager.pk, evaluation.pk)
    answers = {r.item_code: r.valeur for r in evaluation.reponses.all()}
    form = EvaluationForm(
        request.POST or None,
        grille=evaluation.grille,
        answers=answers,
        initial={"date": evaluation.date, "version": evaluation.version},
    )
    if request.method == "POST" and form.is_valid():

        def call() -> Evaluation:
            saved = services.evaluation_save_answers(
                actor=request.user,
                evaluation=evaluation,
                answers=form.answers(),
                expected_version=form.cleaned_data["version"] or 0,
                request=request,
            )
            if "signer" in request.POST:
                saved = services.evaluation_sign(
                    actor=request.user, evaluation=saved, request=request
                )
            return saved

        saved = _save_form(request, form, call)
        if saved is not None:
            messages.success(
                request, "Évaluation signée." if saved.signee else "Brouillon enregistré."
            )
            return redirect("accompagnement:evaluation", usager.pk, saved.pk)
    context = record_context(request, usager, tab=TAB, details={"evaluation": evaluation.pk})
    return render(
        request,
        "accompagnement/evaluation_form.html",
        {**context, "form": form, "grille": evaluation.grille, "evaluation": evaluation},
    )


def _result_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per AGGIR variable: its code and its sub-variables' codes."""
    codes = evaluation.resultat.get("codes", {})
    sous = evaluation.resultat.get("sous_codes", {})
    rows = []
    for variable, libelle, subs in aggir.DISCRIMINANTES:
        rows.append(
            {
                "libelle": libelle,
                "code": codes.get(variable, "—"),
                "sous": [(sl, sous.get(aggir.item_code(variable, sv), "—")) for sv, sl in subs],
                "compte": variable in aggir.ORDRE_CALCUL,
            }
        )
    illustratives = [(libelle, codes.get(v, "—")) for v, libelle in aggir.ILLUSTRATIVES]
    return [
        *rows,
        *({"libelle": lb, "code": c, "sous": [], "illustrative": True} for lb, c in illustratives),
    ]


@login_required
def evaluation_detail(request: HttpRequest, usager_id: int, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, usager_id, evaluation_id, "read")
    usager = evaluation.usager
    context = record_context(request, usager, tab=TAB, details={"evaluation": evaluation.pk})
    answers = {r.item_code: r.valeur for r in evaluation.reponses.all()}
    items = [
        {
            "item": item,
            "adverbes": [
                (label, answers.get(item.code, {}).get(code)) for code, label in aggir.ADVERBES
            ],
        }
        for item in evaluation.grille.items.all()
    ]
    return render(
        request,
        "accompagnement/evaluation_detail.html",
        {
            **context,
            "evaluation": evaluation,
            "rows": _result_rows(evaluation) if evaluation.signee else [],
            "items": items,
            "may_write": _may_write(request, usager, evaluation.grille),
        },
    )


@login_required
def evaluation_export(request: HttpRequest, usager_id: int, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, usager_id, evaluation_id, "read")
    if not evaluation.signee or evaluation.grille.calcul != "aggir":
        raise Http404("Seule une évaluation AGGIR signée s'exporte.")
    answers = {r.item_code: r.valeur for r in evaluation.reponses.all()}
    document = tddui.questionnaire_response_pa(
        identifier=f"EVAL-{evaluation.pk}",
        reponses=answers,
        resultat=evaluation.resultat,
        authored=evaluation.date.isoformat(),
        subject_reference=f"Patient/{evaluation.usager.pk}",
    )
    audit.record(
        action=AuditAction.EXPORT,
        request=request,
        obj=evaluation,
        usager=evaluation.usager,
        details={"format": "tddui-questionnaire-response"},
    )
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/fhir+json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-aggir-{evaluation.pk}.json"'
    )
    return response


urlpatterns = [
    path("<int:usager_id>/evaluations/", evaluations, name="evaluations"),
    path("<int:usager_id>/evaluations/aggir/nouvelle/", evaluation_new, name="evaluation_new"),
    path("<int:usager_id>/evaluations/<int:evaluation_id>/", evaluation_detail, name="evaluation"),
    path(
        "<int:usager_id>/evaluations/<int:evaluation_id>/modifier/",
        evaluation_edit,
        name="evaluation_edit",
    ),
    path(
        "<int:usager_id>/evaluations/<int:evaluation_id>/tddui.json",
        evaluation_export,
        name="evaluation_export",
    ),
]
