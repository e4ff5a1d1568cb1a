"""Organismes gestionnaires, établissements/services (FINESS) and their internal units."""

from __future__ import annotations

from django.db import models


class CategorieEtablissement(models.TextChoices):
    # Values are the FINESS category codes (nomenclature "catégorie d'établissement").
    EHPAD = "500", "EHPAD"
    RESIDENCE_AUTONOMIE = "202", "Résidence autonomie"
    ACCUEIL_DE_JOUR = "207", "Centre d'accueil de jour"
    IME = "183", "IME — Institut médico-éducatif"
    ITEP = "186", "ITEP — Institut thérapeutique, éducatif et pédagogique"
    IEM = "192", "IEM — Institut d'éducation motrice"
    SESSAD = "182", "SESSAD"
    CAMSP = "190", "CAMSP"
    MAS = "255", "MAS — Maison d'accueil spécialisée"
    FAM = "437", "FAM — Foyer d'accueil médicalisé"
    ESAT = "246", "ESAT"
    FOYER_VIE = "382", "Foyer de vie"
    SAMSAH = "445", "SAMSAH"
    SAVS = "446", "SAVS"
    SAD = "460", "SAD — Service autonomie à domicile"
    SSIAD = "354", "SSIAD"
    CHRS = "214", "CHRS"
    MECS = "177", "MECS — Maison d'enfants à caractère social"

    @classmethod
    def domicile(cls) -> set[str]:
        return {cls.SAD, cls.SSIAD, cls.SESSAD, cls.SAMSAH, cls.SAVS}


class OrganismeGestionnaire(models.Model):
    raison_sociale = models.CharField("raison sociale", max_length=200)
    finess = models.CharField("FINESS juridique", max_length=9, unique=True)
    # Set when a user confirmed a number whose check key failed (or a Corsican one).
    finess_cle_confirmee = models.BooleanField(
        "clé FINESS confirmée malgré l'alerte", default=False
    )
    adresse = models.CharField("adresse", max_length=300, blank=True)

    class Meta:
        verbose_name = "organisme gestionnaire"
        verbose_name_plural = "organismes gestionnaires"
        ordering = ["raison_sociale"]

    def __str__(self) -> str:
        return self.raison_sociale


class Etablissement(models.Model):
    organisme = models.ForeignKey(
        OrganismeGestionnaire,
        on_delete=models.PROTECT,
        related_name="etablissements",
        verbose_name="organisme gestionnaire",
    )
    nom = models.CharField("nom", max_length=200)
    finess = models.CharField("FINESS géographique", max_length=9, unique=True)
    finess_cle_confirmee = models.BooleanField(
        "clé FINESS confirmée malgré l'alerte", default=False
    )
    categorie = models.CharField("catégorie", max_length=3, choices=CategorieEtablissement.choices)
    capacite_places = models.PositiveIntegerField("capacité (places)", default=0)
    adresse = models.CharField("adresse", max_length=300, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "établissement ou service"
        verbose_name_plural = "établissements et services"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom

    @property
    def is_domicile(self) -> bool:
        return self.categorie in CategorieEtablissement.domicile()


class Unite(models.Model):
    class Type(models.TextChoices):
        AILE = "aile", "Aile"
        GROUPE = "groupe", "Groupe"
        SECTEUR = "secteur", "Secteur"
        UNITE = "unite", "Unité"

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="unites"
    )
    nom = models.CharField("nom", max_length=100)
    type = models.CharField("type", max_length=10, choices=Type.choices, default=Type.UNITE)
    capacite_places = models.PositiveIntegerField("capacité (places)", null=True, blank=True)

    class Meta:
        verbose_name = "unité"
        ordering = ["etablissement", "nom"]
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "nom"], name="unite_nom_unique")
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.etablissement.nom})"
