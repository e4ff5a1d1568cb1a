"""Forms of the soins views: they parse numbers (comma or point), services check bounds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from dui.soins.constantes import SAISIE_TYPES, SPECS, TypeConstante
from dui.soins.models import Certitude, Severite, TypeAllergie, TypeAntecedent
from dui.soins.services import Saisie


def _decimal(label: str, **attrs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        localize=True,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "large", **attrs}
        ),
        error_messages={"invalid": "Saisissez un nombre (par exemple 37,8)."},
    )


class SaisieRapideForm(forms.Form):
    """Several measures at once; empty fields are simply not measured."""

    mesure_le = forms.DateTimeField(
        label="Mesuré le",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text="Laissez vide pour maintenant.",
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in SAISIE_TYPES:
            spec = SPECS[code]
            if spec.double:
                self.fields["tension"] = _decimal("Pression systolique (mmHg)")
                self.fields["tension2"] = _decimal("Pression diastolique (mmHg)")
            else:
                self.fields[code] = _decimal(f"{spec.libelle} ({spec.unite.lstrip('/')})")
        order = [n for c in SAISIE_TYPES for n in ([c, "tension2"] if c == "tension" else [c])]
        self.order_fields([*order, "mesure_le", "commentaire"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("tension2") is not None and data.get("tension") is None:
            self.add_error("tension", "Indiquez la pression systolique avec la diastolique.")
        return data

    @property
    def saisies(self) -> list[Saisie]:
        data = self.cleaned_data
        commentaire = data.get("commentaire", "")
        return [
            Saisie(
                code,
                data[code],
                data.get("tension2") if code == TypeConstante.TENSION else None,
                commentaire,
            )
            for code in SAISIE_TYPES
            if data.get(code) is not None
        ]

    @property
    def mesure_le_value(self) -> Any:
        value = self.cleaned_data.get("mesure_le")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class CorrectionForm(forms.Form):
    valeur = _decimal("Valeur corrigée")
    valeur2 = _decimal("Pression diastolique corrigée (mmHg)")
    motif = forms.CharField(label="Motif de la correction", max_length=300)

    def __init__(self, *args: Any, double: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valeur"].required = True
        if not double:
            del self.fields["valeur2"]


class SeuilForm(forms.Form):
    type = forms.ChoiceField(
        label="Mesure",
        choices=[(c, SPECS[c].libelle) for c in SPECS],
    )
    bas = _decimal("Valeur normale minimale")
    haut = _decimal("Valeur normale maximale")

    def values(self) -> tuple[str, Decimal | None, Decimal | None]:
        d = self.cleaned_data
        return d["type"], d.get("bas"), d.get("haut")


# --- Care and medical file ----------------------------------------------------------------

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AntecedentForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=TypeAntecedent.choices)
    libelle = forms.CharField(label="Antécédent", max_length=200)
    date = forms.DateField(label="Date", required=False, widget=_DATE)
    annee = forms.IntegerField(
        label="Année", required=False, help_text="Si la date exacte n'est pas connue."
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)


class AllergieForm(forms.Form):
    substance = forms.CharField(label="Substance ou agent", max_length=200)
    type = forms.ChoiceField(label="Type", choices=TypeAllergie.choices)
    reaction = forms.CharField(label="Réaction", required=False, max_length=300)
    severite = forms.ChoiceField(label="Sévérité", choices=Severite.choices)
    certitude = forms.ChoiceField(label="Certitude", choices=Certitude.choices)


class VaccinationForm(forms.Form):
    vaccin = forms.CharField(label="Vaccin", max_length=200)
    date = forms.DateField(label="Date", widget=_DATE)
    lot = forms.CharField(label="Numéro de lot", required=False, max_length=60)
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)


class RetraitForm(forms.Form):
    motif = forms.CharField(
        label="Motif du retrait",
        max_length=300,
        help_text="L'information reste dans l'historique, avec ce motif.",
    )
