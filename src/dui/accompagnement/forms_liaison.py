"""Forms of the établissement lists (unit filter) and of the cahier de liaison (partners,
sharing). Kept apart from forms.py, which the evaluation grids also change."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from dui.accompagnement.forms import FiltreTransmissionsForm


def author_choices(users: Any) -> list[tuple[int, str]]:
    """(pk, name) of `users` in one query: a ModelChoiceField would iterate its queryset
    through a server-side cursor on PostgreSQL (several round trips on every list page)."""
    rows = users.order_by("nom", "prenom", "pk").values_list("pk", "prenom", "nom", "email")
    return [(pk, f"{prenom} {nom}".strip() or email) for pk, prenom, nom, email in rows]


class FiltreListeForm(FiltreTransmissionsForm):
    """The transmission filters with the authors given as (pk, name) choices."""

    auteur = forms.TypedChoiceField(  # type: ignore[assignment]
        label="Auteur", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, auteurs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, auteurs=None, **kwargs)
        cast(forms.ChoiceField, self.fields["auteur"]).choices = [("", "Tous"), *auteurs]


class FiltreEtablissementForm(FiltreListeForm):
    """The établissement list and handover filters, plus the unit (wing, group, sector)."""

    unite = forms.TypedChoiceField(label="Unité", required=False, coerce=int, empty_value=None)

    field_order = ["unite"]

    def __init__(self, *args: Any, unites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unite"]).choices = [("", "Toutes"), *unites]


class PartenaireForm(forms.Form):
    nom = forms.CharField(label="Nom du service partenaire", max_length=200)
    finess = forms.CharField(label="Numéro FINESS", max_length=12, required=False)
    siret = forms.CharField(label="Numéro SIRET", max_length=20, required=False)
    convention_debut = forms.DateField(
        label="Début de la convention", widget=forms.DateInput(attrs={"type": "date"})
    )
    convention_fin = forms.DateField(
        label="Fin de la convention",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Vide si la convention est sans date de fin.",
    )
    contact_nom = forms.CharField(label="Personne à contacter", max_length=200, required=False)
    contact_telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    contact_email = forms.EmailField(label="Adresse e-mail", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PartageForm(forms.Form):
    destinataire = forms.ChoiceField(label="Partager avec")

    def __init__(self, *args: Any, partenaires: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("personne", "La personne et ses aidants")]
        choices += [(f"partenaire-{p.pk}", f"{p.nom} (partenaire)") for p in partenaires]
        cast(forms.ChoiceField, self.fields["destinataire"]).choices = choices


class RetraitPartageForm(forms.Form):
    motif = forms.CharField(label="Motif du retrait", max_length=300)
