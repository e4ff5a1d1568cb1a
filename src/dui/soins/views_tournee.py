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
from django.middleware.csrf import get_token
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
from dui.soins.tournee_html import doses_html
from dui.structures.models import Etablissement, Unite
from dui.ui.liens import lien
from dui.usagers.identite import IdentiteError


def _etablissement(request: HttpRequest) -> Etablissement:
    etab = getattr(request, "etablissement", None)
    if not tournee.reads_soins_in(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    assert etab is not None
    return etab


def _get(request: HttpRequest, name: str) -> str:
    """A parameter of the form, else of the URL (actions carry the round's in their URL)."""
    return request.POST.get(name) or request.GET.get(name) or ""


def _params(request: HttpRequest, etab: Etablissement) -> tuple[datetime.date, Creneau, Any]:
    today = timezone.localdate()
    try:
        jour = datetime.date.fromisoformat(_get(request, "jour"))
    except ValueError:
        jour = today
    jour = min(jour, today)
    creneau = tournee.creneau_or_current(_get(request, "creneau"))
    unite = None
    unite_id = _get(request, "unite")
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
    query = _query(jour, creneau, unite)
    may_write = tournee.writes_soins_in(request.user, etab)
    url_tracer = f"{reverse('soins:dose_tracer')}?{query}"
    url_formulaire = reverse("soins:dose_formulaire")
    csrf = get_token(request)
    traitements = lien("soins:traitements")
    for row in rows:
        row.url = traitements(row.usager.pk)  # type: ignore[attr-defined]
        row.doses_html = doses_html(  # type: ignore[attr-defined]
            row,
            may_write=may_write,
            url_tracer=url_tracer,
            url_formulaire=url_formulaire,
            query=query,
            csrf=csrf,
        )
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
        "query": query,
        "may_write": may_write,
        "today": timezone.localdate(),
        "est_aujourdhui": jour == timezone.localdate(),
        "jour_iso": jour.isoformat(),
        # Computed once: the round renders hundreds of doses (see bench/round_bench.py).
        "url_tracer": url_tracer,
        "url_si_besoin": f"{reverse('soins:si_besoin_tracer')}?{query}",
        "url_formulaire": url_formulaire,
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


def _dose(request: HttpRequest) -> tuple[str, str]:
    """(line id, intake key) of a planned dose: "dose" = "<line>|<key>", or two fields."""
    dose = _get(request, "dose")
    if dose:
        ligne_id, _, prise = dose.partition("|")
        return ligne_id, prise
    return _get(request, "ligne"), _get(request, "prise")


def _trace(request: HttpRequest, etab: Etablissement, trace_id: int) -> Administration:
    trace = (
        Administration.objects.filter(
            pk=trace_id,
            usager__in=tournee.personnes(request.user, etab, timezone.localdate()),
        )
        .select_related("usager", "ligne")
        .first()
    )
    if trace is None:
        raise Http404("Introuvable.")
    return trace


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
    ligne_id, prise = _dose(request)
    ligne = _ligne(request, etab, ligne_id)
    try:
        jour = datetime.date.fromisoformat(_get(request, "jour"))
    except ValueError:
        raise Http404("Introuvable.") from None
    error = _run(
        lambda: administration.dose_tracer(
            actor=request.user,
            ligne=ligne,
            jour=jour,
            prise=prise,
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
    trace = _trace(request, etab, trace_id)
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
def dose_formulaire(request: HttpRequest) -> HttpResponse:
    """The "not given" form of a dose, or the correction form of a trace (loaded on demand
    into the round with htmx; a page of its own without)."""
    etab = _etablissement(request)
    if not tournee.writes_soins_in(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    jour, creneau, unite = _params(request, etab)
    query = _query(jour, creneau, unite)
    trace_id = _get(request, "trace")
    if trace_id.isdigit():
        trace = _trace(request, etab, int(trace_id))
        ligne, usager, dose = trace.ligne, trace.usager, ""
        action = f"{reverse('soins:trace_corriger', args=[trace.pk])}?{query}"
        titre, cle = "Corriger la trace", f"t{trace.pk}"
    else:
        ligne_id, prise = _dose(request)
        ligne = _ligne(request, etab, ligne_id)
        usager, dose = ligne.usager, f"{ligne.pk}|{prise}"
        action = f"{reverse('soins:dose_tracer')}?{query}"
        titre, cle = "Dose non donnée : motif", f"d{ligne.pk}-{prise}"
    context = {
        "usager": usager,
        "ligne": ligne,
        "dose": dose,
        "action": action,
        "titre": titre,
        "cle": cle,
        "correction": bool(trace_id),
        "motifs": MotifNonDonne.choices,
        "jour": jour,
        "creneau": creneau,
        "query": query,
    }
    template = "soins/_dose_formulaire.html" if request.headers.get("HX-Request") else None
    return render(request, template or "soins/dose_formulaire.html", context)


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
    path("tournee/formulaire/", dose_formulaire, name="dose_formulaire"),
    path("tournee/si-besoin/", si_besoin_tracer, name="si_besoin_tracer"),
    path("tournee/traces/<int:trace_id>/corriger/", trace_corriger, name="trace_corriger"),
    path("tournee/non-tracees/", doses_non_tracees, name="doses_non_tracees"),
]
