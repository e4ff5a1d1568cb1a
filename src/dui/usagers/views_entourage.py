"""Views of the person's record: entourage and professionals around the person
(administrative data), benefits (social data), and the fiche de synthèse (screen and PDF)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers import services_entourage as services
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.forms_entourage import DroitForm, IntervenantForm, ProcheForm
from dui.usagers.identite import IdentiteError
from dui.usagers.models import DroitPrestation, IntervenantExterieur, Proche, Usager
from dui.usagers.synthese import build_synthese, proche_roles, render_synthese_pdf

ADMIN_READ, ADMIN_WRITE = "usager.administratif.read", "usager.administratif.write"
SOCIAL_READ, SOCIAL_WRITE = "usager.social.read", "usager.social.write"


def _usager(request: HttpRequest, usager_id: int, permission: str) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, permission, usager)
    return usager


def _child(model: Any, usager: Usager, pk: int) -> Any:
    # Children are looked up within the person already authorized: another person's row is 404.
    obj = model.objects.filter(usager=usager, pk=pk).first()
    if obj is None:
        raise Http404("Introuvable.")
    obj.usager = usager
    return obj


def _save(form: Any, call: Any) -> bool:
    """Run a service call; turn a refusal into a form error. True when saved."""
    try:
        call()
    except services.EntourageError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    except IdentiteError as error:
        form.add_error(None, str(error))
        return False
    return True


# --- Entourage tab -----------------------------------------------------------------------


@login_required
def entourage(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, ADMIN_READ)
    today = timezone.localdate()
    proches = [
        {"proche": p, "roles": proche_roles(p), "mesure_echue": services.mesure_echue(p, today)}
        for p in Proche.objects.filter(usager=usager).order_by(
            "-actif", "-is_personne_confiance", "-is_representant_legal", "nom"
        )
    ]
    intervenants = [
        {"intervenant": i, "warnings": services.intervenant_warnings(i)}
        for i in IntervenantExterieur.objects.filter(usager=usager).order_by("-actif", "type")
    ]
    context = record_context(request, usager, tab="usagers:entourage")
    return render(
        request,
        "usagers/entourage.html",
        {
            **context,
            "proches": proches,
            "intervenants": intervenants,
            "may_write": policy.allows(request.user, ADMIN_WRITE, usager)
            and usager.archive_le is None,
        },
    )


@login_required
def proche_edit(request: HttpRequest, usager_id: int, proche_id: int | None = None) -> HttpResponse:
    usager = _usager(request, usager_id, ADMIN_WRITE)
    proche = _child(Proche, usager, proche_id) if proche_id else None
    form = ProcheForm(request.POST or None, instance=proche)
    if request.method == "POST" and form.is_valid():

        def call() -> None:
            if proche is None:
                services.proche_create(
                    actor=request.user, usager=usager, values=form.values, request=request
                )
            else:
                services.proche_update(
                    actor=request.user, proche=proche, values=form.values, request=request
                )

        if _save(form, call):
            messages.success(request, "Entourage enregistré.")
            return redirect("usagers:entourage", usager.pk)
    context = record_context(request, usager, tab="usagers:entourage")
    return render(
        request, "usagers/entourage_proche_form.html", {**context, "form": form, "proche": proche}
    )


@login_required
@require_POST
def proche_deactivate(request: HttpRequest, usager_id: int, proche_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, ADMIN_WRITE)
    proche = _child(Proche, usager, proche_id)
    try:
        services.proche_deactivate(actor=request.user, proche=proche, request=request)
    except IdentiteError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Proche retiré de l'entourage (conservé dans l'historique).")
    return redirect("usagers:entourage", usager.pk)


@login_required
def intervenant_edit(
    request: HttpRequest, usager_id: int, intervenant_id: int | None = None
) -> HttpResponse:
    usager = _usager(request, usager_id, ADMIN_WRITE)
    intervenant = _child(IntervenantExterieur, usager, intervenant_id) if intervenant_id else None
    form = IntervenantForm(request.POST or None, instance=intervenant)
    if request.method == "POST" and form.is_valid():

        def call() -> None:
            if intervenant is None:
                services.intervenant_create(
                    actor=request.user, usager=usager, values=form.values, request=request
                )
            else:
                services.intervenant_update(
                    actor=request.user, intervenant=intervenant, values=form.values, request=request
                )

        if _save(form, call):
            messages.success(request, "Intervenant enregistré.")
            for warning in form.warnings:
                messages.warning(request, warning)
            return redirect("usagers:entourage", usager.pk)
    context = record_context(request, usager, tab="usagers:entourage")
    return render(
        request,
        "usagers/entourage_intervenant_form.html",
        {**context, "form": form, "intervenant": intervenant},
    )


@login_required
@require_POST
def intervenant_deactivate(
    request: HttpRequest, usager_id: int, intervenant_id: int
) -> HttpResponse:
    usager = _usager(request, usager_id, ADMIN_WRITE)
    intervenant = _child(IntervenantExterieur, usager, intervenant_id)
    try:
        services.intervenant_deactivate(
            actor=request.user, intervenant=intervenant, request=request
        )
    except IdentiteError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Intervenant retiré (conservé dans l'historique).")
    return redirect("usagers:entourage", usager.pk)


# --- Benefits tab ------------------------------------------------------------------------


@login_required
def droits(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, SOCIAL_READ)
    today = timezone.localdate()
    lignes = [
        {"droit": d, "echeance": services.droit_echeance(d, today)}
        for d in DroitPrestation.objects.filter(usager=usager).order_by("-date_debut", "pk")
    ]
    context = record_context(request, usager, tab="usagers:droits")
    return render(
        request,
        "usagers/droits.html",
        {
            **context,
            "lignes": lignes,
            "may_write": policy.allows(request.user, SOCIAL_WRITE, usager)
            and usager.archive_le is None,
        },
    )


@login_required
def droit_edit(request: HttpRequest, usager_id: int, droit_id: int | None = None) -> HttpResponse:
    usager = _usager(request, usager_id, SOCIAL_WRITE)
    droit = _child(DroitPrestation, usager, droit_id) if droit_id else None
    form = DroitForm(request.POST or None, instance=droit)
    if request.method == "POST" and form.is_valid():

        def call() -> None:
            if droit is None:
                services.droit_create(
                    actor=request.user, usager=usager, values=form.values, request=request
                )
            else:
                services.droit_update(
                    actor=request.user, droit=droit, values=form.values, request=request
                )

        if _save(form, call):
            messages.success(request, "Droit ou prestation enregistré.")
            return redirect("usagers:droits", usager.pk)
    context = record_context(request, usager, tab="usagers:droits")
    return render(request, "usagers/droits_form.html", {**context, "form": form, "droit": droit})


@login_required
def droits_echeances(request: HttpRequest) -> HttpResponse:
    etab = getattr(request, "etablissement", None)
    today = timezone.localdate()
    if not services.reads_social_in(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    droits_list = list(services.expiring_benefits(request.user, etab, today=today))
    lignes = [{"droit": d, "echeance": services.droit_echeance(d, today)} for d in droits_list]
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="usagers.droitprestation",
        details={"usager_ids": sorted({d.usager_id for d in droits_list})},
    )
    return render(
        request,
        "usagers/droits_echeances.html",
        {"lignes": lignes, "etablissement": etab, "jours": DroitPrestation.ALERTE_JOURS},
    )


# --- Fiche de synthèse -------------------------------------------------------------------


@login_required
def synthese(request: HttpRequest, usager_id: int) -> HttpResponse:
    """Old address of the synthesis, now the record's first tab."""
    usager = usager_get_for(request.user, usager_id)
    return redirect("usagers:detail", usager.pk)


