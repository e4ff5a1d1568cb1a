"""The evaluation form, built from the grid's items (four adverbs as checkboxes)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from dui.accompagnement import aggir, serafin
from dui.accompagnement.models import Grille

SECTIONS = {"discriminante": "Variables discriminantes", "illustrative": "Variables illustratives"}


def _option_label(option: dict[str, Any]) -> str:
    points = option["points"]
    return f"{option['libelle']} ({points} point{'s' if abs(points) > 1 else ''})"


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
        commentaire: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.items = list(grille.items.all())
        answers = answers or {}
        self.fields["date"].initial = timezone.localdate()
        for item in self.items:
            kind = item.echelle.get("type")
            value = answers.get(item.code)
            if kind == "adverbes":
                for adverbe, label in aggir.ADVERBES:
                    name = _field_name(item.code, adverbe)
                    self.fields[name] = forms.BooleanField(label=label.capitalize(), required=False)
                    self.fields[name].initial = bool((value or {}).get(adverbe))
            elif kind == "choix":
                # Not required here: a draft may be incomplete; signing checks completeness.
                self.fields[_field_name(item.code, "choix")] = forms.ChoiceField(
                    label=item.libelle,
                    required=False,
                    widget=forms.RadioSelect,
                    choices=[
                        (
                            o["code"],
                            _option_label(o),
                        )
                        for o in item.echelle.get("options", [])
                    ],
                    initial=value,
                )
            elif kind == "besoin":
                value = value or {}
                self.fields[_field_name(item.code, "present")] = forms.BooleanField(
                    label="Besoin présent", required=False, initial=value.get("present")
                )
                self.fields[_field_name(item.code, "intensite")] = forms.TypedChoiceField(
                    label="Intensité",
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", "—"), *serafin.INTENSITES],
                    initial=value.get("intensite"),
                )
                self.fields[_field_name(item.code, "commentaire")] = forms.CharField(
                    label="Commentaire",
                    required=False,
                    max_length=1000,
                    initial=value.get("commentaire", ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
        self.fields["commentaire"] = forms.CharField(
            label="Commentaire sur l'évaluation",
            required=False,
            max_length=4000,
            initial=commentaire,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def clean_date(self) -> Any:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date de l'évaluation ne peut pas être dans le futur.")
        return date

    def answers(self) -> dict[str, Any]:
        """Every item's answer: an unticked box means the adverb does not hold (or the need
        is absent); an unanswered choice is left out (the draft stays incomplete)."""
        result: dict[str, Any] = {}
        data = self.cleaned_data
        for item in self.items:
            kind = item.echelle.get("type")
            if kind == "adverbes":
                result[item.code] = {
                    a: bool(data.get(_field_name(item.code, a))) for a in aggir.ADVERBE_CODES
                }
            elif kind == "choix" and data.get(_field_name(item.code, "choix")):
                result[item.code] = data[_field_name(item.code, "choix")]
            elif kind == "besoin":
                result[item.code] = {
                    "present": bool(data.get(_field_name(item.code, "present"))),
                    "intensite": data.get(_field_name(item.code, "intensite")),
                    "commentaire": data.get(_field_name(item.code, "commentaire"), ""),
                }
        return result

    def choice_fields(self) -> list[Any]:
        """The bound radio groups of a points grid, in order."""
        return [
            self[_field_name(item.code, "choix")]
            for item in self.items
            if item.echelle.get("type") == "choix"
        ]

    def besoin_sections(self) -> list[dict[str, Any]]:
        """SERAFIN domains → groups → needs, each need with its three bound fields."""
        result: list[dict[str, Any]] = []
        for item in self.items:
            if item.echelle.get("type") != "besoin":
                continue
            if not result or result[-1]["code"] != item.section:
                result.append(
                    {
                        "code": item.section,
                        "libelle": serafin.LIBELLES.get(item.section, item.section),
                        "groupes": [],
                    }
                )
            groupes = result[-1]["groupes"]
            if not groupes or groupes[-1]["code"] != item.variable:
                groupes.append(
                    {
                        "code": item.variable,
                        "libelle": item.variable_libelle,
                        "titre": item.variable != item.section,
                        "besoins": [],
                    }
                )
            groupes[-1]["besoins"].append(
                {
                    "code": item.code,
                    "libelle": item.libelle,
                    "present": self[_field_name(item.code, "present")],
                    "intensite": self[_field_name(item.code, "intensite")],
                    "commentaire": self[_field_name(item.code, "commentaire")],
                }
            )
        return result

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


# --- Transmissions ---------------------------------------------------------------------------

from dui.accompagnement.models import CategorieTransmission, TypeTransmission  # noqa: E402


def _category_choices(allowed: list[str]) -> list[tuple[str, str]]:
    return [(c, label) for c, label in CategorieTransmission.choices if c in allowed]


class TransmissionForm(forms.Form):
    """A transmission: ciblée (cible, données, actions, résultats) or free text."""

    categorie = forms.ChoiceField(label="Catégorie")
    type = forms.ChoiceField(
        label="Forme", choices=TypeTransmission.choices, widget=forms.RadioSelect
    )
    cible = forms.CharField(label="Cible", required=False, max_length=200)
    donnees = forms.CharField(
        label="Données", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions = forms.CharField(
        label="Actions", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resultats = forms.CharField(
        label="Résultats", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    texte = forms.CharField(
        label="Texte libre", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    is_urgent = forms.BooleanField(label="Urgente", required=False)
    partage_cahier_liaison = forms.BooleanField(
        label="Partager dans le cahier de liaison",
        required=False,
        help_text="La personne, ses aidants et les services partenaires sous convention "
        "pourront la lire.",
    )

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["categorie"]).choices = _category_choices(categories)
        self.fields["type"].initial = TypeTransmission.LIBRE

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.fields}


class CorrectionForm(TransmissionForm):
    motif = forms.CharField(label="Motif de la correction", max_length=300)

    field_order = ["motif"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["categorie"]

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.fields if k != "motif"}


class FiltreTransmissionsForm(forms.Form):
    categorie = forms.ChoiceField(label="Catégorie", required=False)
    auteur: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Auteur", required=False, queryset=None
    )
    urgentes = forms.BooleanField(label="Urgentes seulement", required=False)
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, categories: list[str], auteurs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Toutes"), *_category_choices(categories)]
        cast(forms.ChoiceField, self.fields["categorie"]).choices = choices
        auteur = cast(forms.ModelChoiceField[Any], self.fields["auteur"])
        auteur.queryset = auteurs
        auteur.empty_label = "Tous"
        auteur.label_from_instance = lambda u: u.get_full_name() or u.email  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            raise forms.ValidationError("La date de début est après la date de fin.")
        return data


# --- Habits of life --------------------------------------------------------------------------


class HabitudeForm(forms.Form):
    description = forms.CharField(
        label="Habitudes", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    preferences = forms.CharField(
        label="Préférences",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    a_eviter = forms.CharField(
        label="À éviter", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    dit_par_la_personne = forms.BooleanField(
        label="Dit par la personne",
        required=False,
        help_text="Cochez si le texte reprend les mots de la personne elle-même.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.fields if k != "version"}
