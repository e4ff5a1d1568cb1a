"""Forms of the structures administration: they parse and validate, services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from dui.structures.models import (
    CategorieEtablissement,
    Etablissement,
    OrganismeGestionnaire,
    Unite,
)
from dui.structures.validators import check_finess

CONFIRM_LABEL = "Je confirme ce numéro FINESS"


def categorie_choices() -> list[tuple[str, str]]:
    """Categories labelled with their FINESS code, e.g. « EHPAD (500) »."""
    return [(code, f"{label} ({code})") for code, label in CategorieEtablissement.choices]


class FinessForm(forms.Form):
    """A form with a FINESS field whose suspicious key must be confirmed by a checkbox.

    After `is_valid()`, cleaned_data["finess"] is normalized and `finess_warning` holds the
    warning to show (with the checkbox) when the number needs confirmation.
    """

    model: type[Any] = Etablissement
    duplicate_message = "Ce numéro FINESS est déjà enregistré pour un autre établissement."

    confirmer_finess = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.finess_warning = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        raw = cleaned.get("finess")
        if not raw:
            return cleaned
        try:
            check = check_finess(raw)
        except ValidationError as error:
            self.add_error("finess", error)
            return cleaned
        cleaned["finess"] = check.value
        duplicates = self.model.objects.filter(finess=check.value)
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            self.add_error("finess", self.duplicate_message)
        already_confirmed = (
            self.instance is not None
            and self.instance.finess == check.value
            and self.instance.finess_cle_confirmee
        )
        if check.needs_confirmation and not already_confirmed:
            # Shown with the checkbox, also once ticked, in case the form fails elsewhere.
            self.finess_warning = check.message
            if not cleaned.get("confirmer_finess"):
                self.add_error(
                    "confirmer_finess",
                    "Cochez « Je confirme ce numéro FINESS » pour l'enregistrer malgré l'alerte.",
                )
        return cleaned

    @property
    def finess_values(self) -> dict[str, Any]:
        """The cleaned values for the service, without the confirmation checkbox."""
        return {
            k: v for k, v in self.cleaned_data.items() if k not in {"confirmer_finess", "organisme"}
        }


class OrganismeForm(FinessForm):
    model = OrganismeGestionnaire
    duplicate_message = "Ce numéro FINESS juridique est déjà enregistré pour un autre organisme."

    raison_sociale = forms.CharField(label="Raison sociale", max_length=200)
    finess = forms.CharField(
        label="FINESS juridique",
        max_length=12,
        help_text="9 caractères : département (01 à 95, 2A, 2B ou 97x) puis 7 chiffres.",
    )
    adresse = forms.CharField(label="Adresse", max_length=300, required=False)

    field_order = ["raison_sociale", "finess", "confirmer_finess", "adresse"]


class EtablissementForm(FinessForm):
    nom = forms.CharField(label="Nom", max_length=200)
    finess = forms.CharField(
        label="FINESS géographique",
        max_length=12,
        help_text="9 caractères : département (01 à 95, 2A, 2B ou 97x) puis 7 chiffres.",
    )
    categorie = forms.ChoiceField(label="Catégorie (code FINESS)", choices=categorie_choices)
    capacite_places = forms.IntegerField(label="Capacité (places)", min_value=0, max_value=100000)
    adresse = forms.CharField(label="Adresse", max_length=300, required=False)
    code_postal = forms.CharField(
        label="Code postal",
        max_length=5,
        required=False,
        validators=[RegexValidator(r"^\d{5}$", "Le code postal comporte 5 chiffres.")],
    )
    commune = forms.CharField(label="Commune", max_length=100, required=False)

    field_order = [
        "organisme",
        "nom",
        "finess",
        "confirmer_finess",
        "categorie",
        "capacite_places",
        "adresse",
        "code_postal",
        "commune",
    ]


class EtablissementCreateForm(EtablissementForm):
    organisme = forms.ModelChoiceField(
        label="Organisme gestionnaire",
        queryset=OrganismeGestionnaire.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, organismes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisme"].queryset = organismes  # type: ignore[attr-defined]


class UniteForm(forms.Form):
    nom = forms.CharField(label="Nom", max_length=100)
    type = forms.ChoiceField(label="Type", choices=Unite.Type.choices)
    capacite_places = forms.IntegerField(
        label="Capacité (places)", min_value=0, max_value=100000, required=False
    )

    def __init__(
        self, *args: Any, etablissement: Etablissement, instance: Unite | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.etablissement = etablissement
        self.instance = instance

    def clean_nom(self) -> str:
        nom = self.cleaned_data["nom"].strip()
        qs = Unite.objects.filter(etablissement=self.etablissement, nom__iexact=nom)
        if self.instance is not None:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError("Une unité porte déjà ce nom dans cet établissement.")
        return nom


def initial_from(obj: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}
