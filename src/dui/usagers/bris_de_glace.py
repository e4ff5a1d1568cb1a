"""Break-glass screens: find a person outside one's scope, give a reason, open the record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers import services_bris_de_glace as services


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(forms.Form):
    nom = forms.CharField(
        label="Nom de naissance ou nom utilisé",
        max_length=100,
        error_messages={"required": "Le nom est obligatoire."},
    )
    date_naissance = forms.DateField(
        label="Date de naissance",
        widget=DateInput(),
        error_messages={
            "required": "La date de naissance est obligatoire.",
            "invalid": "Saisissez une date de naissance valide (jj/mm/aaaa).",
        },
    )


class OpenForm(forms.Form):
    motif = forms.CharField(
        label="Motif de l'accès exceptionnel",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Au moins {services.MOTIF_MIN_LENGTH} caractères : la situation qui rend cet "
            "accès nécessaire. Il sera communiqué au DPO."
        ),
        error_messages={"required": "Le motif est obligatoire."},
    )
    confirmation = forms.BooleanField(
        label=(
            "Je confirme que cet accès est nécessaire à l'accompagnement ou aux soins de la "
            "personne, et je sais qu'il est tracé et signalé au DPO."
        ),
        error_messages={"required": "Cochez la confirmation pour continuer."},
    )

    def clean_motif(self) -> str:
        motif = self.cleaned_data["motif"].strip()
        if len(motif) < services.MOTIF_MIN_LENGTH:
            raise ValidationError(
                f"Le motif doit expliquer la situation en au moins "
                f"{services.MOTIF_MIN_LENGTH} caractères."
            )
        return str(motif)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    if not policy.allows(request.user, "break_glass"):
        raise Http404("Accès exceptionnel non autorisé.")
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        results = services.break_glass_candidates(
            request.user,
            nom=form.cleaned_data["nom"],
            date_naissance=form.cleaned_data["date_naissance"],
        )
        audit.record(
            action=AuditAction.SEARCH,
            request=request,
            object_type="usagers.usager",
            details={
                "ecran": "acces_exceptionnel",
                "nb_resultats": len(results),
                "usager_ids": [u.pk for u in results],
            },
        )
    return render(
        request, "usagers/bris_de_glace_recherche.html", {"form": form, "results": results}
    )


@login_required
def open_access(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = services.usager_get_for_break_glass(request.user, usager_id)
    if policy.allows(request.user, "usager.view", usager):
        # Already reachable (own scope or an access still open): no new access needed.
        return redirect("usagers:detail", usager_id=usager.pk)
    form = OpenForm(request.POST or None)
    if request.method != "POST":
        # The page shows minimal identity traits of a person outside the user's scope.
        audit.record(
            action=AuditAction.READ,
            request=request,
            obj=usager,
            usager=usager,
            details={"ecran": "acces_exceptionnel_motif", "identite_minimale": True},
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.acces_exceptionnel_open(
                user=request.user,
                usager=usager,
                motif=form.cleaned_data["motif"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("motif", exc)
        else:
            messages.warning(
                request,
                "Accès exceptionnel ouvert : chaque consultation est tracée et signalée au DPO.",
            )
            return redirect("usagers:detail", usager_id=usager.pk)
    return render(
        request,
        "usagers/bris_de_glace_motif.html",
        {"form": form, "usager": usager, "duree_heures": settings.BREAK_GLASS_HOURS},
        status=400 if form.is_bound and form.errors else 200,
    )
