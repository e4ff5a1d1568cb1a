"""The person's "Plan de soins" tab (planned care, care acts traced with who and when) and
"Observations médicales" tab (physicians' observations, category medical).

Plan and acts: read with soins read, written with soins write. Observations: read with
medical read, written by physicians only (`plan.may_observe`). Refusals are 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui.comptes import policy
from dui.soins import plan
from dui.soins.creneaux import MOMENTS
from dui.soins.forms_traitements import DATE, MotifForm
from dui.soins.models import (
    ActeSoin,
    FrequenceSoin,
    Intervenant,
    ObservationMedicale,
    SoinPlanifie,
    TypeObservation,
    TypeSoin,
)
from dui.soins.services import SoinsError
from dui.soins.views import _apply
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

TAB_PLAN, TAB_OBS = "soins:plan_de_soins", "soins:observations"
ACTES_JOURS = 14


class SoinForm(forms.Form):
    type = forms.ChoiceField(label="Soin", choices=TypeSoin.choices)
    libelle = forms.CharField(label="Précision", required=False, max_length=200)
    frequence = forms.ChoiceField(label="Fréquence", choices=FrequenceSoin.choices)
    detail_frequence = forms.CharField(
        label="Détail de la fréquence", required=False, max_length=120,
        help_text="Par exemple « lundi et jeudi », « toutes les 3 heures ».",
    )  # fmt: skip
    moments = forms.MultipleChoiceField(
        label="Moments", choices=MOMENTS, required=False, widget=forms.CheckboxSelectMultiple
    )
    intervenant = forms.ChoiceField(label="Réalisé par", choices=Intervenant.choices)
    consignes = forms.CharField(label="Consignes", required=False, max_length=500)
    debut = forms.DateField(label="Début", widget=DATE)
    fin = forms.DateField(label="Fin prévue", widget=DATE, required=False)


class ObservationForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=TypeObservation.choices)
    texte = forms.CharField(label="Observation", widget=forms.Textarea(attrs={"rows": 6}))


class CorrectionObservationForm(ObservationForm):
    motif_correction = forms.CharField(label="Motif de la correction", max_length=300)


def _usager(request: HttpRequest, usager_id: int, permission: str) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, permission, usager)
    return usager


def _writable(usager: Usager) -> bool:
    return usager.archive_le is None and usager.fusionne_dans_id is None


@login_required
def plan_de_soins(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, "usager.soins.read")
    if request.method not in ("GET", "HEAD"):
        raise Http404("Introuvable.")
    soins = list(
        SoinPlanifie.objects.filter(usager=usager)
        .select_related("arret_par")
        .order_by("arret_le", "type", "pk")
    )
    depuis = timezone.now() - datetime.timedelta(days=ACTES_JOURS)
    actes = list(
        ActeSoin.objects.filter(usager=usager, realise_le__gte=depuis)
        .select_related("realise_par", "soin")
        .order_by("-realise_le", "-pk")
    )
    context = record_context(request, usager, tab=TAB_PLAN)
    return render(
        request,
        "soins/plan_de_soins.html",
        {
            **context,
            "actifs": [s for s in soins if s.arret_le is None],
            "arretes": [s for s in soins if s.arret_le is not None],
            "actes": actes,
            "jours": ACTES_JOURS,
            "types": TypeSoin.choices,
            "may_write": _writable(usager) and plan.may_plan(request.user, usager),
        },
    )


@login_required
def soin_ajouter(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, "usager.soins.write")
    form = SoinForm(request.POST or None, initial={"debut": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: plan.soin_ajouter(
                actor=request.user, usager=usager, request=request, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Soin ajouté au plan de soins.")
        return redirect(TAB_PLAN, usager.pk)
    context = record_context(request, usager, tab=TAB_PLAN, details={"ajout": "soin"})
    return render(
        request,
        "soins/dossier_ajouter.html",
        {**context, "form": form, "titre": "un soin au plan", "retour": TAB_PLAN},
    )


@login_required
def soin_arreter(request: HttpRequest, usager_id: int, soin_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, "usager.soins.write")
    soin = SoinPlanifie.objects.filter(usager=usager, pk=soin_id).first()
    if soin is None:
        raise Http404("Introuvable.")
    form = MotifForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: plan.soin_arreter(
                actor=request.user, soin=soin, motif=form.cleaned_data["motif"], request=request
            ),
        )
    ):
        messages.success(request, "Soin arrêté ; il reste dans l'historique.")
        return redirect(TAB_PLAN, usager.pk)
    context = record_context(request, usager, tab=TAB_PLAN, details={"soin": soin.pk})
    return render(
        request,
        "soins/soin_arreter.html",
        {**context, "form": form, "soin": soin},
    )


@require_POST
@login_required
def acte_tracer(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, "usager.soins.write")
    soin = None
    soin_id = request.POST.get("soin", "")
    if soin_id:
        soin = SoinPlanifie.objects.filter(
            usager=usager, pk=soin_id if soin_id.isdigit() else 0
        ).first()
        if soin is None:
            raise Http404("Introuvable.")
    try:
        plan.acte_tracer(
            actor=request.user,
            usager=usager,
            soin=soin,
            type=request.POST.get("type", ""),
            fait=request.POST.get("fait", "1") == "1",
            commentaire=request.POST.get("commentaire", "")[:500],
            request=request,
        )
    except (SoinsError, IdentiteError) as error:
        messages.error(request, f"Rien n'a été enregistré : {error}")
    else:
        messages.success(request, "Soin tracé.")
    return redirect(TAB_PLAN, usager.pk)


@login_required
def observations(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, "usager.medical.read")
    may_write = _writable(usager) and plan.may_observe(request.user, usager)
    form = ObservationForm(request.POST or None)
    if request.method == "POST":
        if not may_write:
            raise Http404("Introuvable ou non autorisé.")
        if form.is_valid() and _apply(
            form,
            lambda: plan.observation_ajouter(
                actor=request.user, usager=usager, request=request, **form.cleaned_data
            ),
        ):
            messages.success(request, "Observation enregistrée.")
            return redirect(TAB_OBS, usager.pk)
    items = list(
        ObservationMedicale.objects.filter(usager=usager)
        .select_related("auteur", "corrige")
        .order_by("-date", "-pk")
    )
    context = record_context(request, usager, tab=TAB_OBS)
    return render(
        request,
        "soins/observations.html",
        {**context, "items": items, "form": form, "may_write": may_write},
    )


@login_required
def observation_corriger(request: HttpRequest, usager_id: int, obs_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, "usager.medical.write")
    if not plan.may_observe(request.user, usager):
        raise Http404("Introuvable ou non autorisé.")
    obs = ObservationMedicale.objects.filter(usager=usager, pk=obs_id).first()
    if obs is None:
        raise Http404("Introuvable.")
    form = CorrectionObservationForm(
        request.POST or None, initial={"type": obs.type, "texte": obs.texte}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: plan.observation_ajouter(
                actor=request.user,
                usager=usager,
                corrige=obs,
                request=request,
                **form.cleaned_data,
            ),
        )
    ):
        messages.success(request, "Observation corrigée ; la version précédente est conservée.")
        return redirect(TAB_OBS, usager.pk)
    context = record_context(request, usager, tab=TAB_OBS, details={"observation": obs.pk})
    return render(
        request,
        "soins/dossier_ajouter.html",
        {**context, "form": form, "titre": "une correction d'observation", "retour": TAB_OBS},
    )


urlpatterns: list[Any] = [
    path("<int:usager_id>/plan-de-soins/", plan_de_soins, name="plan_de_soins"),
    path("<int:usager_id>/plan-de-soins/ajouter/", soin_ajouter, name="soin_ajouter"),
    path("<int:usager_id>/plan-de-soins/<int:soin_id>/arreter/", soin_arreter, name="soin_arreter"),
    path("<int:usager_id>/plan-de-soins/tracer/", acte_tracer, name="acte_tracer"),
    path("<int:usager_id>/observations/", observations, name="observations"),
    path(
        "<int:usager_id>/observations/<int:obs_id>/corriger/",
        observation_corriger,
        name="observation_corriger",
    ),
]
