from __future__ import annotations

import datetime

from django import forms

from dui.interop.models import DestinataireInformation, MoyenInformation, TypeConsentementDMP


class ConsentementForm(forms.Form):
    type = forms.ChoiceField(label="Événement", choices=TypeConsentementDMP.choices)
    date = forms.DateField(
        label="Date",
        # An <input type=date> only takes ISO dates (the localized format would be dropped).
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=datetime.date.today,
    )
    destinataire = forms.ChoiceField(
        label="Personne informée",
        choices=[("", "—")] + list(DestinataireInformation.choices),
        required=False,
        help_text="Pour une information : la personne ou son représentant légal.",
    )
    moyen = forms.ChoiceField(
        label="Comment", choices=[("", "—")] + list(MoyenInformation.choices), required=False
    )
    par = forms.CharField(label="Informé(e) par", max_length=200, required=False)
    motif = forms.CharField(
        label="Motif ou commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    dernier_vu = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EnvoiForm(forms.Form):
    masque_ps = forms.BooleanField(label="Masqué aux professionnels de santé", required=False)
    invisible_patient = forms.BooleanField(
        label="Non visible par la personne (en attente d'une consultation d'annonce)",
        required=False,
    )
    invisible_representants = forms.BooleanField(
        label="Non visible par les représentants légaux", required=False
    )
