"""Forms of the entourage and benefits tabs: they parse and validate, services write.

Checks that need no database (a measure only for a représentant légal, dates in order, RPPS
and FINESS shapes) give field errors here; the "at most one" rules live in the services.
"""

from __future__ import annotations

from typing import Any

from django import forms

from dui.structures.validators import check_finess, check_rpps
from dui.usagers.models import DroitPrestation, IntervenantExterieur, Proche
from dui.usagers.services_entourage import MSSANTE_DOMAIN

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProcheForm(forms.ModelForm):
    class Meta:
        model = Proche
        fields = [
            "nom",
            "prenom",
            "lien",
            "is_personne_confiance",
            "is_representant_legal",
            "is_aidant",
            "is_contact_urgence",
            "mesure_protection",
            "mesure_debut",
            "mesure_fin",
            "organisme_mandataire",
            "telephone",
            "email",
            "adresse",
            "commentaire",
        ]
        widgets = {
            "mesure_debut": DATE_WIDGET,
            "mesure_fin": DATE_WIDGET,
            "adresse": forms.Textarea(attrs={"rows": 2}),
            "commentaire": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "lien": "Par exemple : fille, conjoint, voisin, mandataire judiciaire.",
            "mesure_protection": "Seulement pour un représentant légal.",
        }

    ROLE_FIELDS = (
        "is_personne_confiance",
        "is_representant_legal",
        "is_aidant",
        "is_contact_urgence",
    )
    MESURE_FIELDS = ("mesure_protection", "mesure_debut", "mesure_fin", "organisme_mandataire")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mesure_given = any(cleaned.get(f) for f in self.MESURE_FIELDS)
        if mesure_given and not cleaned.get("is_representant_legal"):
            self.add_error(
                "mesure_protection",
                "Une mesure de protection ne concerne qu'un représentant légal : cochez "
                "« représentant légal » ou effacez la mesure, ses dates et le mandataire.",
            )
        elif (cleaned.get("mesure_debut") or cleaned.get("mesure_fin")) and not cleaned.get(
            "mesure_protection"
        ):
            self.add_error("mesure_protection", "Indiquez le type de la mesure datée.")
        debut, fin = cleaned.get("mesure_debut"), cleaned.get("mesure_fin")
        if debut and fin and fin < debut:
            self.add_error("mesure_fin", "La fin de la mesure doit être postérieure à son début.")
        return cleaned

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class IntervenantForm(forms.ModelForm):
    """After is_valid(), `warnings` lists accepted values that deserve a check."""

    # Wider than the columns so that spaces typed inside the numbers are accepted.
    rpps = forms.CharField(
        label="Numéro RPPS",
        max_length=20,
        required=False,
        help_text="11 chiffres, pour un professionnel de santé.",
    )
    finess = forms.CharField(label="FINESS (pour un service)", max_length=12, required=False)

    class Meta:
        model = IntervenantExterieur
        fields = ["type", "nom", "specialite", "rpps", "finess", "mssante", "telephone", "adresse"]
        widgets = {"adresse": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "mssante": "Adresse de messagerie sécurisée de santé, se terminant par .mssante.fr.",
        }
        error_messages = {"mssante": {"invalid": "Saisissez une adresse e-mail valide."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []

    def clean_rpps(self) -> str:
        raw = self.cleaned_data.get("rpps", "")
        if not raw:
            return ""
        check = check_rpps(raw)  # a ValidationError here becomes the field's error
        if check.needs_confirmation:
            self.warnings.append(check.message)
        return check.value

    def clean_finess(self) -> str:
        raw = self.cleaned_data.get("finess", "")
        if not raw:
            return ""
        check = check_finess(raw)  # a ValidationError here becomes the field's error
        if check.needs_confirmation:
            self.warnings.append(check.message)
        return check.value

    def clean_mssante(self) -> str:
        value = (self.cleaned_data.get("mssante") or "").strip()
        if value and not value.lower().endswith(MSSANTE_DOMAIN):
            self.warnings.append(
                "L'adresse MSSanté ne se termine pas par « .mssante.fr » : vérifiez qu'il "
                "s'agit bien d'une adresse de messagerie sécurisée de santé."
            )
        return value

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DroitForm(forms.ModelForm):
    class Meta:
        model = DroitPrestation
        fields = [
            "type",
            "organisme_payeur",
            "numero_decision",
            "date_debut",
            "date_fin",
            "montant_mensuel",
            "commentaire",
        ]
        widgets = {
            "date_debut": DATE_WIDGET,
            "date_fin": DATE_WIDGET,
            "commentaire": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"date_debut": "Valable du", "date_fin": "Valable jusqu'au"}
        help_texts = {"date_fin": "Laissez vide si le droit est sans limite de durée."}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        debut, fin = cleaned.get("date_debut"), cleaned.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error(
                "date_fin", "La date de fin doit être postérieure ou égale à la date de début."
            )
        return cleaned

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
