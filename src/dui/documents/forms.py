"""Forms of the Documents tab (the checks of the file itself are in services/contenu)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from dui.documents import contenu, types
from dui.documents.models import Confidentialite, ModeSignature, Origine
from dui.usagers.models import PriseEnCharge

CONFIDENTIALITE_AIDE = (
    "Normal : toute personne habilitée à ce type de document. Restreint : les professionnels "
    "de santé et l'auteur. Très restreint : l'auteur, les médecins et infirmiers."
)


class _FichierField(forms.FileField):
    widget = forms.ClearableFileInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = contenu.ACCEPT
        return attrs


class VersionForm(forms.Form):
    fichier = _FichierField(
        label="Fichier",
        help_text=f"Formats acceptés : {contenu.LIBELLE_ACCEPTES}.",
        error_messages={"required": "Choisissez le fichier à enregistrer."},
    )
    commentaire = forms.CharField(label="Commentaire", max_length=300, required=False)
    signature_manuscrite = forms.CharField(
        label="Signé à la main par (facultatif)",
        max_length=200,
        required=False,
        help_text="Si le document scanné porte une signature manuscrite : nom et qualité.",
    )
    # The last version the form showed: a version added meanwhile makes the upload stale.
    base_numero = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DocumentForm(VersionForm):
    type_code = forms.ChoiceField(
        label="Type de document", error_messages={"required": "Choisissez le type du document."}
    )
    titre = forms.CharField(
        label="Titre", max_length=200, error_messages={"required": "Donnez un titre au document."}
    )
    confidentialite = forms.ChoiceField(
        label="Confidentialité",
        choices=Confidentialite.choices,
        initial=Confidentialite.NORMAL,
        help_text=CONFIDENTIALITE_AIDE,
    )
    origine = forms.ChoiceField(
        label="Origine",
        choices=[(Origine.TELEVERSE, "Document ajouté"), (Origine.RECU, "Reçu d'un partenaire")],
        initial=Origine.TELEVERSE,
    )
    emetteur = forms.CharField(
        label="Émetteur (pour un document reçu)",
        max_length=200,
        required=False,
        help_text="Par exemple : service des urgences du centre hospitalier.",
    )
    prise_en_charge = forms.ModelChoiceField(
        label="Séjour ou accompagnement concerné",
        queryset=PriseEnCharge.objects.none(),
        required=False,
        empty_label="Aucun en particulier",
    )

    field_order = [
        "type_code",
        "titre",
        "fichier",
        "confidentialite",
        "origine",
        "emetteur",
        "prise_en_charge",
        "signature_manuscrite",
        "commentaire",
    ]

    def __init__(self, *args: Any, categories: set[str], sejours: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [("", "—")] + [
            (code, libelle)
            for code, libelle in types.choix_televersables()
            if types.categorie_du_type(code) in categories
        ]
        sejour_field = cast(forms.ModelChoiceField, self.fields["prise_en_charge"])
        sejour_field.queryset = sejours
        sejour_field.label_from_instance = lambda s: (  # type: ignore[method-assign]
            f"{s.etablissement.nom} depuis le {s.date_debut:%d/%m/%Y}"
            + (f" jusqu'au {s.date_fin:%d/%m/%Y}" if s.date_fin else "")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("origine") == Origine.RECU and not (data.get("emetteur") or "").strip():
            self.add_error("emetteur", "Indiquez qui a envoyé ce document.")
        return data


class SignatureForm(forms.Form):
    mode = forms.ChoiceField(
        label="Mode de signature",
        choices=[
            (ModeSignature.LOGICIEL, ModeSignature.LOGICIEL.label),
            (ModeSignature.MANUSCRITE_SCANNEE, "Signature manuscrite présente sur le document"),
        ],
        widget=forms.RadioSelect,
        initial=ModeSignature.LOGICIEL,
    )
    code_otp = forms.CharField(
        label="Code de votre application d'authentification",
        max_length=10,
        required=False,
        help_text="Pour signer dans le logiciel : le code à 6 chiffres du moment.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    signataire_nom = forms.CharField(
        label="Nom et qualité du signataire (signature manuscrite)",
        max_length=200,
        required=False,
    )
