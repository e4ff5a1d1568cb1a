"""Forms of the accounts administration: they parse and validate, services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from dui.comptes.models import Categorie, Profession, Role, User
from dui.structures.models import Etablissement, Unite
from dui.structures.validators import check_rpps

RPPS_HELP = "11 chiffres, facultatif. Une clé de contrôle incorrecte est signalée sans bloquer."


class ProfilForm(forms.Form):
    """Identity and professional profile of an account."""

    email = forms.EmailField(label="Adresse e-mail", max_length=254)
    nom = forms.CharField(label="Nom", max_length=100)
    prenom = forms.CharField(label="Prénom", max_length=100)
    profession = forms.ChoiceField(label="Profession", choices=Profession.choices)
    rpps = forms.CharField(label="Numéro RPPS", max_length=14, required=False, help_text=RPPS_HELP)

    def __init__(self, *args: Any, instance: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.rpps_warning = ""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        qs = User.objects.filter(email__iexact=email)
        if self.instance is not None:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError("Un compte existe déjà avec cette adresse e-mail.")
        return email

    def clean_rpps(self) -> str:
        raw = self.cleaned_data.get("rpps", "")
        if not raw.strip():
            return ""
        check = check_rpps(raw)  # a malformed number raises ValidationError
        self.rpps_warning = check.message
        return check.value


class AffectationForm(forms.Form):
    etablissement = forms.ModelChoiceField(
        label="Établissement", queryset=Etablissement.objects.none(), empty_label=None
    )
    role = forms.ModelChoiceField(
        label="Profil d'habilitation", queryset=Role.objects.all(), empty_label=None
    )
    unites = forms.ModelMultipleChoiceField(
        label="Unités (facultatif)",
        queryset=Unite.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, etablissements: QuerySet[Etablissement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = etablissements  # type: ignore[attr-defined]
        self.fields["unites"].queryset = Unite.objects.filter(  # type: ignore[attr-defined]
            etablissement__in=etablissements
        ).select_related("etablissement")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        etablissement = cleaned.get("etablissement")
        unites = cleaned.get("unites") or []
        if etablissement is not None and any(
            u.etablissement_id != etablissement.pk for u in unites
        ):
            self.add_error("unites", "Choisissez des unités de l'établissement sélectionné.")
        return cleaned


class UserCreateForm(ProfilForm, AffectationForm):
    field_order = [
        "email",
        "nom",
        "prenom",
        "profession",
        "rpps",
        "etablissement",
        "role",
        "unites",
    ]

    def __init__(self, *args: Any, etablissements: QuerySet[Etablissement], **kwargs: Any) -> None:
        super().__init__(*args, etablissements=etablissements, **kwargs)


class HabilitationMatrixForm(forms.Form):
    """One checkbox per role × catégorie × (lecture, écriture), initialized with the
    effective values in the établissement."""

    def __init__(
        self,
        *args: Any,
        roles: list[Role],
        effective: dict[tuple[int, str], tuple[bool, bool, bool]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roles = roles
        self.effective = effective
        for role in roles:
            for categorie, label in Categorie.choices:
                lecture, ecriture, _ = effective.get((role.pk, categorie), (False, False, False))
                for mode, value, mode_label in (
                    ("lecture", lecture, "lecture"),
                    ("ecriture", ecriture, "écriture"),
                ):
                    self.fields[self.field_name(role, categorie, mode)] = forms.BooleanField(
                        label=f"{role.libelle} — {label} — {mode_label}",
                        required=False,
                        initial=value,
                        # Medical data stays with health professionals (secret médical).
                        disabled=categorie == Categorie.MEDICAL and not role.is_sante,
                    )

    @staticmethod
    def field_name(role: Role, categorie: str, mode: str) -> str:
        return f"h_{role.pk}_{categorie}_{mode}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for role in self.roles:
            for categorie, label in Categorie.choices:
                read = self.field_name(role, categorie, "lecture")
                write = self.field_name(role, categorie, "ecriture")
                if cleaned.get(write) and not cleaned.get(read):
                    self.add_error(
                        write,
                        f"{role.libelle} — {label} : l'écriture suppose la lecture ; "
                        "cochez aussi la lecture.",
                    )
        return cleaned

    @property
    def matrix(self) -> dict[tuple[Role, str], tuple[bool, bool]]:
        return {
            (role, categorie): (
                bool(self.cleaned_data.get(self.field_name(role, categorie, "lecture"))),
                bool(self.cleaned_data.get(self.field_name(role, categorie, "ecriture"))),
            )
            for role in self.roles
            for categorie in Categorie.values
        }

    def rows(self) -> list[dict[str, Any]]:
        """For the template: per role, its cells in category order with both checkboxes."""
        result = []
        for role in self.roles:
            cells = []
            for categorie, label in Categorie.choices:
                cells.append(
                    {
                        "label": label,
                        "lecture": self[self.field_name(role, categorie, "lecture")],
                        "ecriture": self[self.field_name(role, categorie, "ecriture")],
                        "overridden": self.effective.get((role.pk, categorie), (0, 0, False))[2],
                    }
                )
            result.append({"role": role, "cells": cells})
        return result
