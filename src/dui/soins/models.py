"""Vital signs and measures of a person (category "soins"), and alert thresholds.

A measure is never edited in place: a correction is a new measure pointing at the one it
corrects, which is marked corrected (date, by whom) and stays in the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from dui.soins.constantes import SPECS, TypeConstante, format_valeur
from dui.structures.models import Etablissement
from dui.usagers.models import Usager


class Mesure(models.Model):
    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="mesures")
    type = models.CharField("type", max_length=12, choices=TypeConstante.choices)
    valeur = models.DecimalField("valeur", max_digits=7, decimal_places=2)
    # Second value of a two-value measure: the diastolic pressure.
    valeur2 = models.DecimalField("valeur 2", max_digits=7, decimal_places=2, null=True)
    mesure_le = models.DateTimeField("mesuré le")
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    corrige = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="corrige la mesure",
    )
    motif_correction = models.CharField("motif de la correction", max_length=300, blank=True)
    corrigee_le = models.DateTimeField("corrigée le", null=True, blank=True)

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        indexes = [
            models.Index(fields=["usager", "type", "mesure_le"]),
            models.Index(fields=["mesure_le"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.texte}"

    @property
    def texte(self) -> str:
        return format_valeur(self.type, self.valeur, self.valeur2)

    @property
    def unite(self) -> str:
        return SPECS[self.type].unite


class SeuilAlerte(models.Model):
    """Normal range of one type of measure in one établissement (replaces the default)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="seuils_alerte"
    )
    type = models.CharField("type", max_length=12, choices=TypeConstante.choices)
    bas = models.DecimalField(
        "valeur normale minimale", max_digits=7, decimal_places=2, null=True, blank=True
    )
    haut = models.DecimalField(
        "valeur normale maximale", max_digits=7, decimal_places=2, null=True, blank=True
    )
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "seuil d'alerte"
        verbose_name_plural = "seuils d'alerte"
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "type"], name="seuil_unique_par_type")
        ]


def seuils_for(etablissement_id: int | None) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Normal range per type for an établissement: configured, else the default (1 query)."""
    result = {code: (spec.bas, spec.haut) for code, spec in SPECS.items()}
    if etablissement_id is not None:
        for s in SeuilAlerte.objects.filter(etablissement_id=etablissement_id):
            result[s.type] = (s.bas, s.haut)
    return result


# --- Care and medical file: antécédents, allergies, vaccinations -------------------------
#
# Categories (see DESIGN): allergies and vaccinations are "soins" data, read by every care
# professional of the person (an aide-soignant serving a meal must see a food allergy);
# antécédents are "medical" data, read only by the health professionals with medical rights.
# Nothing is deleted: removing an entry deactivates it with a reason, and it stays listed in
# the history.


class _Desactivable(models.Model):
    actif = models.BooleanField("actif", default=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)
    desactive_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    desactive_le = models.DateTimeField("retiré le", null=True, blank=True)
    motif_desactivation = models.CharField("motif du retrait", max_length=300, blank=True)

    class Meta:
        abstract = True


class TypeAntecedent(models.TextChoices):
    MEDICAL = "medical", "Médical"
    CHIRURGICAL = "chirurgical", "Chirurgical"
    FAMILIAL = "familial", "Familial"


class Antecedent(_Desactivable):
    """A medical, surgical or family history item (category "medical")."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="antecedents")
    type = models.CharField("type", max_length=12, choices=TypeAntecedent.choices)
    libelle = models.CharField("libellé", max_length=200)
    date = models.DateField("date", null=True, blank=True)
    annee = models.PositiveSmallIntegerField("année", null=True, blank=True)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "antécédent"
        verbose_name_plural = "antécédents"
        indexes = [models.Index(fields=["usager", "actif"])]

    def __str__(self) -> str:
        return self.libelle


class TypeAllergie(models.TextChoices):
    ALLERGIE = "allergie", "Allergie"
    INTOLERANCE = "intolerance", "Intolérance"


class Severite(models.TextChoices):
    LEGERE = "legere", "Légère"
    MODEREE = "moderee", "Modérée"
    SEVERE = "severe", "Sévère"
    ANAPHYLAXIE = "anaphylaxie", "Anaphylaxie"


SEVERITES_GRAVES = {Severite.SEVERE, Severite.ANAPHYLAXIE}


class Certitude(models.TextChoices):
    CONFIRMEE = "confirmee", "Confirmée"
    SUSPECTEE = "suspectee", "Suspectée"


class Allergie(_Desactivable):
    """An allergy or intolerance to a substance or agent (category "soins")."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField("substance ou agent", max_length=200)
    type = models.CharField(
        "type", max_length=12, choices=TypeAllergie.choices, default=TypeAllergie.ALLERGIE
    )
    reaction = models.CharField("réaction", max_length=300, blank=True)
    severite = models.CharField("sévérité", max_length=12, choices=Severite.choices)
    certitude = models.CharField(
        "certitude", max_length=10, choices=Certitude.choices, default=Certitude.CONFIRMEE
    )

    class Meta:
        verbose_name = "allergie ou intolérance"
        verbose_name_plural = "allergies et intolérances"
        indexes = [models.Index(fields=["usager", "actif"])]

    def __str__(self) -> str:
        return self.substance

    @property
    def grave(self) -> bool:
        return self.severite in SEVERITES_GRAVES


class AllergieStatut(models.Model):
    """ "No known allergy" stated explicitly, so that it differs from "not filled in"."""

    usager = models.OneToOneField(Usager, on_delete=models.CASCADE, related_name="allergie_statut")
    aucune_connue = models.BooleanField("aucune allergie connue", default=False)
    verifie_le = models.DateTimeField("vérifié le")
    verifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "statut allergique"
        verbose_name_plural = "statuts allergiques"


class Vaccination(_Desactivable):
    """A vaccine given (category "soins")."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="vaccinations")
    vaccin = models.CharField("vaccin", max_length=200)
    date = models.DateField("date")
    lot = models.CharField("numéro de lot", max_length=60, blank=True)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "vaccination"
        verbose_name_plural = "vaccinations"
        indexes = [models.Index(fields=["usager", "actif"])]

    def __str__(self) -> str:
        return self.vaccin
