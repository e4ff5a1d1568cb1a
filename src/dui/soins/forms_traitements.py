"""Forms of prescriptions and of the round: they parse what is typed; the services check it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from dui.soins.creneaux import MOMENTS
from dui.soins.models import (
    LigneMedicament,
    MotifNonDonne,
    TypePrescriptionAutre,
    VoieAdministration,
)
from dui.soins.traitements import AutreSaisie, LigneSaisie
from dui.usagers.models import IntervenantExterieur, Usager

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _quantite(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        localize=True,
        max_digits=6,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": "Saisissez un nombre (par exemple 1 ou 0,5)."},
    )


class PrescriptionForm(forms.Form):
    date_prescription = forms.DateField(label="Date de la prescription", widget=DATE)
    prescripteur_externe = forms.ModelChoiceField(
        label="Prescripteur (intervenant de la personne)",
        queryset=IntervenantExterieur.objects.none(),
        required=False,
        empty_label="— autre prescripteur —",
    )
    prescripteur_nom = forms.CharField(
        label="Ou nom du prescripteur", required=False, max_length=200
    )
    prescripteur_rpps = forms.CharField(label="RPPS du prescripteur", required=False, max_length=11)
    document = forms.FileField(
        label="Ordonnance scannée ou reçue",
        required=False,
        help_text="PDF, JPEG ou PNG, 10 Mo au plus. Conservée dans le dossier, non publique.",
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args: Any, usager: Usager, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["prescripteur_externe"]
        field.queryset = IntervenantExterieur.objects.filter(
            usager=usager,
            actif=True,
            type__in=["medecin_traitant", "specialiste", "infirmier_liberal", "kinesitherapeute"],
        )
        if not self.is_bound:
            self.initial.setdefault("date_prescription", timezone.localdate())


class LigneForm(forms.Form):
    """One medication line; the quantity of each moment of the day, or precise hours."""

    medicament = forms.CharField(label="Médicament", max_length=200, required=False)
    dosage = forms.CharField(label="Dosage", max_length=60, required=False)
    forme = forms.CharField(label="Forme", max_length=60, required=False)
    voie = forms.ChoiceField(label="Voie", choices=VoieAdministration.choices, initial="orale")
    unite_prise = forms.CharField(label="Unité de prise", max_length=30, initial="cp")
    heures = forms.CharField(
        label="Prises à heure précise",
        required=False,
        max_length=200,
        help_text="Par exemple « 08:00=1, 20:00=0,5 » (heure=quantité).",
    )
    si_besoin = forms.BooleanField(label="Si besoin", required=False)
    condition = forms.CharField(label="Condition (si besoin)", required=False, max_length=300)
    quantite_si_besoin = _quantite("Quantité par prise (si besoin)")
    max_par_jour = forms.IntegerField(
        label="Maximum par jour (si besoin)", required=False, min_value=1, max_value=24
    )
    debut = forms.DateField(label="Début", widget=DATE, required=False)
    fin = forms.DateField(label="Fin prévue", widget=DATE, required=False)
    instructions = forms.CharField(label="Instructions", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, libelle in MOMENTS:
            self.fields[f"q_{code}"] = _quantite(f"Quantité {libelle.lower()}")
        self.order_fields(
            ["medicament", "dosage", "forme", "voie", "unite_prise"]
            + [f"q_{code}" for code, _ in MOMENTS]
        )

    @property
    def vide(self) -> bool:
        return not (self.cleaned_data.get("medicament") or "").strip()

    def clean_heures(self) -> list[dict[str, str]]:
        result = []
        for part in (self.cleaned_data.get("heures") or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            heure, _, q = part.partition("=")
            result.append({"heure": heure.strip(), "quantite": (q.strip() or "1")})
        return result

    def saisie(self) -> LigneSaisie:
        d = self.cleaned_data
        if d.get("si_besoin"):
            prises = [
                {"moment": "", "heure": "", "quantite": str(d.get("quantite_si_besoin") or 1)}
            ]
        else:
            prises = [
                {"moment": code, "heure": "", "quantite": str(d[f"q_{code}"])}
                for code, _ in MOMENTS
                if d.get(f"q_{code}") is not None
            ] + d.get("heures", [])
        return LigneSaisie(
            medicament=d.get("medicament", ""),
            dosage=d.get("dosage", ""),
            forme=d.get("forme", ""),
            voie=d.get("voie", "orale"),
            unite_prise=d.get("unite_prise", ""),
            prises=prises,
            si_besoin=bool(d.get("si_besoin")),
            condition=d.get("condition", ""),
            max_par_jour=d.get("max_par_jour"),
            debut=d.get("debut") or timezone.localdate(),
            fin=d.get("fin"),
            instructions=d.get("instructions", ""),
        )

    @classmethod
    def initial_from(cls, ligne: LigneMedicament) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f: getattr(ligne, f)
            for f in (
                "medicament",
                "dosage",
                "forme",
                "voie",
                "unite_prise",
                "si_besoin",
                "condition",
                "max_par_jour",
                "fin",
                "instructions",
            )
        }
        initial["debut"] = timezone.localdate()
        heures = []
        for p in ligne.prises:
            q = Decimal(str(p.get("quantite", "1")))
            if ligne.si_besoin:
                initial["quantite_si_besoin"] = q
            elif p.get("heure"):
                heures.append(f"{p['heure']}={q.normalize():f}".replace(".", ","))
            elif p.get("moment"):
                initial[f"q_{p['moment']}"] = q
        initial["heures"] = ", ".join(heures)
        return initial


class AutreForm(forms.Form):
    type = forms.ChoiceField(
        label="Type", choices=[("", "—"), *TypePrescriptionAutre.choices], required=False
    )
    libelle = forms.CharField(
        label="Prescription non médicamenteuse", required=False, max_length=300
    )
    frequence = forms.CharField(label="Fréquence", required=False, max_length=120)
    debut = forms.DateField(label="Début", widget=DATE, required=False)
    fin = forms.DateField(label="Fin prévue", widget=DATE, required=False)

    @property
    def vide(self) -> bool:
        return not (self.cleaned_data.get("libelle") or "").strip()

    def saisie(self) -> AutreSaisie:
        d = self.cleaned_data
        return AutreSaisie(
            type=d.get("type") or "",
            libelle=d.get("libelle", ""),
            frequence=d.get("frequence", ""),
            debut=d.get("debut") or timezone.localdate(),
            fin=d.get("fin"),
        )


LigneFormSet = forms.formset_factory(LigneForm, extra=3)
AutreFormSet = forms.formset_factory(AutreForm, extra=2)


class MotifForm(forms.Form):
    motif = forms.CharField(label="Motif", max_length=300)


class NonDonneForm(forms.Form):
    motif = forms.ChoiceField(label="Motif", choices=MotifNonDonne.choices)
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=300)


def today() -> datetime.date:
    return timezone.localdate()
