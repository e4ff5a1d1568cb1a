"""Evaluation grids and the evaluations of a person made with them.

A grid (Grille) is a list of items, each with an answer scale; a built-in grid names the
function that computes its result (CALCULS in services.py). An evaluation is dated, written
by its author, signed (then frozen: a new evaluation is made, never an edit), and keeps its
computed result so that results can be compared over time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TypeGrille(models.TextChoices):
    INTEGREE = "integree", "Intégrée"
    ADMINISTRATEUR = "administrateur", "Définie par un administrateur"


class Grille(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    version = models.CharField("version", max_length=20)
    type = models.CharField("type", max_length=20, choices=TypeGrille.choices)
    # Category of the person's data the grid belongs to: decides who reads and writes it.
    categorie = models.CharField("catégorie", max_length=20, default="soins")
    calcul = models.CharField("calcul du résultat", max_length=40, blank=True)
    actif = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "grille d'évaluation"
        verbose_name_plural = "grilles d'évaluation"

    def __str__(self) -> str:
        return self.libelle


class GrilleItem(models.Model):
    grille = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("code", max_length=60)
    libelle = models.CharField("libellé", max_length=200)
    # Items of one variable are shown together (fieldset); a variable without
    # sub-variables has a single item whose code is the variable's.
    variable = models.CharField("variable", max_length=60)
    variable_libelle = models.CharField("libellé de la variable", max_length=200)
    section = models.CharField("section", max_length=40, blank=True)
    ordre = models.PositiveIntegerField("ordre")
    # {"type": "adverbes"} (four booleans S, T, C, H) or {"type": "choix", "options": [...]}.
    echelle = models.JSONField("échelle de réponse", default=dict)

    class Meta:
        ordering = ["grille", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["grille", "code"], name="grille_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.grille.code} · {self.code}"


class StatutEvaluation(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNEE = "signee", "Signée"


class Evaluation(models.Model):
    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, related_name="evaluations"
    )
    grille = models.ForeignKey(Grille, on_delete=models.PROTECT, related_name="evaluations")
    date = models.DateField("date de l'évaluation")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=StatutEvaluation.choices,
        default=StatutEvaluation.BROUILLON,
    )
    signee_le = models.DateTimeField("signée le", null=True, blank=True)
    signee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resultat = models.JSONField("résultat", default=dict, blank=True)
    resultat_libelle = models.CharField("résultat", max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "évaluation"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["usager", "grille", "date"], name="evaluation_usager_date")]

    def __str__(self) -> str:
        return f"{self.grille.libelle} du {self.date:%d/%m/%Y}"

    @property
    def signee(self) -> bool:
        return self.statut == StatutEvaluation.SIGNEE


class Reponse(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="reponses")
    item_code = models.CharField("item", max_length=60)
    valeur = models.JSONField("valeur")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item_code"], name="reponse_item_unique")
        ]

    def __str__(self) -> str:
        return self.item_code
