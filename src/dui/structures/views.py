"""Administration of organismes gestionnaires, établissements and units.

Every view first resolves what the administrator may reach (`structures.access`): anything
else, and every page for a user who administers nothing, answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dui.structures import access, services
from dui.structures.forms import (
    EtablissementCreateForm,
    EtablissementForm,
    OrganismeForm,
    UniteForm,
    initial_from,
)
from dui.structures.services import ETABLISSEMENT_FIELDS, ORGANISME_FIELDS, UNITE_FIELDS


@login_required
def structure_list(request: HttpRequest) -> HttpResponse:
    access.require_administrator(request.user)
    etablissements = access.administered_etablissements(request.user).prefetch_related("unites")
    return render(
        request,
        "structures/list.html",
        {
            "organismes": access.administered_organismes(request.user),
            "etablissements": etablissements,
        },
    )


@login_required
def organisme_edit(request: HttpRequest, organisme_id: int) -> HttpResponse:
    organisme = access.organisme_get_for_admin(request.user, organisme_id)
    form = OrganismeForm(
        request.POST or None,
        instance=organisme,
        initial=initial_from(organisme, list(ORGANISME_FIELDS)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisme_update(
                actor=request.user,
                organisme=organisme,
                values=form.finess_values,
                finess_confirme=form.cleaned_data["confirmer_finess"],
                request=request,
            )
        except services.StructureError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Organisme gestionnaire enregistré.")
            return redirect("structures:list")
    return render(request, "structures/organisme_form.html", {"form": form, "organisme": organisme})


@login_required
def etablissement_new(request: HttpRequest) -> HttpResponse:
    access.require_administrator(request.user)
    form = EtablissementCreateForm(
        request.POST or None, organismes=access.administered_organismes(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            etablissement = services.etablissement_create(
                actor=request.user,
                organisme=form.cleaned_data["organisme"],
                values=form.finess_values,
                finess_confirme=form.cleaned_data["confirmer_finess"],
                request=request,
            )
        except services.StructureError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Établissement créé ; vous en êtes administrateur.")
            return redirect("structures:etablissement", etablissement.pk)
    return render(request, "structures/etablissement_form.html", {"form": form})


@login_required
def etablissement_detail(request: HttpRequest, etablissement_id: int) -> HttpResponse:
    etablissement = access.etablissement_get_for_admin(request.user, etablissement_id)
    return render(
        request,
        "structures/etablissement_detail.html",
        {"etablissement": etablissement, "unites": etablissement.unites.all()},
    )


@login_required
def etablissement_edit(request: HttpRequest, etablissement_id: int) -> HttpResponse:
    etablissement = access.etablissement_get_for_admin(request.user, etablissement_id)
    form = EtablissementForm(
        request.POST or None,
        instance=etablissement,
        initial=initial_from(etablissement, list(ETABLISSEMENT_FIELDS)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.etablissement_update(
                actor=request.user,
                etablissement=etablissement,
                values=form.finess_values,
                finess_confirme=form.cleaned_data["confirmer_finess"],
                request=request,
            )
        except services.StructureError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Établissement enregistré.")
            return redirect("structures:etablissement", etablissement.pk)
    return render(
        request,
        "structures/etablissement_form.html",
        {"form": form, "etablissement": etablissement},
    )


@login_required
def unite_new(request: HttpRequest, etablissement_id: int) -> HttpResponse:
    etablissement = access.etablissement_get_for_admin(request.user, etablissement_id)
    form = UniteForm(request.POST or None, etablissement=etablissement)
    if request.method == "POST" and form.is_valid():
        try:
            services.unite_create(
                actor=request.user,
                etablissement=etablissement,
                values=form.cleaned_data,
                request=request,
            )
        except services.StructureError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Unité créée.")
            return redirect("structures:etablissement", etablissement.pk)
    return render(
        request, "structures/unite_form.html", {"form": form, "etablissement": etablissement}
    )


@login_required
def unite_edit(request: HttpRequest, unite_id: int) -> HttpResponse:
    unite = access.unite_get_for_admin(request.user, unite_id)
    form = UniteForm(
        request.POST or None,
        etablissement=unite.etablissement,
        instance=unite,
        initial=initial_from(unite, list(UNITE_FIELDS)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unite_update(
                actor=request.user, unite=unite, values=form.cleaned_data, request=request
            )
        except services.StructureError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Unité enregistrée.")
            return redirect("structures:etablissement", unite.etablissement_id)
    return render(
        request,
        "structures/unite_form.html",
        {"form": form, "etablissement": unite.etablissement, "unite": unite},
    )
