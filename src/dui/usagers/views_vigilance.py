"""Identitovigilance referent's screens: review queue of suspected duplicates, the pair
screen (settle as different persons, or merge after a confirmation), and the merge history
with undo. Only referents of the organisme concerned get in; others get 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers import services_vigilance as svc
from dui.usagers.forms_vigilance import (
    AnnulationForm,
    DifferentesForm,
    FusionForm,
    QueueFilterForm,
)
from dui.usagers.fusion import fusion_undo
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Fusion, SuspicionDoublon

PAGE_SIZE = 50


def _organisme(request: HttpRequest, wanted: int | None = None) -> tuple[Any, list[Any]]:
    """The organisme whose pairs are shown: the asked one, else the current établissement's,
    else the first where the user is a referent. Http404 when the user is no referent."""
    organismes = svc.referent_organismes(request.user)
    if not organismes:
        raise Http404("Réservé aux référents en identitovigilance.")
    by_id = {o.pk: o for o in organismes}
    etab = getattr(request, "etablissement", None)
    organisme = by_id.get(wanted or 0) or (etab and by_id.get(etab.organisme_id)) or organismes[0]
    policy.require(request.user, "identitovigilance", organisme)
    return organisme, organismes


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    organismes = svc.referent_organismes(request.user)
    form = QueueFilterForm(request.GET or None, organismes=organismes)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    organisme, organismes = _organisme(request, data.get("organisme"))
    statut = data.get("statut") or SuspicionDoublon.Statut.A_TRAITER
    niveau = int(data["niveau"]) if data.get("niveau") else None
    qs = svc.suspicions_for(organisme, statut=statut, niveau=niveau)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="usagers.suspiciondoublon",
        details={
            "organisme": organisme.pk,
            "suspicions": [s.pk for s in page.object_list],
            "usager_ids": sorted(
                {i for s in page.object_list for i in (s.usager_id, s.candidat_id)}
            ),
        },
    )
    filters = urlencode({"statut": statut, "niveau": niveau or "", "organisme": organisme.pk})
    return render(
        request,
        "usagers/vigilance_queue.html",
        {
            "form": form
            if form.is_bound
            else QueueFilterForm(
                initial={"statut": statut, "organisme": organisme.pk}, organismes=organismes
            ),
            "page": page,
            "organisme": organisme,
            "statut": SuspicionDoublon.Statut(statut),
            "filters": filters,
        },
    )


def _pair_context(
    request: HttpRequest,
    suspicion: SuspicionDoublon,
    *,
    differentes_form: DifferentesForm | None = None,
    fusion_form: FusionForm | None = None,
) -> dict[str, Any]:
    a, b = suspicion.usager, suspicion.candidat
    stays = svc.stays_of([a, b])
    fusion = (
        Fusion.objects.filter(Q(garde=a, doublon=b) | Q(garde=b, doublon=a))
        .order_by("-fusionne_le")
        .first()
    )
    pending = suspicion.statut == SuspicionDoublon.Statut.A_TRAITER
    mergeable = pending and not a.fusionne_dans_id and not b.fusionne_dans_id
    garde = svc.proposed_garde(a, b)
    return {
        "suspicion": suspicion,
        "persons": [(a, stays[a.pk]), (b, stays[b.pk])],
        "comparisons": svc.compare(a, b),
        "links": svc.linked_counts([a, b]),
        "fusion": fusion,
        "pending": pending,
        "mergeable": mergeable,
        "differentes_form": differentes_form or DifferentesForm(),
        "fusion_form": fusion_form
        or FusionForm(
            initial={"garde": garde.pk, "version_a": a.version, "version_b": b.version},
            pair=(a, b),
        ),
    }


@login_required
def pair(request: HttpRequest, suspicion_id: int) -> HttpResponse:
    suspicion = svc.suspicion_get_for(request.user, suspicion_id)
    svc.journal_pair_read(request, suspicion)
    return render(request, "usagers/vigilance_paire.html", _pair_context(request, suspicion))


@login_required
@require_POST
def settle_different(request: HttpRequest, suspicion_id: int) -> HttpResponse:
    suspicion = svc.suspicion_get_for(request.user, suspicion_id)
    form = DifferentesForm(request.POST)
    if not form.is_valid():
        svc.journal_pair_read(request, suspicion)
        context = _pair_context(request, suspicion, differentes_form=form)
        return render(request, "usagers/vigilance_paire.html", context, status=400)
    try:
        svc.suspicion_settle_different(
            user=request.user,
            suspicion=suspicion,
            motif=form.cleaned_data["motif"],
            request=request,
        )
    except IdentiteError as exc:
        messages.error(request, str(exc))
        return redirect("usagers:vigilance_paire", suspicion.pk)
    messages.success(request, "Paire enregistrée : il s'agit de deux personnes différentes.")
    return redirect("usagers:vigilance")


@login_required
@require_POST
def merge(request: HttpRequest, suspicion_id: int) -> HttpResponse:
    """First POST: show what will move and ask for confirmation; second POST: merge."""
    suspicion = svc.suspicion_get_for(request.user, suspicion_id)
    a, b = suspicion.usager, suspicion.candidat
    form = FusionForm(request.POST, pair=(a, b))
    if not form.is_valid():
        svc.journal_pair_read(request, suspicion)
        context = _pair_context(request, suspicion, fusion_form=form)
        return render(request, "usagers/vigilance_paire.html", context, status=400)
    garde_id = form.cleaned_data["garde"]
    if "confirme" not in request.POST:
        if suspicion.statut != SuspicionDoublon.Statut.A_TRAITER:
            messages.error(request, "Cette paire a déjà été traitée entre-temps.")
            return redirect("usagers:vigilance_paire", suspicion.pk)
        garde, doublon = (a, b) if garde_id == a.pk else (b, a)
        svc.journal_pair_read(request, suspicion)
        moves = [row for row in svc.linked_counts([doublon]) if row["counts"][0]]
        return render(
            request,
            "usagers/vigilance_fusion_confirmer.html",
            {
                "suspicion": suspicion,
                "garde": garde,
                "doublon": doublon,
                "moves": moves,
                "form": form,
            },
        )
    try:
        fusion = svc.suspicion_merge(
            user=request.user,
            suspicion=suspicion,
            garde_id=garde_id,
            motif=form.cleaned_data["motif"],
            expected_versions=form.expected_versions(),
            request=request,
        )
    except IdentiteError as exc:
        messages.error(request, str(exc))
        return redirect("usagers:vigilance_paire", suspicion.pk)
    messages.success(request, "Les deux dossiers ont été fusionnés.")
    return redirect("usagers:vigilance_fusion", fusion.pk)


@login_required
def fusions(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("organisme", "")
    organisme, organismes = _organisme(request, int(raw) if raw.isdigit() else None)
    page = Paginator(svc.fusions_for(organisme), PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="usagers.fusion",
        details={
            "organisme": organisme.pk,
            "fusions": [f.pk for f in page.object_list],
            "usager_ids": sorted({i for f in page.object_list for i in (f.garde_id, f.doublon_id)}),
        },
    )
    return render(
        request,
        "usagers/vigilance_fusions.html",
        {"page": page, "organisme": organisme, "organismes": organismes},
    )


def _fusion_context(fusion: Fusion, form: AnnulationForm | None = None) -> dict[str, Any]:
    moves = [
        {"label": svc.relation_label(key), "count": len(pks)}
        for key, pks in sorted(fusion.deplacements.items())
    ]
    return {"fusion": fusion, "moves": moves, "form": form or AnnulationForm()}


def _journal_fusion_read(request: HttpRequest, fusion: Fusion) -> None:
    for u in (fusion.garde, fusion.doublon):
        audit.record(
            action=AuditAction.READ,
            request=request,
            obj=u,
            usager=u,
            details={"fusion": fusion.pk},
        )


@login_required
def fusion_detail(request: HttpRequest, fusion_id: int) -> HttpResponse:
    fusion = svc.fusion_get_for(request.user, fusion_id)
    _journal_fusion_read(request, fusion)
    return render(request, "usagers/vigilance_fusion.html", _fusion_context(fusion))


@login_required
@require_POST
def fusion_cancel(request: HttpRequest, fusion_id: int) -> HttpResponse:
    fusion = svc.fusion_get_for(request.user, fusion_id)
    form = AnnulationForm(request.POST)
    if not form.is_valid():
        _journal_fusion_read(request, fusion)
        return render(
            request, "usagers/vigilance_fusion.html", _fusion_context(fusion, form), status=400
        )
    try:
        fusion_undo(
            user=request.user, fusion=fusion, motif=form.cleaned_data["motif"], request=request
        )
    except IdentiteError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "La fusion a été annulée : les deux dossiers sont de nouveau distincts."
        )
    return redirect("usagers:vigilance_fusion", fusion.pk)


urlpatterns = [
    path("identitovigilance/", queue, name="vigilance"),
    path("identitovigilance/paires/<int:suspicion_id>/", pair, name="vigilance_paire"),
    path(
        "identitovigilance/paires/<int:suspicion_id>/differentes/",
        settle_different,
        name="vigilance_differentes",
    ),
    path(
        "identitovigilance/paires/<int:suspicion_id>/fusionner/",
        merge,
        name="vigilance_fusionner",
    ),
    path("identitovigilance/fusions/", fusions, name="vigilance_fusions"),
    path("identitovigilance/fusions/<int:fusion_id>/", fusion_detail, name="vigilance_fusion"),
    path(
        "identitovigilance/fusions/<int:fusion_id>/annuler/",
        fusion_cancel,
        name="vigilance_fusion_annuler",
    ),
]
