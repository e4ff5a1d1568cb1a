"""Views of the soins category: the person's Constantes tab, corrections, the day's
out-of-range values of the établissement and its alert thresholds.

Soins data is read with "usager.soins.read" and written with "usager.soins.write"; a
person out of scope, or a user without the right, gets 404.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.soins import services, tableau
from dui.soins.constantes import SPECS
from dui.soins.forms import CorrectionForm, SaisieRapideForm, SeuilForm
from dui.soins.models import Mesure, seuils_for
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

READ, WRITE = "usager.soins.read", "usager.soins.write"
TAB = "soins:constantes"


def _usager(request: HttpRequest, usager_id: int, permission: str) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, permission, usager)
    return usager


def _apply(form: Any, call: Any) -> bool:
    """Run a service call; turn a refusal into form errors. True when saved."""
    try:
        call()
    except services.SoinsError as error:
        for name, msgs in error.errors.items():
            for msg in msgs:
                form.add_error(name if name in form.fields else None, msg)
        return False
    except IdentiteError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
def constantes(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, READ)
    may_write = policy.allows(request.user, WRITE, usager) and usager.archive_le is None
    form = SaisieRapideForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, WRITE, usager)
        if form.is_valid():
            if not form.saisies:
                form.add_error(None, "Saisissez au moins une mesure.")
            elif _apply(
                form,
                lambda: services.mesure_record(
                    actor=request.user,
                    usager=usager,
                    saisies=form.saisies,
                    mesure_le=form.mesure_le_value,
                    request=request,
                ),
            ):
                messages.success(request, f"{len(form.saisies)} mesure(s) enregistrée(s).")
                return redirect(TAB, usager.pk)
    etab_id = tableau.etablissement_of(usager, getattr(request, "etablissement", None))
    series = tableau.series_for(usager, seuils_for(etab_id))
    context = record_context(request, usager, tab=TAB)
    return render(
        request,
        "soins/constantes.html",
        {**context, "form": form, "series": series, "may_write": may_write},
    )


@login_required
def mesure_corriger(request: HttpRequest, usager_id: int, mesure_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, WRITE)
    mesure = Mesure.objects.filter(usager=usager, pk=mesure_id).first()
    if mesure is None:
        raise Http404("Introuvable.")
    double = SPECS[mesure.type].double
    form = CorrectionForm(request.POST or None, double=double)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _apply(
            form,
            lambda: services.mesure_correct(
                actor=request.user,
                mesure=mesure,
                valeur=d["valeur"],
                valeur2=d.get("valeur2"),
                motif=d["motif"],
                request=request,
            ),
        ):
            messages.success(
                request, "Mesure corrigée ; l'ancienne valeur reste dans l'historique."
            )
            return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"mesure": mesure.pk})
    return render(
        request, "soins/mesure_corriger.html", {**context, "form": form, "mesure": mesure}
    )


@login_required
def constantes_du_jour(request: HttpRequest) -> HttpResponse:
    etab = getattr(request, "etablissement", None)
    if not tableau.reads_soins_in(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    points = tableau.hors_norme_du_jour(request.user, etab)
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="soins.mesure",
        details={"usager_ids": sorted({p.mesure.usager_id for p in points if p.mesure})},
    )

    def unite(p: tableau.Point) -> str:
        sejours = getattr(p.mesure.usager, "sejours_ici", []) if p.mesure else []
        return next((s.unite.nom for s in sejours if s.unite_id), "Sans unité")

    points.sort(key=lambda p: (unite(p) == "Sans unité", unite(p)))
    unites = [(nom, list(group)) for nom, group in groupby(points, key=unite)]
    return render(
        request, "soins/constantes_du_jour.html", {"etablissement": etab, "unites": unites}
    )


@login_required
def seuils(request: HttpRequest) -> HttpResponse:
    etab = getattr(request, "etablissement", None)
    if not services.may_set_seuils(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    assert etab is not None
    form = SeuilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        type_code, bas, haut = form.values()
        if _apply(
            form,
            lambda: services.seuils_set(
                actor=request.user,
                etablissement=etab,
                type=type_code,
                bas=bas,
                haut=haut,
                request=request,
            ),
        ):
            messages.success(request, "Seuil enregistré.")
            return redirect("soins:seuils")
    current = seuils_for(etab.pk)
    lignes = [
        {
            "spec": spec,
            "bas": current[code][0],
            "haut": current[code][1],
            "defaut": (spec.bas, spec.haut) == current[code],
        }
        for code, spec in SPECS.items()
    ]
    return render(
        request, "soins/seuils.html", {"etablissement": etab, "form": form, "lignes": lignes}
    )


app_name = "soins"
urlpatterns = [
    path("<int:usager_id>/constantes/", constantes, name="constantes"),
    path(
        "<int:usager_id>/constantes/<int:mesure_id>/corriger/",
        mesure_corriger,
        name="mesure_corriger",
    ),
    path("constantes-du-jour/", constantes_du_jour, name="constantes_du_jour"),
    path("seuils-constantes/", seuils, name="seuils"),
]
