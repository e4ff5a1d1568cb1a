"""Cahier de liaison: the person's shared transmissions and with whom, sharing and
withdrawing, the printed cahier for one recipient, and the établissement's partners."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from dui import audit
from dui.accompagnement import liaison, timeline
from dui.accompagnement.forms_liaison import PartageForm, PartenaireForm, RetraitPartageForm
from dui.accompagnement.models import PartageTransmission, Partenaire, transmission_categories
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.structures.models import Etablissement
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import PriseEnCharge, Usager

TAB = "accompagnement:transmissions"
CAHIER = "accompagnement:cahier_liaison"


def _etablissement_ids(usager: Usager) -> list[int]:
    return list(
        PriseEnCharge.objects.filter(usager=usager)
        .values_list("etablissement_id", flat=True)
        .distinct()
    )


@login_required
def cahier_liaison(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    categories = timeline.categories_for_usager(request.user, usager)
    page = Paginator(liaison.cahier(usager, categories), timeline.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = record_context(
        request, usager, tab=TAB, details={"cahier_liaison": [t.pk for t in page.object_list]}
    )
    writable = transmission_categories(policy.usager_categories(request.user, usager, write=True))
    partenaires = list(
        liaison.partenaires_sous_convention(_etablissement_ids(usager)).select_related(
            "etablissement"
        )
    )
    return render(
        request,
        "accompagnement/cahier_liaison.html",
        {
            **context,
            "page": page,
            "writable": writable,
            "may_write": usager.archive_le is None,
            "partenaires": partenaires,
        },
    )


def _transmission_for_write(request: HttpRequest, usager: Usager, transmission_id: int) -> Any:
    t = (
        timeline.for_usager(usager, timeline.categories_for_usager(request.user, usager))
        .filter(pk=transmission_id)
        .first()
    )
    if t is None:
        raise Http404("Transmission introuvable.")
    policy.require(request.user, f"usager.{t.policy_categorie}.write", usager)
    return t


@login_required
def transmission_partager(
    request: HttpRequest, usager_id: int, transmission_id: int
) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    transmission = _transmission_for_write(request, usager, transmission_id)
    partenaires = list(liaison.partenaires_sous_convention([transmission.etablissement_id]))
    form = PartageForm(request.POST or None, partenaires=partenaires)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["destinataire"]
        partenaire = None
        destinataire = "personne"
        if choice.startswith("partenaire-"):
            destinataire = "partenaire"
            partenaire = next(p for p in partenaires if f"partenaire-{p.pk}" == choice)
        try:
            liaison.transmission_share(
                actor=request.user,
                transmission=transmission,
                destinataire=destinataire,
                partenaire=partenaire,
                request=request,
            )
        except (liaison.LiaisonError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Transmission partagée dans le cahier de liaison.")
            return redirect(CAHIER, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"transmission": transmission.pk})
    return render(
        request,
        "accompagnement/partage_form.html",
        {**context, "form": form, "t": transmission},
    )


@login_required
def partage_retirer(request: HttpRequest, usager_id: int, partage_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    partage = (
        PartageTransmission.objects.select_related("transmission", "partenaire")
        .filter(pk=partage_id, transmission__usager=usager)
        .first()
    )
    if partage is None:
        raise Http404("Partage introuvable.")
    transmission = _transmission_for_write(request, usager, partage.transmission_id)
    form = RetraitPartageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            liaison.transmission_unshare(
                actor=request.user,
                partage=partage,
                motif=form.cleaned_data["motif"],
                request=request,
            )
        except (liaison.LiaisonError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Partage retiré ; il reste tracé dans le cahier.")
            return redirect(CAHIER, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"transmission": transmission.pk})
    return render(
        request,
        "accompagnement/partage_retrait.html",
        {**context, "form": form, "t": transmission, "partage": partage},
    )


@login_required
def cahier_liaison_export(request: HttpRequest, usager_id: int, pour: str) -> HttpResponse:
    """The printed cahier for one recipient: "personne" (the person and aidants) or the id
    of a partner of one of the person's établissements."""
    usager = usager_get_for(request.user, usager_id)
    partenaire: Partenaire | None = None
    if pour != "personne":
        if not pour.isdigit():
            raise Http404("Destinataire inconnu.")
        partenaire = Partenaire.objects.filter(
            pk=int(pour), etablissement_id__in=_etablissement_ids(usager)
        ).first()
        if partenaire is None:
            raise Http404("Partenaire introuvable.")
    categories = timeline.categories_for_usager(request.user, usager)
    transmissions = liaison.export_for(request.user, usager, partenaire, categories)
    audit.record(
        action=AuditAction.EXPORT,
        request=request,
        usager=usager,
        etablissement=getattr(request, "etablissement", None),
        object_type="accompagnement.cahier_liaison",
        details={
            "destinataire": "personne" if partenaire is None else "partenaire",
            "partenaire": partenaire.pk if partenaire else None,
            "transmissions": [t.pk for t in transmissions],
        },
    )
    pdf = liaison.render_export_pdf(usager, partenaire, transmissions, author=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'inline; filename="cahier-de-liaison-{stamp}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- partners of the current établissement ---------------------------------------------------


def _current_etab(request: HttpRequest, *, manage: bool) -> Etablissement:
    etab = getattr(request, "etablissement", None)
    allowed = (
        liaison.may_manage_partners(request.user, etab)
        if manage
        else liaison.may_read_partners(request.user, etab)
    )
    if not allowed or etab is None:
        raise Http404("Introuvable ou non autorisé.")
    return etab


@login_required
def partenaires(request: HttpRequest) -> HttpResponse:
    etab = _current_etab(request, manage=False)
    today = timezone.localdate()
    rows = [(p, p.sous_convention(today)) for p in Partenaire.objects.filter(etablissement=etab)]
    return render(
        request,
        "accompagnement/partenaires.html",
        {
            "etablissement": etab,
            "rows": rows,
            "may_manage": liaison.may_manage_partners(request.user, etab),
        },
    )


@login_required
def partenaire_edit(request: HttpRequest, partenaire_id: int | None = None) -> HttpResponse:
    etab = _current_etab(request, manage=True)
    partenaire = None
    initial: dict[str, Any] = {}
    if partenaire_id is not None:
        partenaire = Partenaire.objects.filter(pk=partenaire_id, etablissement=etab).first()
        if partenaire is None:
            raise Http404("Partenaire introuvable.")
        initial = {f: getattr(partenaire, f) for f in liaison.PARTENAIRE_FIELDS}
        initial["version"] = partenaire.version
    form = PartenaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            liaison.partenaire_save(
                actor=request.user,
                etablissement=etab,
                data=form.values(),
                partenaire=partenaire,
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except liaison.LiaisonError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Partenaire enregistré.")
            return redirect("accompagnement:partenaires")
    return render(
        request,
        "accompagnement/partenaire_form.html",
        {"etablissement": etab, "form": form, "partenaire": partenaire},
    )


urlpatterns = [
    path("<int:usager_id>/cahier-de-liaison/", cahier_liaison, name="cahier_liaison"),
    path(
        "<int:usager_id>/cahier-de-liaison/export/<str:pour>/",
        cahier_liaison_export,
        name="cahier_liaison_export",
    ),
    path(
        "<int:usager_id>/cahier-de-liaison/partages/<int:partage_id>/retirer/",
        partage_retirer,
        name="partage_retirer",
    ),
    path(
        "<int:usager_id>/transmissions/<int:transmission_id>/partager/",
        transmission_partager,
        name="transmission_partager",
    ),
    path("partenaires/", partenaires, name="partenaires"),
    path("partenaires/nouveau/", partenaire_edit, name="partenaire_new"),
    path("partenaires/<int:partenaire_id>/", partenaire_edit, name="partenaire_edit"),
]