@login_required
def synthese_pdf(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    s = build_synthese(request.user, usager)
    pdf = render_synthese_pdf(s, author=request.user)
    audit.record(
        action=AuditAction.PRINT,
        request=request,
        obj=usager,
        usager=usager,
        break_glass=policy.is_break_glass_access(request.user, usager),
        details={"document": "fiche_synthese", "social": s.shows_social},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"synthese-{usager.pk}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("<int:usager_id>/entourage/", entourage, name="entourage"),
    path("<int:usager_id>/entourage/proches/nouveau/", proche_edit, name="proche_new"),
    path("<int:usager_id>/entourage/proches/<int:proche_id>/", proche_edit, name="proche_edit"),
    path(
        "<int:usager_id>/entourage/proches/<int:proche_id>/retirer/",
        proche_deactivate,
        name="proche_deactivate",
    ),
    path(
        "<int:usager_id>/entourage/intervenants/nouveau/", intervenant_edit, name="intervenant_new"
    ),
    path(
        "<int:usager_id>/entourage/intervenants/<int:intervenant_id>/",
        intervenant_edit,
        name="intervenant_edit",
    ),
    path(
        "<int:usager_id>/entourage/intervenants/<int:intervenant_id>/retirer/",
        intervenant_deactivate,
        name="intervenant_deactivate",
    ),
    path("<int:usager_id>/droits/", droits, name="droits"),
    path("<int:usager_id>/droits/nouveau/", droit_edit, name="droit_new"),
    path("<int:usager_id>/droits/<int:droit_id>/", droit_edit, name="droit_edit"),
    path("droits/echeances/", droits_echeances, name="droits_echeances"),
    path("<int:usager_id>/synthese/", synthese, name="synthese"),
    path("<int:usager_id>/synthese/pdf/", synthese_pdf, name="synthese_pdf"),
]
