"""Filters of the DPO's journal screen."""

from __future__ import annotations

from typing import Any

from django import forms

from dui.audit.models import AuditAction
from dui.audit.queries import JournalFilters


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class JournalFilterForm(forms.Form):
    usager = forms.IntegerField(
        label="Personne (numéro)",
        required=False,
        min_value=1,
        help_text="Le numéro de dossier de la personne, visible dans l'adresse de sa fiche.",
    )
    acteur: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Utilisateur",
        queryset=None,
        required=False,
        empty_label="Tous",
    )
    du = forms.DateField(label="Du", required=False, widget=DateInput())
    au = forms.DateField(label="Au", required=False, widget=DateInput())
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Toutes")] + list(AuditAction.choices),
    )
    acces_exceptionnels = forms.BooleanField(label="Accès exceptionnels seulement", required=False)

    def __init__(self, *args: Any, actors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        acteur = self.fields["acteur"]
        assert isinstance(acteur, forms.ModelChoiceField)
        acteur.queryset = actors
        acteur.error_messages["invalid_choice"] = "Cet utilisateur n'est pas dans la liste."
        for name in ("usager",):
            self.fields[name].error_messages["invalid"] = "Saisissez un numéro."
        for name in ("du", "au"):
            self.fields[name].error_messages["invalid"] = "Saisissez une date valide (jj/mm/aaaa)."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        du, au = data.get("du"), data.get("au")
        if du and au and du > au:
            self.add_error(
                "au", "La date de fin doit être postérieure ou égale à la date de début."
            )
        return data

    def filters(self) -> JournalFilters:
        data = self.cleaned_data
        acteur = data.get("acteur")
        return JournalFilters(
            usager_id=data.get("usager"),
            actor_id=acteur.pk if acteur is not None else None,
            du=data.get("du"),
            au=data.get("au"),
            action=data.get("action") or "",
            break_glass_only=bool(data.get("acces_exceptionnels")),
        )
