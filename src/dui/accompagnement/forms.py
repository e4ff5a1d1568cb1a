"""The evaluation form, built from the grid's items (four adverbs as checkboxes)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dui.accompagnement import aggir
from dui.accompagnement.models import Grille

SECTIONS = {"discriminante": "Variables discriminantes", "illustrative": "Variables illustratives"}


def _field_name(item_code: str, adverbe: str) -> str:
    return f"{item_code.replace('.', '__')}__{adverbe}"


class EvaluationForm(forms.Form):
    date = forms.DateField(
        label="Date de l'évaluation",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        grille: Grille,
        answers: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.items = list(grille.items.all())
        answers = answers or {}
        self.fields["date"].initial = timezone.localdate()
        for item in self.items:
            if item.echelle.get("type") != "adverbes":
                continue
            for adverbe, label in aggir.ADVERBES:
                name = _field_name(item.code, adverbe)
                self.fields[name] = forms.BooleanField(label=label.capitalize(), required=False)
                self.fields[name].initial = bool(answers.get(item.code, {}).get(adverbe))

    def clean_date(self) -> Any:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date de l'évaluation ne peut pas être dans le futur.")
        return date

    def answers(self) -> dict[str, Any]:
        """Every item's answer: an unticked box means the adverb does not hold."""
        return {
            item.code: {
                a: bool(self.cleaned_data.get(_field_name(item.code, a)))
                for a in aggir.ADVERBE_CODES
            }
            for item in self.items
            if item.echelle.get("type") == "adverbes"
        }

    def sections(self) -> list[dict[str, Any]]:
        """Sections → variables → items, each item with its bound checkboxes (for fieldsets)."""
        result: list[dict[str, Any]] = []
        for item in self.items:
            if item.echelle.get("type") != "adverbes":
                continue
            if not result or result[-1]["code"] != item.section:
                label = SECTIONS.get(item.section, item.section)
                result.append({"code": item.section, "libelle": label, "variables": []})
            variables = result[-1]["variables"]
            if not variables or variables[-1]["code"] != item.variable:
                variables.append(
                    {"code": item.variable, "libelle": item.variable_libelle, "items": []}
                )
            variables[-1]["items"].append(
                {
                    "code": item.code,
                    "libelle": item.libelle,
                    "sous_variable": item.code != item.variable,
                    "fields": [self[_field_name(item.code, a)] for a in aggir.ADVERBE_CODES],
                }
            )
        return result
