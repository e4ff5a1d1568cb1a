"""Generate a document of the person (PDF/A + CDA R2) and store it in their documents.

One page under the record: the kinds the user may produce (write right on the category of
the document type, and a source to build it from), then POST generates, validates and stores
through the documents service (journaled there). The projet personnalisé is archived by the
projet app when it is signed, so it is not offered here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dui.interop.cda import codes
from dui.interop.cda.generation import CDAError, enregistrer, generer
from dui.usagers.access import ensure_writable, record_context, usager_get_for

OFFERED = ("lettre_entree", "lettre_sortie", "evaluation", "dlu", "fiche_transfert")
CONFIDENTIALITE_CHOICES = [(code, label) for code, label in codes.CONFIDENTIALITE.items()]


def _sejours(user: Any, usager: Any) -> Any:
    from dui.comptes import policy

    return (
        usager.prises_en_charge.filter(etablissement_id__in=policy.etablissement_ids(user))
        .select_related("etablissement")
        .order_by("-date_debut")
    )


def _evaluations(user: Any, usager: Any) -> Any:
    from dui.accompagnement.models import Evaluation, StatutEvaluation
    from dui.comptes import policy

    readable = policy.usager_categories(user, usager)
    return (
        Evaluation.objects.filter(
            usager=usager, statut=StatutEvaluation.SIGNEE, grille__categorie__in=readable
        )
        .select_related("grille")
        .order_by("-date", "-pk")
    )


def kinds_for(user: Any, usager: Any) -> list[tuple[str, str]]:
    """The kinds this user may generate for this person now: (kind, label)."""
    from dui.documents import access, types

    writable = access.categories_ecriture(user, usager)
    result = []
    for kind in OFFERED:
        t = codes.TYPES[kind]
        if types.categorie_du_type(t.code) not in writable:
            continue
        result.append((kind, t.libelle))
    return result


class GenererForm(forms.Form):
    kind = forms.ChoiceField(label="Document", choices=())
    prise_en_charge: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Prise en charge (lettres de liaison)",
        queryset=None,
        required=False,
        empty_label="La plus récente",
    )
    evaluation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Évaluation signée (grille d'évaluation)",
        queryset=None,
        required=False,
        empty_label="Choisir…",
    )
    motif = forms.CharField(
        label="Motif du transfert (fiche de transfert)", max_length=300, required=False
    )
    texte = forms.CharField(
        label="Informations complémentaires (lettres de liaison)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )
    confidentialite = forms.ChoiceField(
        label="Confidentialité", choices=CONFIDENTIALITE_CHOICES, initial="N"
    )

    def __init__(self, *args: Any, user: Any, usager: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_for(user, usager)  # type: ignore[attr-defined]
        self.fields["prise_en_charge"].queryset = _sejours(user, usager)  # type: ignore[attr-defined]
        self.fields["evaluation"].queryset = _evaluations(user, usager)  # type: ignore[attr-defined]

    def source(self) -> dict[str, Any]:
        c = self.cleaned_data
        kind = c["kind"]
        result: dict[str, Any] = {"confidentialite": c["confidentialite"]}
        if kind in ("lettre_entree", "lettre_sortie"):
            if c["prise_en_charge"] is not None:
                result["prise_en_charge"] = c["prise_en_charge"]
            result["texte"] = c["texte"]
        elif kind == "evaluation":
            result["evaluation"] = c["evaluation"]
        elif kind == "fiche_transfert":
            result["motif"] = c["motif"]
        return result

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == "evaluation" and cleaned.get("evaluation") is None:
            self.add_error("evaluation", "Choisissez l'évaluation signée à transmettre.")
        return cleaned


@login_required
def generer_document(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    if usager.archive_le is not None or not kinds_for(request.user, usager):
        raise Http404("Introuvable ou non autorisé.")
    kinds = dict(kinds_for(request.user, usager))
    # ?kind=dlu (link from the DLU tab) preselects a kind the user may generate; others ignored.
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in kinds else {}
    form = GenererForm(request.POST or None, user=request.user, usager=usager, initial=initial)
    if request.method == "POST" and form.is_valid():
        from dui.documents.services import DocumentError
        from dui.usagers.identite import IdentiteError

        try:
            ensure_writable(usager)
            generated = generer(form.cleaned_data["kind"], usager, request.user, **form.source())
            version = enregistrer(generated, user=request.user, usager=usager, request=request)
        except (CDAError, DocumentError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            if generated.valide:
                messages.success(request, "Document généré (PDF et CDA R2 valide).")
            else:
                messages.warning(
                    request,
                    "PDF enregistré, mais le CDA R2 n'est pas valide et n'a pas été conservé "
                    "(le document ne pourra pas être envoyé) : "
                    + " ; ".join(generated.erreurs[:3]),
                )
            return redirect("documents:detail", usager.pk, version.document_id)
    context = record_context(
        request, usager, tab="documents:liste", details={"formulaire": "generer_document"}
    )
    return render(request, "cda/generer.html", {**context, "form": form})
