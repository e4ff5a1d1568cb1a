"""Transmissions: the person's tab, writing and correcting, the établissement's list and the
handover view ("depuis ma dernière prise de poste"), urgent ones acknowledged ("J'ai lu")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dui import audit
from dui.accompagnement import timeline
from dui.accompagnement import transmissions as services
from dui.accompagnement.forms import CorrectionForm, FiltreTransmissionsForm, TransmissionForm
from dui.accompagnement.forms_liaison import (
    FiltreEtablissementForm,
    FiltreListeForm,
    author_choices,
)
from dui.accompagnement.models import (
    CategorieTransmission,
    Transmission,
    transmission_categories,
)
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.structures.models import Etablissement, Unite
from dui.ui.liens import lien
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import PriseEnCharge, Usager

TAB = "accompagnement:transmissions"
CATEGORIE_LIBELLES = dict(CategorieTransmission.choices)


def _page(request: HttpRequest, qs: QuerySet[Transmission]) -> Page:
    """One page of transmissions, each knowing whether the user already acknowledged it,
    and the links of its card."""
    page = Paginator(qs, timeline.PAGE_SIZE).get_page(request.GET.get("page"))
    timeline.with_lectures(list(page.object_list), request.user)
    lu, corriger, partager = (
        lien(f"accompagnement:{name}", 2)
        for name in ("transmission_lu", "transmission_correct", "transmission_partager")
    )
    personne = lien(TAB)
    for t in page.object_list:
        t.url_lu = lu(t.usager_id, t.pk)  # type: ignore[attr-defined]
        t.url_corriger = corriger(t.usager_id, t.pk)  # type: ignore[attr-defined]
        t.url_partager = partager(t.usager_id, t.pk)  # type: ignore[attr-defined]
        t.url_personne = personne(t.usager_id)  # type: ignore[attr-defined]
        # get_categorie_display rebuilds the choices dict on every call (30 times a page).
        t.categorie_libelle = CATEGORIE_LIBELLES[t.categorie]  # type: ignore[attr-defined]
    return page


def _filtered(
    request: HttpRequest,
    qs: QuerySet[Transmission],
    categories: list[str],
    auteurs: Any,
    unites: list[tuple[int, str]] | None = None,
) -> tuple[FiltreTransmissionsForm, QuerySet[Transmission]]:
    form: FiltreTransmissionsForm
    auteurs = author_choices(auteurs)
    if unites is None:
        form = FiltreListeForm(request.GET or None, categories=categories, auteurs=auteurs)
    else:
        form = FiltreEtablissementForm(
            request.GET or None, categories=categories, auteurs=auteurs, unites=unites
        )
    if form.is_bound and form.is_valid():
        qs = timeline.apply_filters(qs, form.cleaned_data)
    elif form.is_bound:
        qs = qs.none()
    return form, qs


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _writing_etablissement(request: HttpRequest, usager: Usager) -> Etablissement | None:
    """Where a transmission is written: the current établissement if the person has a stay
    there, else the établissement of their latest stay."""
    current = getattr(request, "etablissement", None)
    stays = list(
        PriseEnCharge.objects.filter(usager=usager)
        .order_by("-date_debut")
        .values_list("etablissement_id", flat=True)
    )
    if current is not None and current.pk in stays:
        return current
    return Etablissement.objects.filter(pk=stays[0]).first() if stays else None


@login_required
def transmissions(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    categories = timeline.categories_for_usager(request.user, usager)
    base = timeline.for_usager(usager, categories)
    auteurs = get_user_model().objects.filter(
        pk__in=Transmission.objects.filter(usager=usager, categorie__in=categories).values("auteur")
    )
    form, qs = _filtered(request, base, categories, auteurs)
    page = _page(request, qs)
    context = record_context(
        request,
        usager,
        tab=TAB,
        details={"transmissions": [t.pk for t in page.object_list]},
    )
    writable = transmission_categories(policy.usager_categories(request.user, usager, write=True))
    return render(
        request,
        "accompagnement/transmissions.html",
        {
            **context,
            "page": page,
            "form": form,
            "querystring": _querystring(request),
            "may_write": bool(writable) and usager.archive_le is None,
            "writable": writable,
        },
    )


def _writable_or_404(request: HttpRequest, usager: Usager) -> list[str]:
    writable = transmission_categories(policy.usager_categories(request.user, usager, write=True))
    if not writable:
        raise Http404("Introuvable ou non autorisé.")
    return writable


@login_required
def transmission_new(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    writable = _writable_or_404(request, usager)
    form = TransmissionForm(request.POST or None, categories=writable)
    if request.method == "POST" and form.is_valid():
        etab = _writing_etablissement(request, usager)
        if etab is None:
            form.add_error(None, "Cette personne n'a aucun séjour : impossible d'écrire ici.")
        else:
            try:
                services.transmission_create(
                    actor=request.user,
                    usager=usager,
                    etablissement=etab,
                    request=request,
                    **form.values(),
                )
            except (services.TransmissionError, IdentiteError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Transmission enregistrée.")
                return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB)
    return render(
        request,
        "accompagnement/transmission_form.html",
        {**context, "form": form, "original": None},
    )


def _transmission(request: HttpRequest, usager: Usager, transmission_id: int, mode: str) -> Any:
    transmission = (
        Transmission.objects.select_related("auteur", "etablissement")
        .filter(usager=usager, pk=transmission_id)
        .first()
    )
    if transmission is None:
        raise Http404("Transmission introuvable.")
    policy.require(request.user, f"usager.{transmission.policy_categorie}.{mode}", usager)
    transmission.usager = usager
    return transmission


@login_required
def transmission_correct(
    request: HttpRequest, usager_id: int, transmission_id: int
) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    original = _transmission(request, usager, transmission_id, "write")
    initial = {
        f: getattr(original, f)
        for f in ("type", "cible", "donnees", "actions", "resultats", "texte", "is_urgent")
    }
    initial["partage_cahier_liaison"] = original.partage_cahier_liaison
    form = CorrectionForm(request.POST or None, categories=[], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.transmission_correct(
                actor=request.user,
                transmission=original,
                motif=form.cleaned_data["motif"],
                request=request,
                **form.values(),
            )
        except (services.TransmissionError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Correction enregistrée ; l'original reste consultable.")
            return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"transmission": original.pk})
    return render(
        request,
        "accompagnement/transmission_form.html",
        {**context, "form": form, "original": original},
    )


@login_required
@require_POST
def transmission_lu(request: HttpRequest, usager_id: int, transmission_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    transmission = _transmission(request, usager, transmission_id, "read")
    try:
        services.transmission_acknowledge(
            actor=request.user, transmission=transmission, request=request
        )
    except (services.TransmissionError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Lecture enregistrée.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse(TAB, args=[usager.pk])
    return redirect(target)


def _etablissement_list(request: HttpRequest, *, handover: bool) -> HttpResponse:
    etab = getattr(request, "etablissement", None)
    if not policy.allows(request.user, "usagers.list", etab):
        raise Http404("Introuvable ou non autorisé.")
    assert etab is not None
    since = services.handover_since(request.user) if handover else None
    categories = timeline.categories_in(request.user, etab)
    auteurs = get_user_model().objects.filter(affectations__etablissement=etab).distinct()
    unites = list(Unite.objects.filter(etablissement=etab).order_by("nom").values_list("pk", "nom"))
    form, qs = _filtered(
        request,
        timeline.for_etablissement(request.user, etab, since),
        categories,
        auteurs,
        unites,
    )
    page = _page(request, qs)
    audit.record(
        action=AuditAction.LIST,
        request=request,
        etablissement=etab,
        object_type="accompagnement.transmission",
        details={
            "vue": "releve" if handover else "etablissement",
            "usager_ids": sorted({t.usager_id for t in page.object_list}),
        },
    )
    return render(
        request,
        "accompagnement/transmissions_etablissement.html",
        {
            "etablissement": etab,
            "page": page,
            "form": form,
            "since": since,
            "handover": handover,
            "querystring": _querystring(request),
        },
    )


@login_required
def transmissions_etablissement(request: HttpRequest) -> HttpResponse:
    return _etablissement_list(request, handover=False)


@login_required
def transmissions_releve(request: HttpRequest) -> HttpResponse:
    return _etablissement_list(request, handover=True)


urlpatterns = [
    path("<int:usager_id>/transmissions/", transmissions, name="transmissions"),
    path("<int:usager_id>/transmissions/nouvelle/", transmission_new, name="transmission_new"),
    path(
        "<int:usager_id>/transmissions/<int:transmission_id>/corriger/",
        transmission_correct,
        name="transmission_correct",
    ),
    path(
        "<int:usager_id>/transmissions/<int:transmission_id>/lu/",
        transmission_lu,
        name="transmission_lu",
    ),
    path("transmissions/", transmissions_etablissement, name="transmissions_etablissement"),
    path("transmissions/releve/", transmissions_releve, name="transmissions_releve"),
]
