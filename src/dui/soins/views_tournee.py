"""The medication round of a unit and time slot (tablet-first), tracing its doses one tap
each, the "si besoin" doses, corrections, and the doses left untraced once their slot ended.

The round and the untraced list need soins read in the current établissement; tracing needs
soins write on the person (checked by the service through the policy). With htmx, a trace
answers the person's card and the round's counter; without, it redirects back to the round.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.soins import administration, tournee
from dui.soins.creneaux import CRENEAUX, Creneau
from dui.soins.models import Administration, LigneMedicament, MotifNonDonne
from dui.soins.services import SoinsError
from dui.structures.models import Etablissement, Unite
from dui.usagers.identite import IdentiteError


def _etablissement(request: HttpRequest) -> Etablissement:
    etab = getattr(request, "etablissement", None)
    if not tournee.reads_soins_in(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    assert etab is not None
    return etab


def _params(request: HttpRequest, etab: Etablissement) -> tuple[datetime.date, Creneau, Any]:
    data = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    try:
        jour = datetime.date.fromisoformat(data.get("jour", ""))
    except ValueError:
        jour = today
    jour = min(jour, today)
    creneau = tournee.creneau_or_current(data.get("creneau"))
    unite = None
    unite_id = data.get("unite", "")
    if unite_id.isdigit():
        unite = Unite.objects.filter(etablissement=etab, pk=int(unite_id)).first()
    return jour, creneau, unite


def _query(jour: datetime.date, creneau: Creneau, unite: Unite | None) -> str:
    params = {"jour": jour.isoformat(), "creneau": creneau.code}
    if unite is not None:
        params["unite"] = str(unite.pk)
    return urlencode(params)


def _round_context(
    request: HttpRequest, etab: Etablissement, jour: datetime.date, creneau: Creneau, unite: Any
) -> dict[str, Any]:
    rows = tournee.tournee(request.user, etab, jour, creneau, unite)
    total = sum(len(r.doses) for r in rows)
    restantes = sum(r.restantes for r in rows)
    return {
        "etablissement": etab,
        "rows": rows,
        "jour": jour,
        "creneau": creneau,
        "creneaux": CRENEAUX,
        "unite": unite,
        "unites": list(Unite.objects.filter(etablissement=etab).order_by("nom")),
        "total": total,
        "restantes": restantes,
        "query": _query(jour, creneau, unite),
        "may_write": tournee.writes_soins_in(request.user, etab),
        "motifs": MotifNonDonne.choices,
        "today": timezone.localdate(),
    }


@require_GET
@login_required
def tournee_view(request: HttpRequest) -> HttpResponse:
    etab = _etablissement(request)
    jour, creneau, unite = _params(request, etab)
    context = _round_context(request, etab, jour, creneau, unite)
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="soins.administration",
        etablissement=etab,
        details={
            "usager_ids": [r.usager.pk for r in context["rows"]],
            "jour": jour.isoformat(),
            "creneau": creneau.code,
            "unite": unite.pk if unite else None,
        },
    )
    context["non_tracees"] = len(tournee.non_tracees(request.user, etab, jour))
    return render(request, "soins/tournee.html", context)


def _after_trace(
    request: HttpRequest, etab: Etablissement, usager_id: int, error: str = ""
) -> HttpResponse:
    jour, creneau, unite = _params(request, etab)
    if request.headers.get("HX-Request"):
        context = _round_context(request, etab, jour, creneau, unite)
        row = next((r for r in context["rows"] if r.usager.pk == usager_id), None)
        if row is None:
            raise Http404("Introuvable.")
        return render(
            request,
            "soins/_tournee_reponse.html",
            {**context, "row": row, "erreur": error},
        )
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('soins:tournee')}?{_query(jour, creneau, unite)}#tu-{usager_id}")


def _ligne(request: HttpRequest, etab: Etablissement, pk: str) -> LigneMedicament:
    """A line of a person the user reaches in the current établissement's round."""
    if not pk.isdigit():
        raise Http404("Introuvable.")
    jour = timezone.localdate()
    ligne = (
        LigneMedicament.objects.filter(
            pk=int(pk), usager__in=tournee.personnes(request.user, etab, jour)
        )
        .select_related("usager", "remplace")
        .first()
    )
    if ligne is None:
        raise Http404("Introuvable.")
    return ligne


