"""Forms of the journey: application, first contact, decision, admission, moves, exit."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from dui.structures.models import Etablissement, Unite
from dui.usagers.models import Candidature, MotifSortie, TypePriseEnCharge

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class EtablissementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Etablissement) -> str:
        return obj.nom


class UniteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unite) -> str:
        return f"{obj.nom} ({obj.etablissement.nom})"


class CandidatureFilterForm(forms.Form):
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Candidatures en cours"), ("toutes", "Toutes")]
        + list(Candidature.Statut.choices),
    )
    organisme = forms.BooleanField(
        label="Tous les services de l'organisme où j'ai accès", required=False
    )
    service = EtablissementChoiceField(
        label="Service", required=False, queryset=Etablissement.objects.none(), empty_label="Tous"
    )

    def __init__(self, *args: Any, etablissements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "service").queryset = etablissements


class CandidatureForm(forms.Form):
    etablissement = EtablissementChoiceField(
        label="Service demandé", queryset=Etablissement.objects.none()
    )
    source = forms.ChoiceField(label="Origine de la demande", choices=Candidature.Source.choices)
    reference_viatrajectoire = forms.CharField(
        label="Référence ViaTrajectoire", max_length=50, required=False
    )
    mdph_date_notification = forms.DateField(
        label="Date de notification MDPH", required=False, widget=_DATE
    )
    mdph_decision_debut = forms.DateField(
        label="Décision MDPH valable du", required=False, widget=_DATE
    )
    mdph_decision_fin = forms.DateField(
        label="Décision MDPH valable au", required=False, widget=_DATE
    )
    type_souhaite = forms.ChoiceField(
        label="Accueil souhaité",
        required=False,
        choices=[("", "—")] + list(TypePriseEnCharge.choices),
    )
    date_reception = forms.DateField(label="Reçue le", widget=_DATE)
    priorite = forms.TypedChoiceField(
        label="Priorité", coerce=int, choices=Candidature.Priorite.choices
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, etablissements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "etablissement").queryset = etablissements


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanContactForm(VersionForm):
    prevu_le = forms.DateTimeField(
        label="Premier contact prévu le", widget=_DATETIME, input_formats=_DATETIME_FORMATS
    )


class TraceContactForm(VersionForm):
    fait_le = forms.DateTimeField(
        label="Premier contact fait le", widget=_DATETIME, input_formats=_DATETIME_FORMATS
    )
    compte_rendu = forms.CharField(label="Compte rendu", widget=forms.Textarea)


class DecisionForm(VersionForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[
            (Candidature.Statut.ACCEPTEE, "Accepter (liste d'attente)"),
            (Candidature.Statut.REFUSEE, "Refuser"),
            (Candidature.Statut.DESISTEMENT, "Désistement"),
        ],
    )
    motif = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea,
        help_text="Obligatoire pour un refus.",
    )


class AdmissionForm(forms.Form):
    etablissement = EtablissementChoiceField(
        label="Établissement ou service", queryset=Etablissement.objects.none()
    )
    unite = UniteChoiceField(
        label="Unité", required=False, queryset=Unite.objects.none(), empty_label="—"
    )
    type = forms.ChoiceField(label="Type d'accueil", choices=TypePriseEnCharge.choices)
    date_admission = forms.DateField(label="Date d'admission", widget=_DATE)

    def __init__(self, *args: Any, etablissements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "etablissement").queryset = etablissements
        _model_choice(self, "unite").queryset = Unite.objects.filter(
            etablissement__in=etablissements
        ).select_related("etablissement")


class TransfertUniteForm(forms.Form):
    unite = UniteChoiceField(label="Nouvelle unité", queryset=Unite.objects.none())
    date = forms.DateField(label="Date du transfert", widget=_DATE)
    motif = forms.CharField(label="Motif", max_length=200, required=False)

    def __init__(self, *args: Any, etablissement: Etablissement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "unite").queryset = Unite.objects.filter(
            etablissement=etablissement
        ).select_related("etablissement")


class TransfertServiceForm(AdmissionForm):
    date_admission = forms.DateField(label="Date du transfert", widget=_DATE)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)


class SortieForm(forms.Form):
    date_sortie = forms.DateField(label="Date de sortie", widget=_DATE)
    motif = forms.ChoiceField(
        label="Motif de sortie",
        choices=[c for c in MotifSortie.choices if c[0] != MotifSortie.TRANSFERT_INTERNE],
    )
    destination = forms.CharField(label="Destination", max_length=200, required=False)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)


class SuiviFaitForm(forms.Form):
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)
