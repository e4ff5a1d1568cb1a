"""The person's evaluations tab: list and result history per grid (table and chart), the
form of any grid (AGGIR adverbs, points scales, SERAFIN-PH needs), result, TDDUI exports."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from dui import audit
from dui.accompagnement import aggir, grilles_data, serafin, services, tddui
from dui.accompagnement.chart import gir_chart, score_ticks, serie_chart
from dui.accompagnement.forms import EvaluationForm
from dui.accompagnement.models import Evaluation, Grille, StatutEvaluation
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

app_name = "accompagnement"
TAB = "accompagnement:evaluations"


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


def _offered(request: HttpRequest, usager: Usager, readable: set[str]) -> list[Grille]:
    """Grids a new evaluation of the person can use, among those the user may write."""
    if usager.archive_le is not None or usager.fusionne_dans_id is not None:
        return []
    writable = policy.usager_categories(request.user, usager, write=True)
    return [g for g in services.grilles_offered(usager) if g.categorie in writable]


def _series(usager: Usager, readable: set[str]) -> list[dict[str, Any]]:
    """One chart and table per grid (all its versions) with signed evaluations."""
    signed = (
        Evaluation.objects.filter(
            usager=usager, statut=StatutEvaluation.SIGNEE, grille__categorie__in=readable
        )
        .select_related("grille", "signee_par")
        .order_by("date", "pk")
    )
    by_famille: dict[str, list[Evaluation]] = {}
    for evaluation in signed:
        by_famille.setdefault(evaluation.grille.famille or evaluation.grille.code, []).append(
            evaluation
        )
    series = []
    for famille, evaluations in by_famille.items():
        grille = evaluations[-1].grille
        if grille.calcul == "aggir":
            chart = gir_chart(evaluations)
            note = "Le GIR 6 (le plus autonome) est en haut."
        else:
            if grille.calcul == "serafin":
                low, high, bandes = 0, len(serafin.feuilles()), []
                note = "Nombre de besoins identifiés."
            else:
                low, high = grilles_data.bornes(
                    [{"echelle": i.echelle} for i in grille.items.all()]
                )
                bandes = grille.bandes
                note = "Total des points."
            chart = serie_chart(
                evaluations, low=low, high=high, ticks=score_ticks(low, high, bandes)
            )
        series.append(
            {
                "id": famille,
                "grille": grille,
                "aggir": grille.calcul == "aggir",
                "evaluations": evaluations,
                "chart": chart,
                "note": note,
            }
        )
    return series


@login_required
def evaluations(request: HttpRequest, usager_id: int) -> HttpResponse:
    # Shown to whoever sees the person (as transmissions): inside, only the evaluations of
    # grids whose data category the user reads (AGGIR: soins, SERAFIN-PH: éducatif…).
    usager = _usager(request, usager_id, "usager.view")
    context = record_context(request, usager, tab=TAB)
    readable = context["categories"]
    liste = (
        Evaluation.objects.filter(usager=usager, grille__categorie__in=readable)
        .select_related("grille", "auteur")
        .order_by("-date", "-pk")
    )
    return render(
        request,
        "accompagnement/evaluations.html",
        {
            **context,
            "evaluations": liste,
            "series": _series(usager, readable),
            "offered": _offered(request, usager, readable),
        },
    )


def _save_form(request: HttpRequest, form: EvaluationForm, call: Any) -> Evaluation | None:
    try:
        return call()
    except (services.EvaluationError, IdentiteError) as error:
        form.add_error(None, str(error))
        return None


def _new(request: HttpRequest, usager_id: int, grille: Grille | None) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    if grille is None:
        raise Http404("Grille introuvable.")
    policy.require(request.user, f"usager.{grille.categorie}.write", usager)
    if not grille.publiee or not services.grille_offered(grille, usager):
        raise Http404("Cette grille n'est pas proposée pour cette personne.")
    form = EvaluationForm(request.POST or None, grille=grille)
    if request.method == "POST" and form.is_valid():

        def call() -> Evaluation:
            evaluation = services.evaluation_create(
                actor=request.user,
                usager=usager,
                grille=grille,
                date=form.cleaned_data["date"],
                answers=form.answers(),
                commentaire=form.cleaned_data["commentaire"],
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
    context = record_context(request, usager, tab=TAB, details={"grille": grille.code})
    return render(
        request,
        "accompagnement/evaluation_form.html",
        {**context, "form": form, "grille": grille, "evaluation": None},
    )


@login_required
def evaluation_new(request: HttpRequest, usager_id: int) -> HttpResponse:
    return _new(request, usager_id, Grille.objects.filter(code="aggir").first())


@login_required
def evaluation_grille_new(request: HttpRequest, usager_id: int, grille_id: int) -> HttpResponse:
    return _new(request, usager_id, Grille.objects.filter(pk=grille_id).first())


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
        commentaire=evaluation.commentaire,
        initial={"date": evaluation.date, "version": evaluation.version},
    )
    if request.method == "POST" and form.is_valid():

        def call() -> Evaluation:
            saved = services.evaluation_save_answers(
                actor=request.user,
                evaluation=evaluation,
                answers=form.answers(),
                expected_version=form.cleaned_data["version"] or 0,
                commentaire=form.cleaned_data["commentaire"],
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


def _answer_rows(evaluation: Evaluation) -> dict[str, list[dict[str, Any]]]:
    """The answers, shaped per scale: adverbs (AGGIR), choices with points, needs."""
    answers = {r.item_code: r.valeur for r in evaluation.reponses.all()}
    intensites = dict(serafin.INTENSITES)
    rows: dict[str, list[dict[str, Any]]] = {"adverbes": [], "choix": [], "besoins": []}
    for item in evaluation.grille.items.all():
        kind = item.echelle.get("type")
        value = answers.get(item.code)
        if kind == "adverbes":
            rows["adverbes"].append(
                {
                    "item": item,
                    "adverbes": [
                        (label, (value or {}).get(code)) for code, label in aggir.ADVERBES
                    ],
                }
            )
        elif kind == "choix":
            option = next((o for o in item.echelle["options"] if o["code"] == value), None)
            rows["choix"].append({"item": item, "option": option})
        elif kind == "besoin" and value and value.get("present"):
            rows["besoins"].append(
                {
                    "item": item,
                    "intensite": intensites.get(value.get("intensite"), ""),
                    "commentaire": value.get("commentaire", ""),
                }
            )
    return rows


@login_required
def evaluation_detail(request: HttpRequest, usager_id: int, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, usager_id, evaluation_id, "read")
    usager = evaluation.usager
    context = record_context(request, usager, tab=TAB, details={"evaluation": evaluation.pk})
    aggir_signed = evaluation.signee and evaluation.grille.calcul == "aggir"
    return render(
        request,
        "accompagnement/evaluation_detail.html",
        {
            **context,
            "evaluation": evaluation,
            "rows": _result_rows(evaluation) if aggir_signed else [],
            "answers": _answer_rows(evaluation),
            "exportable": evaluation.signee and evaluation.grille.calcul in EXPORTS,
            "may_write": _may_write(request, usager, evaluation.grille),
        },
    )


def _export_aggir(evaluation: Evaluation, answers: dict[str, Any]) -> dict[str, Any]:
    return tddui.questionnaire_response_pa(
        identifier=f"EVAL-{evaluation.pk}",
        reponses=answers,
        resultat=evaluation.resultat,
        authored=evaluation.date.isoformat(),
        subject_reference=f"Patient/{evaluation.usager.pk}",
    )


def _export_serafin(evaluation: Evaluation, answers: dict[str, Any]) -> dict[str, Any]:
    return serafin.questionnaire_response(
        identifier=f"EVAL-{evaluation.pk}",
        reponses=answers,
        commentaire=evaluation.commentaire,
        authored=evaluation.date.isoformat(),
        subject_reference=f"Patient/{evaluation.usager.pk}",
    )


# Grids whose signed evaluations export as a TDDUI QuestionnaireResponse, by Grille.calcul.
EXPORTS = {"aggir": _export_aggir, "serafin": _export_serafin}


@login_required
def evaluation_export(request: HttpRequest, usager_id: int, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, usager_id, evaluation_id, "read")
    export = EXPORTS.get(evaluation.grille.calcul)
    if not evaluation.signee or export is None:
        raise Http404("Seule une évaluation AGGIR ou SERAFIN-PH signée s'exporte.")
    answers = {r.item_code: r.valeur for r in evaluation.reponses.all()}
    document = export(evaluation, answers)
    audit.record(
        action=AuditAction.EXPORT,
        request=request,
        obj=evaluation,
        usager=evaluation.usager,
        details={"format": "tddui-questionnaire-response", "grille": evaluation.grille.code},
    )
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/fhir+json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-{evaluation.grille.calcul}-{evaluation.pk}.json"'
    )
    return response


urlpatterns = [
    path("<int:usager_id>/evaluations/", evaluations, name="evaluations"),
    path("<int:usager_id>/evaluations/aggir/nouvelle/", evaluation_new, name="evaluation_new"),
    path(
        "<int:usager_id>/evaluations/grille/<int:grille_id>/nouvelle/",
        evaluation_grille_new,
        name="evaluation_grille_new",
    ),
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
