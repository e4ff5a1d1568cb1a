"""Administration of evaluation grids defined without code (administrators of the
établissement, through the policy's "etablissement.admin"); anything else answers 404."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from dui.accompagnement import grilles
from dui.accompagnement.models import Grille, StatutGrille, TypeGrille
from dui.comptes import policy
from dui.structures import access

QUESTIONS_HELP = (
    "Une ligne par question, suivie d'une ligne par réponse commençant par un tiret : "
    "« - libellé = points ». Exemple : Appétit, puis « - Bon = 0 » et « - Diminué = 1 »."
)
BANDES_HELP = (
    "Une ligne par tranche du total : « minimum-maximum = libellé », par exemple "
    "« 0-4 = Risque faible ». Les tranches couvrent chaque total possible une seule fois."
)


class GrilleForm(forms.Form):
    etablissement: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Établissement", queryset=None
    )
    libelle = forms.CharField(label="Titre", max_length=200)
    categorie = forms.ChoiceField(
        label="Catégorie des données",
        choices=grilles.CATEGORIES,
        help_text="Décide qui consulte et remplit les évaluations faites avec cette grille.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    questions = forms.CharField(
        label="Questions et réponses",
        required=False,
        help_text=QUESTIONS_HELP,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    bandes = forms.CharField(
        label="Tranches de résultat",
        required=False,
        help_text=BANDES_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, etablissements: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if etablissements is None:
            del self.fields["etablissement"]
        else:
            field = cast(forms.ModelChoiceField[Any], self.fields["etablissement"])
            field.queryset = etablissements
            field.empty_label = None

    def definition(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in ("libelle", "categorie", "description", "questions", "bandes")
        }


def _grille_for_admin(request: HttpRequest, grille_id: int) -> Grille:
    """An administrator's grid of an établissement the user administers; 404 otherwise."""
    grille = (
        Grille.objects.select_related("etablissement")
        .filter(pk=grille_id, type=TypeGrille.ADMINISTRATEUR, etablissement__isnull=False)
        .first()
    )
    if grille is None:
        raise Http404("Grille introuvable.")
    policy.require(request.user, "etablissement.admin", grille.etablissement)
    return grille


@login_required
def grille_list(request: HttpRequest) -> HttpResponse:
    ids = access.require_administrator(request.user)
    return render(
        request,
        "accompagnement/grilles.html",
        {
            "grilles": grilles.grilles_administered(ids),
            "integrees": Grille.objects.filter(type=TypeGrille.INTEGREE).order_by("libelle"),
        },
    )


@login_required
def grille_new(request: HttpRequest) -> HttpResponse:
    access.require_administrator(request.user)
    form = GrilleForm(
        request.POST or None, etablissements=access.administered_etablissements(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            grille = grilles.grille_create(
                actor=request.user,
                etablissement=form.cleaned_data["etablissement"],
                request=request,
                **form.definition(),
            )
        except grilles.GrilleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Brouillon de grille enregistré.")
            return redirect("accompagnement:grille", grille.pk)
    return render(request, "accompagnement/grille_form.html", {"form": form, "grille": None})


@login_required
def grille_detail(request: HttpRequest, grille_id: int) -> HttpResponse:
    """A draft is edited here (save, or save and publish); a published one is read-only."""
    grille = _grille_for_admin(request, grille_id)
    versions = Grille.objects.filter(famille=grille.famille).order_by("-numero")
    if grille.statut != StatutGrille.BROUILLON:
        if request.method == "POST":
            messages.error(request, "Une grille publiée ne se modifie plus : créez une version.")
            return redirect("accompagnement:grille", grille.pk)
        return render(
            request,
            "accompagnement/grille_detail.html",
            {
                "grille": grille,
                "versions": versions,
                "items": grille.items.all(),
                "evaluations": grille.evaluations.count(),
                "brouillon": versions.filter(statut=StatutGrille.BROUILLON).first(),
            },
        )
    form = GrilleForm(
        request.POST or None,
        initial={
            "libelle": grille.libelle,
            "categorie": grille.categorie,
            "description": grille.description,
            "questions": grilles.questions_text(grille),
            "bandes": grilles.bandes_text(grille),
            "revision": grille.revision,
        },
    )
    if request.method == "POST" and form.is_valid():
        service = (
            grilles.grille_save_and_publish
            if "publier" in request.POST
            else grilles.grille_update_draft
        )
        try:
            saved = service(
                actor=request.user,
                grille=grille,
                expected_revision=form.cleaned_data["revision"] or 0,
                request=request,
                **form.definition(),
            )
        except grilles.GrilleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Grille publiée : elle est proposée dans les évaluations."
                if saved.publiee
                else "Brouillon enregistré.",
            )
            return redirect("accompagnement:grille", saved.pk)
    return render(
        request,
        "accompagnement/grille_form.html",
        {"form": form, "grille": grille, "versions": versions, "items": grille.items.all()},
    )


def _action(request: HttpRequest, grille_id: int, call: Any, done: str) -> HttpResponse:
    grille = _grille_for_admin(request, grille_id)
    try:
        result = call(actor=request.user, grille=grille, request=request)
    except grilles.GrilleError as error:
        messages.error(request, str(error))
        return redirect("accompagnement:grille", grille.pk)
    messages.success(request, done)
    if result is None:
        return redirect("accompagnement:grilles")
    return redirect("accompagnement:grille", result.pk)


@login_required
@require_POST
def grille_new_version(request: HttpRequest, grille_id: int) -> HttpResponse:
    return _action(
        request,
        grille_id,
        grilles.grille_new_version,
        "Nouvelle version en brouillon : la version publiée reste utilisée jusqu'à sa publication.",
    )


@login_required
@require_POST
def grille_retire(request: HttpRequest, grille_id: int) -> HttpResponse:
    return _action(
        request,
        grille_id,
        grilles.grille_retire,
        "Grille retirée : elle n'est plus proposée ; ses évaluations restent consultables.",
    )


@login_required
@require_POST
def grille_delete(request: HttpRequest, grille_id: int) -> HttpResponse:
    return _action(request, grille_id, grilles.grille_delete_draft, "Brouillon supprimé.")


urlpatterns = [
    path("grilles/", grille_list, name="grilles"),
    path("grilles/nouvelle/", grille_new, name="grille_new"),
    path("grilles/<int:grille_id>/", grille_detail, name="grille"),
    path("grilles/<int:grille_id>/nouvelle-version/", grille_new_version, name="grille_version"),
    path("grilles/<int:grille_id>/retirer/", grille_retire, name="grille_retirer"),
    path("grilles/<int:grille_id>/supprimer/", grille_delete, name="grille_supprimer"),
]
