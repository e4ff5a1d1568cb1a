"""The person's "Dossier de soins" tab: antécédents (category "medical"), allergies and the
"no known allergy" statement, vaccinations (category "soins"); add and withdraw forms.

Antécédents are shown and changed only with medical rights; the rest with soins rights.
A person out of scope, or a user without the right, gets 404 and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from dui.comptes import policy
from dui.soins import services
from dui.soins.forms import AllergieForm, AntecedentForm, RetraitForm, VaccinationForm
from dui.soins.models import Allergie, AllergieStatut, Antecedent, Vaccination
from dui.soins.views import _apply
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

TAB = "soins:dossier"
SOINS_R, SOINS_W = "usager.soins.read", "usager.soins.write"
MED_R, MED_W = "usager.medical.read", "usager.medical.write"

# kind: (model, read, write, form, service add, service deactivate, title)
KINDS: dict[str, tuple[Any, str, str, Any, Any, Any, str]] = {
    "antecedent": (
        Antecedent,
        MED_R,
        MED_W,
        AntecedentForm,
        services.antecedent_add,
        services.antecedent_deactivate,
        "un antécédent",
    ),
    "allergie": (
        Allergie,
        SOINS_R,
        SOINS_W,
        AllergieForm,
        services.allergie_add,
        services.allergie_deactivate,
        "une allergie ou intolérance",
    ),
    "vaccination": (
        Vaccination,
        SOINS_R,
        SOINS_W,
        VaccinationForm,
        services.vaccination_add,
        services.vaccination_deactivate,
        "une vaccination",
    ),
}


def _usager(request: HttpRequest, usager_id: int, *permissions: str) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    for permission in permissions:
        policy.require(request.user, permission, usager)
    return usager


@require_GET
@login_required
def dossier(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, SOINS_R)
    user = request.user
    writable = usager.archive_le is None and usager.fusionne_dans_id is None
    medical = policy.allows(user, MED_R, usager)
    context = record_context(request, usager, tab=TAB, details={"medical": medical})
    antecedents = (
        list(Antecedent.objects.filter(usager=usager).order_by("-actif", "type", "-annee", "pk"))
        if medical
        else None
    )
    return render(
        request,
        "soins/dossier.html",
        {
            **context,
            "antecedents": antecedents,
            "allergies": list(
                Allergie.objects.filter(usager=usager).order_by("-actif", "substance", "pk")
            ),
            "statut": AllergieStatut.objects.filter(usager=usager).first(),
            "vaccinations": list(
                Vaccination.objects.filter(usager=usager).order_by("-actif", "-date", "pk")
            ),
            "may_write_soins": writable and policy.allows(user, SOINS_W, usager),
            "may_write_medical": writable and medical and policy.allows(user, MED_W, usager),
        },
    )


def _ajouter(request: HttpRequest, usager_id: int, kind: str) -> HttpResponse:
    model, read, write, form_class, add, _, titre = KINDS[kind]
    usager = _usager(request, usager_id, SOINS_R, read, write)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: add(actor=request.user, usager=usager, request=request, **form.cleaned_data),
        )
    ):
        messages.success(request, "Information enregistrée.")
        return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"ajout": kind})
    return render(request, "soins/dossier_ajouter.html", {**context, "form": form, "titre": titre})


def _retirer(request: HttpRequest, usager_id: int, entry_id: int, kind: str) -> HttpResponse:
    model, read, write, _, _, deactivate, titre = KINDS[kind]
    usager = _usager(request, usager_id, SOINS_R, read, write)
    entry = model.objects.filter(usager=usager, pk=entry_id).first()
    if entry is None:
        raise Http404("Introuvable.")
    form = RetraitForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: deactivate(
                actor=request.user,
                motif=form.cleaned_data["motif"],
                request=request,
                **{kind: entry},
            ),
        )
    ):
        messages.success(request, "Information retirée ; elle reste dans l'historique.")
        return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={kind: entry.pk})
    return render(
        request,
        "soins/dossier_retirer.html",
        {**context, "form": form, "entry": entry, "titre": titre},
    )


@login_required
def antecedent_ajouter(request: HttpRequest, usager_id: int) -> HttpResponse:
    return _ajouter(request, usager_id, "antecedent")


@login_required
def allergie_ajouter(request: HttpRequest, usager_id: int) -> HttpResponse:
    return _ajouter(request, usager_id, "allergie")


@login_required
def vaccination_ajouter(request: HttpRequest, usager_id: int) -> HttpResponse:
    return _ajouter(request, usager_id, "vaccination")


@login_required
def antecedent_retirer(request: HttpRequest, usager_id: int, entry_id: int) -> HttpResponse:
    return _retirer(request, usager_id, entry_id, "antecedent")


@login_required
def allergie_retirer(request: HttpRequest, usager_id: int, entry_id: int) -> HttpResponse:
    return _retirer(request, usager_id, entry_id, "allergie")


@login_required
def vaccination_retirer(request: HttpRequest, usager_id: int, entry_id: int) -> HttpResponse:
    return _retirer(request, usager_id, entry_id, "vaccination")


@require_POST
@login_required
def allergies_aucune(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, SOINS_W)
    try:
        services.allergies_declare_aucune(actor=request.user, usager=usager, request=request)
    except (services.SoinsError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "« Aucune allergie connue » enregistré.")
    return redirect(TAB, usager.pk)


urlpatterns = [
    path("<int:usager_id>/dossier-soins/", dossier, name="dossier"),
    path(
        "<int:usager_id>/dossier-soins/antecedents/ajouter/",
        antecedent_ajouter,
        name="antecedent_ajouter",
    ),
    path(
        "<int:usager_id>/dossier-soins/antecedents/<int:entry_id>/retirer/",
        antecedent_retirer,
        name="antecedent_retirer",
    ),
    path(
        "<int:usager_id>/dossier-soins/allergies/ajouter/",
        allergie_ajouter,
        name="allergie_ajouter",
    ),
    path(
        "<int:usager_id>/dossier-soins/allergies/<int:entry_id>/retirer/",
        allergie_retirer,
        name="allergie_retirer",
    ),
    path(
        "<int:usager_id>/dossier-soins/allergies/aucune/",
        allergies_aucune,
        name="allergies_aucune",
    ),
    path(
        "<int:usager_id>/dossier-soins/vaccinations/ajouter/",
        vaccination_ajouter,
        name="vaccination_ajouter",
    ),
    path(
        "<int:usager_id>/dossier-soins/vaccinations/<int:entry_id>/retirer/",
        vaccination_retirer,
        name="vaccination_retirer",
    ),
]