def _run(call: Any) -> str:
    try:
        call()
    except (SoinsError, IdentiteError) as error:
        return str(error)
    return ""


@require_POST
@login_required
def dose_tracer(request: HttpRequest) -> HttpResponse:
    etab = _etablissement(request)
    ligne = _ligne(request, etab, request.POST.get("ligne", ""))
    try:
        jour = datetime.date.fromisoformat(request.POST.get("jour", ""))
    except ValueError:
        raise Http404("Introuvable.") from None
    error = _run(
        lambda: administration.dose_tracer(
            actor=request.user,
            ligne=ligne,
            jour=jour,
            prise=request.POST.get("prise", ""),
            statut=request.POST.get("statut", ""),
            motif=request.POST.get("motif", ""),
            commentaire=request.POST.get("commentaire", "")[:300],
            request=request,
        )
    )
    return _after_trace(request, etab, ligne.usager_id, error)


@require_POST
@login_required
def trace_corriger(request: HttpRequest, trace_id: int) -> HttpResponse:
    etab = _etablissement(request)
    trace = (
        Administration.objects.filter(
            pk=trace_id,
            usager__in=tournee.personnes(request.user, etab, timezone.localdate()),
        )
        .select_related("usager")
        .first()
    )
    if trace is None:
        raise Http404("Introuvable.")
    error = _run(
        lambda: administration.trace_corriger(
            actor=request.user,
            trace=trace,
            statut=request.POST.get("statut", ""),
            motif=request.POST.get("motif", ""),
            commentaire=request.POST.get("commentaire", "")[:300],
            request=request,
        )
    )
    return _after_trace(request, etab, trace.usager_id, error)


@require_POST
@login_required
def si_besoin_tracer(request: HttpRequest) -> HttpResponse:
    etab = _etablissement(request)
    ligne = _ligne(request, etab, request.POST.get("ligne", ""))
    quantite: Decimal | None = None
    raw = request.POST.get("quantite", "").strip().replace(",", ".")
    error = ""
    if raw:
        try:
            quantite = Decimal(raw)
        except InvalidOperation:
            error = "Saisissez une quantité (par exemple 1 ou 0,5)."
    if not error:
        error = _run(
            lambda: administration.si_besoin_tracer(
                actor=request.user,
                ligne=ligne,
                quantite=quantite,
                commentaire=request.POST.get("commentaire", "")[:300],
                request=request,
            )
        )
    return _after_trace(request, etab, ligne.usager_id, error)


@require_GET
@login_required
def doses_non_tracees(request: HttpRequest) -> HttpResponse:
    etab = _etablissement(request)
    jour, _, _ = _params(request, etab)
    items = tournee.non_tracees(request.user, etab, jour)
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="soins.administration",
        etablissement=etab,
        details={"usager_ids": sorted({n.usager.pk for n in items}), "non_tracees": True},
    )
    return render(
        request,
        "soins/doses_non_tracees.html",
        {"etablissement": etab, "items": items, "jour": jour, "today": timezone.localdate()},
    )


urlpatterns = [
    path("tournee/", tournee_view, name="tournee"),
    path("tournee/tracer/", dose_tracer, name="dose_tracer"),
    path("tournee/si-besoin/", si_besoin_tracer, name="si_besoin_tracer"),
    path("tournee/traces/<int:trace_id>/corriger/", trace_corriger, name="trace_corriger"),
    path("tournee/non-tracees/", doses_non_tracees, name="doses_non_tracees"),
]
