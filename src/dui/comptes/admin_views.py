"""Administration of accounts, professional profiles, assignments and habilitations.

An administrator reaches the users assigned to the établissements they administer (and only
those assignments); anything else, and every page for a non-administrator, answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dui.comptes import admin_services as services
from dui.comptes.admin_forms import (
    AffectationForm,
    HabilitationMatrixForm,
    ProfilForm,
    UserCreateForm,
)
from dui.comptes.models import Affectation, Categorie, Professionnel, Role, User
from dui.structures import access


def _users_for_admin(actor: Any) -> QuerySet[User]:
    ids = access.require_administrator(actor)
    visible = Affectation.objects.filter(etablissement_id__in=ids).select_related(
        "etablissement", "role"
    )
    return (
        User.objects.filter(affectations__etablissement_id__in=ids)
        .distinct()
        .select_related("professionnel")
        .prefetch_related(
            Prefetch("affectations", queryset=visible, to_attr="affectations_visibles")
        )
    )


def _user_get_for_admin(actor: Any, user_id: int) -> User:
    return get_object_or_404(_users_for_admin(actor), pk=user_id)


def _profil_initial(user: User) -> dict[str, Any]:
    pro = Professionnel.objects.filter(user=user).first()
    return {
        "email": user.email,
        "nom": user.nom,
        "prenom": user.prenom,
        "profession": pro.profession if pro else "",
        "rpps": pro.rpps if pro else "",
    }


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = _users_for_admin(request.user).order_by("nom", "prenom", "pk")
    return render(request, "comptes/admin/user_list.html", {"users": users})


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    access.require_administrator(request.user)
    etablissements = access.administered_etablissements(request.user)
    form = UserCreateForm(request.POST or None, etablissements=etablissements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                email=data["email"],
                nom=data["nom"],
                prenom=data["prenom"],
                profession=data["profession"],
                rpps=data["rpps"],
                etablissement=data["etablissement"],
                role=data["role"],
                unites=data["unites"],
                request=request,
            )
        except services.CompteError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Compte créé : un lien pour choisir le mot de passe a été envoyé à {user.email}.",
            )
            if form.rpps_warning:
                messages.warning(request, form.rpps_warning)
            return redirect("comptes_admin:user", user.pk)
    return render(request, "comptes/admin/user_form.html", {"form": form})


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _user_get_for_admin(request.user, user_id)
    form = AffectationForm(etablissements=access.administered_etablissements(request.user))
    return render(
        request,
        "comptes/admin/user_detail.html",
        {
            "target": target,
            "professionnel": Professionnel.objects.filter(user=target).first(),
            "affectation_form": form,
        },
    )


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _user_get_for_admin(request.user, user_id)
    form = ProfilForm(request.POST or None, instance=target, initial=_profil_initial(target))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                actor=request.user, user=target, values=form.cleaned_data, request=request
            )
        except services.CompteError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Compte enregistré.")
            if form.rpps_warning:
                messages.warning(request, form.rpps_warning)
            return redirect("comptes_admin:user", target.pk)
    return render(request, "comptes/admin/user_form.html", {"form": form, "target": target})


@login_required
def affectation_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _user_get_for_admin(request.user, user_id)
    form = AffectationForm(
        request.POST or None, etablissements=access.administered_etablissements(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.affectation_set(
                actor=request.user,
                user=target,
                etablissement=form.cleaned_data["etablissement"],
                role=form.cleaned_data["role"],
                unites=form.cleaned_data["unites"],
                request=request,
            )
        except services.CompteError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Affectation enregistrée.")
            return redirect("comptes_admin:user", target.pk)
    return render(request, "comptes/admin/affectation_form.html", {"form": form, "target": target})


@login_required
@require_POST
def affectation_remove(request: HttpRequest, user_id: int, affectation_id: int) -> HttpResponse:
    target = _user_get_for_admin(request.user, user_id)
    affectation = get_object_or_404(
        Affectation.objects.select_related("etablissement"), pk=affectation_id, user=target
    )
    access.etablissement_get_for_admin(request.user, affectation.etablissement_id)
    try:
        services.affectation_remove(actor=request.user, affectation=affectation, request=request)
    except services.CompteError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Affectation à {affectation.etablissement.nom} retirée.")
    return redirect("comptes_admin:user", target.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _user_get_for_admin(request.user, user_id)
    try:
        services.user_deactivate(actor=request.user, user=target, request=request)
    except services.CompteError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Compte désactivé : ses sessions ouvertes sont fermées.")
    return redirect("comptes_admin:user", target.pk)


@login_required
def habilitations(request: HttpRequest, etablissement_id: int) -> HttpResponse:
    etablissement = access.etablissement_get_for_admin(request.user, etablissement_id)
    form = HabilitationMatrixForm(
        request.POST or None,
        roles=list(Role.objects.order_by("libelle")),
        effective=services.effective_habilitations(etablissement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.habilitations_save(
                actor=request.user, etablissement=etablissement, matrix=form.matrix, request=request
            )
        except services.CompteError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Habilitations enregistrées ({count} modification(s)).")
            return redirect("comptes_admin:habilitations", etablissement.pk)
    return render(
        request,
        "comptes/admin/habilitations.html",
        {"form": form, "etablissement": etablissement, "categories": Categorie.choices},
    )
