"""Forms of the identitovigilance referent's screens."""

from __future__ import annotations

from typing import Any

from django import forms

from dui.usagers.models import SuspicionDoublon, Usager

NIVEAU_CHOICES = [("", "Tous"), ("2", "Fort"), ("1", "Moyen")]


class QueueFilterForm(forms.Form):
    statut = forms.ChoiceField(
        label="Statut",
        choices=SuspicionDoublon.Statut.choices,
        required=False,
        initial=SuspicionDoublon.Statut.A_TRAITER,
    )
    niveau = forms.ChoiceField(label="Niveau", choices=NIVEAU_CHOICES, required=False)
    organisme = forms.TypedChoiceField(
        label="Organisme gestionnaire", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, organismes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisme"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o.pk, o.raison_sociale) for o in organismes]
        if len(organismes) < 2:
            self.fields["organisme"].widget = forms.HiddenInput()


class MotifForm(forms.Form):
    # Distinct ids: the pair screen shows two forms with a "motif" each.
    id_prefix = "motif"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    motif = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez le motif."},
    )

    def clean_motif(self) -> str:
        motif = self.cleaned_data["motif"].strip()
        if not motif:
            raise forms.ValidationError("Indiquez le motif.")
        return motif


class DifferentesForm(MotifForm):
    id_prefix = "differentes"
    motif = forms.CharField(
        label="Pourquoi s'agit-il de deux personnes différentes ?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez pourquoi il s'agit de deux personnes différentes."},
    )


class FusionForm(MotifForm):
    id_prefix = "fusion"
    garde = forms.TypedChoiceField(
        label="Dossier à conserver",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le dossier à conserver."},
    )
    motif = forms.CharField(
        label="Motif de la fusion",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez le motif de la fusion."},
    )
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, pair: tuple[Usager, Usager], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pair = pair
        garde = self.fields["garde"]
        assert isinstance(garde, forms.ChoiceField)
        garde.choices = [
            (
                u.pk,
                f"{u.display_name}, né(e) le {u.date_naissance:%d/%m/%Y} "
                f"({u.get_statut_identite_display().lower()}, dossier n° {u.pk})",
            )
            for u in pair
        ]

    def expected_versions(self) -> dict[int, int]:
        a, b = self.pair
        return {a.pk: self.cleaned_data["version_a"], b.pk: self.cleaned_data["version_b"]}


class AnnulationForm(MotifForm):
    id_prefix = "annulation"
    motif = forms.CharField(
        label="Motif de l'annulation",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez le motif de l'annulation."},
    )
