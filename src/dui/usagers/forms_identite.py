"""Forms of the identity journey: new person with the first stay, traits, documents,
attributes, downgrade. Messages are in French; the services enforce the RNIV rules."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from dui.usagers.identite import HIGH_TRUST, Justificatif, PrecisionDate, StatutIdentite
from dui.usagers.models import Sexe, TypePriseEnCharge

# Code officiel géographique: département (2 digits, 2A, 2B; 97x/98x overseas) + 3 digits;
# 99xxx is a foreign country, 99999 an unknown place.
_COG = re.compile(r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")
LIEU_INCONNU = "99999"


def validate_lieu_naissance(value: str) -> None:
    if value and not _COG.match(value):
        raise ValidationError(
            "Le code INSEE du lieu de naissance comporte 5 caractères : 2 chiffres (ou 2A, "
            "2B pour la Corse) puis 3 chiffres ; 99xxx pour un pays étranger, 99999 si le "
            "lieu est inconnu.",
            code="cog",
        )


def _clean_lieu(value: str) -> str:
    value = (value or "").strip().upper()
    validate_lieu_naissance(value)
    return value


def normalize_birth_date(date: datetime.date, precision: str) -> datetime.date:
    """Partial dates are stored as the 1st of the month or the 1st of January (RNIV)."""
    if precision == PrecisionDate.MOIS:
        return date.replace(day=1)
    if precision == PrecisionDate.ANNEE:
        return date.replace(month=1, day=1)
    return date


class TraitsForm(forms.Form):
    """The identity traits, as on the identity document (strict traits) plus used names."""

    nom_naissance = forms.CharField(
        label="Nom de naissance", max_length=100, help_text="Tel qu'il figure à l'état civil."
    )
    prenoms_naissance = forms.CharField(
        label="Prénom(s) de naissance",
        max_length=200,
        help_text="Tous les prénoms, dans l'ordre de l'état civil, séparés par des espaces.",
    )
    date_naissance = forms.DateField(
        label="Date de naissance",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Jour inconnu : saisissez le 1er du mois ; jour et mois inconnus : le 1er "
        "janvier, et choisissez la précision ci-dessous.",
    )
    date_naissance_precision = forms.ChoiceField(
        label="Précision de la date de naissance",
        choices=PrecisionDate.choices,
        initial=PrecisionDate.JOUR,
    )
    sexe = forms.ChoiceField(label="Sexe", choices=Sexe.choices)
    lieu_naissance_insee = forms.CharField(
        label="Code INSEE du lieu de naissance",
        max_length=5,
        required=False,
        help_text="Code de la commune (5 caractères, 2A/2B pour la Corse) ; 99xxx pour un "
        "pays étranger ; 99999 si le lieu est inconnu.",
    )
    nom_utilise = forms.CharField(label="Nom utilisé", max_length=100, required=False)
    prenom_utilise = forms.CharField(label="Prénom utilisé", max_length=100, required=False)

    def clean_lieu_naissance_insee(self) -> str:
        return _clean_lieu(self.cleaned_data.get("lieu_naissance_insee", ""))

    def clean_date_naissance(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date_naissance"]
        if date > timezone.localdate():
            raise ValidationError("La date de naissance ne peut pas être dans le futur.")
        if date.year < 1890:
            raise ValidationError("Vérifiez l'année de naissance.")
        return date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date = data.get("date_naissance")
        if date is not None:
            data["date_naissance"] = normalize_birth_date(
                date, data.get("date_naissance_precision", PrecisionDate.JOUR)
            )
        return data

    def traits(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in TraitsForm.base_fields}


class UsagerNouveauForm(TraitsForm):
    """A new person in the current établissement, with the first stay."""

    unite: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Unité",
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    date_admission = forms.DateField(
        label="Date d'admission",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    type_prise_en_charge = forms.ChoiceField(
        label="Type d'accueil", choices=TypePriseEnCharge.choices
    )

    def __init__(self, *args: Any, etablissement: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from dui.structures.models import Unite

        self.fields["unite"].queryset = Unite.objects.filter(etablissement=etablissement)  # type: ignore[attr-defined]


class IdListField(forms.Field):
    """Several ids posted under one name (checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> frozenset[int]:
        try:
            return frozenset(int(v) for v in value or [])
        except (TypeError, ValueError) as exc:
            raise ValidationError("Sélection invalide.") from exc


class DifferenteForm(forms.Form):
    """The user's answer to strong duplicate candidates: "not the same person", and why.
    The service checks that every strong candidate is ticked and that a reason is given."""

    differente_de = IdListField(required=False)
    motif_differente = forms.CharField(
        label="Pourquoi s'agit-il d'une personne différente ?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )


class VersionForm(forms.Form):
    """An action on the identity tab; several share the page, so each has its own ids."""

    id_prefix = "insi"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ModifierTraitsForm(VersionForm, TraitsForm):
    id_prefix = "traits"
    motif = forms.CharField(
        label="Motif de la modification",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un trait strict d'une identité récupérée, validée ou "
        "qualifiée : elle repassera en identité provisoire.",
    )


class JustificatifForm(VersionForm):
    id_prefix = "justificatif"
    justificatif = forms.ChoiceField(
        label="Justificatif d'identité contrôlé",
        choices=[
            (value, f"{label} (haute confiance)" if value in HIGH_TRUST else label)
            for value, label in Justificatif.choices
        ],
    )
    motif = forms.CharField(
        label="Commentaire", required=False, max_length=1000, widget=forms.TextInput
    )


class AttributsForm(VersionForm):
    id_prefix = "attributs"
    douteuse = forms.BooleanField(label="Identité douteuse", required=False)
    fictive = forms.BooleanField(label="Identité fictive", required=False)
    homonyme = forms.BooleanField(label="Homonyme", required=False)
    motif = forms.CharField(
        label="Motif", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("douteuse") and data.get("fictive"):
            raise ValidationError("Une identité ne peut pas être à la fois douteuse et fictive.")
        return data


# Downgrades the RNIV allows, per current status.
DECLASSEMENTS = {
    StatutIdentite.RECUPEREE: [StatutIdentite.PROVISOIRE],
    StatutIdentite.VALIDEE: [StatutIdentite.PROVISOIRE],
    StatutIdentite.QUALIFIEE: [
        StatutIdentite.VALIDEE,
        StatutIdentite.RECUPEREE,
        StatutIdentite.PROVISOIRE,
    ],
}


class DeclassementForm(VersionForm):
    id_prefix = "declassement"
    cible = forms.ChoiceField(label="Nouveau statut")
    motif = forms.CharField(
        label="Motif du déclassement", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, statut: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cible"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label) for s in DECLASSEMENTS.get(StatutIdentite(statut), [])
        ]


class INSiAccepterForm(forms.Form):
    resultat = forms.CharField(widget=forms.HiddenInput)
