"""Forms of the projet personnalisé, built from the content schema (contenu.SECTIONS).

Required fields are checked by the schema (one French message naming the item), so the same
rule applies to the forms, the services and the tests.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dui.projet import contenu as schema
from dui.projet.models import MotifCloture, MoyenSignature, QualiteSignataire

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _field(champ: schema.Champ) -> forms.Field:
    common: dict[str, Any] = {"label": champ.label, "required": False, "help_text": champ.help}
    if champ.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if champ.kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *champ.choices], **common)
    if champ.kind == "date":
        return forms.DateField(widget=DATE_WIDGET, **common)
    if champ.kind == "bool":
        return forms.BooleanField(**common)
    return forms.CharField(max_length=500, **common)


def section_form_class(section: schema.Section) -> type[forms.Form]:
    fields = {c.key: _field(c) for c in section.champs}
    return type(f"{section.key.title()}Form", (forms.Form,), fields)


def _choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SectionEditor:
    """One section's form (or formset for lists) plus the hidden version field."""

    def __init__(
        self,
        section: schema.Section,
        data: Any = None,
        *,
        initial: Any,
        version: int,
        extra: int = 1,
    ):
        self.section = section
        form_class = section_form_class(section)
        self.version_form = VersionForm(data, initial={"version": version})
        if section.many:
            formset_class = forms.formset_factory(form_class, extra=extra, can_delete=True)
            self.formset: Any = formset_class(data, initial=initial, prefix=section.key)
            self.form = None
        else:
            self.formset = None
            self.form = form_class(data, initial=initial, prefix=section.key)

    def is_valid(self) -> bool:
        bound = self.formset if self.formset is not None else self.form
        return bool(self.version_form.is_valid() and bound is not None and bound.is_valid())

    @property
    def expected_version(self) -> int:
        return int(self.version_form.cleaned_data["version"])

    def values(self) -> Any:
        """The submitted content: kept items (existing or filled in), minus deleted ones."""
        if self.form is not None:
            return dict(self.form.cleaned_data)
        items = []
        initial_count = self.formset.initial_form_count()
        for i, form in enumerate(self.formset.forms):
            data = dict(form.cleaned_data)
            if data.pop("DELETE", False):
                continue
            if i >= initial_count and not form.has_changed():
                continue
            items.append(data)
        return items


class ParticipantsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    referent = forms.TypedChoiceField(
        label="Référent du projet (coordinateur)", coerce=int, required=False, empty_value=None
    )
    personne = forms.BooleanField(label="La personne a participé", required=False)
    proches = forms.TypedMultipleChoiceField(
        label="Proches et représentants",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    professionnels = forms.TypedMultipleChoiceField(
        label="Professionnels", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    autres = forms.CharField(
        label="Autres participants (partenaires…)", required=False, max_length=300
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "referent", [("", "— À désigner —"), *choices["professionnels"]])
        _choices(self, "proches", choices["proches"])
        _choices(self, "professionnels", choices["professionnels"])


class EtapeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    vers = forms.CharField(widget=forms.HiddenInput)
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)


class SignatureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    personne_qualite = forms.ChoiceField(
        label="Qui a signé pour la personne",
        choices=QualiteSignataire.choices,
        widget=forms.RadioSelect,
        initial=QualiteSignataire.PERSONNE,
    )
    representant = forms.TypedChoiceField(
        label="Représentant légal qui a signé", coerce=int, required=False, empty_value=None
    )
    personne_signe_le = forms.DateField(label="Date de sa signature", widget=DATE_WIDGET)
    personne_moyen = forms.ChoiceField(
        label="Comment a-t-elle signé",
        choices=[c for c in MoyenSignature.choices if c[0] != MoyenSignature.AUTHENTIFICATION],
    )
    referent_moyen = forms.ChoiceField(
        label="Votre signature de référent",
        choices=[
            c
            for c in MoyenSignature.choices
            if c[0] in (MoyenSignature.AUTHENTIFICATION, MoyenSignature.MANUSCRITE)
        ],
    )

    def __init__(self, *args: Any, representants: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "representant", [("", "—"), *representants])
        self.fields["personne_signe_le"].initial = timezone.localdate()


class ClotureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    motif = forms.ChoiceField(label="Motif", choices=[("", "—"), *MotifCloture.choices])
    date = forms.DateField(label="Date de clôture", widget=DATE_WIDGET)
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class ComparaisonForm(forms.Form):
    a = forms.ChoiceField(label="Version de référence")
    b = forms.ChoiceField(label="Comparée à")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "a", choices)
        _choices(self, "b", choices)
