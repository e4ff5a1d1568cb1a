"""The projet personnalisé (PPA): one current project per person, its signed versions and
the journal of its steps.

The project in progress carries a draft (`contenu`, structure in `contenu.py`); signing it
freezes a `VersionProjet` (an immutable snapshot), and the next revision is drafted as version
n + 1. The six steps of the law are the `Etape` states (transition table in `services.py`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Etape(models.TextChoices):
    RECUEIL = "recueil", "Recueil des attentes, besoins et habitudes"
    ANALYSE = "analyse", "Analyse en équipe"
    CO_CONSTRUCTION = "co_construction", "Co-construction du projet"
    MISE_EN_OEUVRE = "mise_en_oeuvre", "Mise en œuvre"
    SUIVI = "suivi", "Suivi et actualisation"
    CLOTURE = "cloture", "Clôture"


class MotifCloture(models.TextChoices):
    SORTIE = "sortie", "Sortie de la personne"
    TRANSFERT = "transfert", "Transfert vers un autre service"
    DECES = "deces", "Décès"
    AUTRE = "autre", "Autre motif"


class ProjetQuerySet(models.QuerySet["ProjetPersonnalise"]):
    def visible_to(self, user: Any) -> ProjetQuerySet:
        """Projects of persons the user may open, in établissements where they read
        "educatif" data (the policy decides both)."""
        from dui.comptes import policy
        from dui.usagers.models import Usager

        etab_ids = [e for e, d in policy.droits(user).items() if "educatif" in d.lecture]
        return self.filter(
            etablissement_id__in=etab_ids, usager__in=Usager.objects.visible_to(user)
        )


class ProjetPersonnalise(models.Model):
    """The person's projet personnalisé; at most one not closed per person."""

    usager = models.ForeignKey("usagers.Usager", on_delete=models.CASCADE, related_name="projets")
    prise_en_charge = models.ForeignKey(
        "usagers.PriseEnCharge", on_delete=models.PROTECT, related_name="projets"
    )
    etablissement = models.ForeignKey(
        "structures.Etablissement", on_delete=models.PROTECT, related_name="+"
    )
    etape = models.CharField("étape", max_length=20, choices=Etape.choices, default=Etape.RECUEIL)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projets_coordonnes",
        verbose_name="référent (coordinateur du projet)",
    )
    # The draft being prepared: the content of version `numero_brouillon` once signed.
    contenu = models.JSONField(default=dict, blank=True)
    numero_brouillon = models.PositiveIntegerField(default=1)
    # Optimistic lock: every save of the draft or of the step increments it.
    version = models.PositiveIntegerField(default=1)
    derniere_signature_le = models.DateField("dernière signature", null=True, blank=True)
    # Next deadline (first project or revision); None once closed.
    echeance = models.DateField("échéance", null=True, blank=True, db_index=True)
    ouvert_le = models.DateTimeField(default=timezone.now)
    ouvert_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modifie_le = models.DateTimeField(default=timezone.now)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cloture_le = models.DateField("clôturé le", null=True, blank=True)
    motif_cloture = models.CharField(
        "motif de clôture", max_length=12, choices=MotifCloture.choices, blank=True
    )

    objects = ProjetQuerySet.as_manager()

    class Meta:
        verbose_name = "projet personnalisé"
        verbose_name_plural = "projets personnalisés"
        ordering = ["-ouvert_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["usager"],
                condition=~models.Q(etape="cloture"),
                name="projet_un_seul_en_cours_par_usager",
            )
        ]
        indexes = [models.Index(fields=["etablissement", "etape", "echeance"])]

    def __str__(self) -> str:
        return f"Projet personnalisé {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.etape == Etape.CLOTURE


class MoyenSignature(models.TextChoices):
    MANUSCRITE = "manuscrite", "Signature manuscrite sur le document imprimé"
    TABLETTE = "tablette", "Signature sur tablette"
    ELECTRONIQUE = "electronique", "Signature électronique"
    ORALE = "orale", "Accord oral recueilli et tracé (la personne ne peut pas signer)"
    AUTHENTIFICATION = "authentification", "Validation dans le DUI (connexion à double facteur)"


class QualiteSignataire(models.TextChoices):
    PERSONNE = "personne", "La personne elle-même"
    REPRESENTANT = "representant", "Son représentant légal"


class FrozenVersion(Exception):
    """A signed version is never changed nor deleted."""


class VersionProjet(models.Model):
    """A signed version: the content as signed, the participants and both signatures."""

    projet = models.ForeignKey(
        ProjetPersonnalise, on_delete=models.CASCADE, related_name="versions"
    )
    numero = models.PositiveIntegerField()
    contenu = models.JSONField()
    etape = models.CharField(max_length=20, choices=Etape.choices)
    personne_qualite = models.CharField(max_length=12, choices=QualiteSignataire.choices)
    personne_nom = models.CharField("signé par", max_length=200)
    personne_signe_le = models.DateField("date de signature (personne)")
    personne_moyen = models.CharField(max_length=20, choices=MoyenSignature.choices)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referent_nom = models.CharField(max_length=200)
    referent_signe_le = models.DateField("date de signature (référent)")
    referent_moyen = models.CharField(max_length=20, choices=MoyenSignature.choices)
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "version signée du projet personnalisé"
        ordering = ["projet", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["projet", "numero"], name="projet_version_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.numero}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenVersion("Une version signée du projet ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise FrozenVersion("Une version signée du projet ne se supprime pas.")


class TransitionProjet(models.Model):
    """One change of step, shown as the project's history (also in the audit journal)."""

    projet = models.ForeignKey(
        ProjetPersonnalise, on_delete=models.CASCADE, related_name="transitions"
    )
    de = models.CharField(max_length=20, choices=Etape.choices, blank=True)
    vers = models.CharField(max_length=20, choices=Etape.choices)
    le = models.DateTimeField(default=timezone.now)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    commentaire = models.TextField(blank=True)

    class Meta:
        ordering = ["le", "pk"]

    def __str__(self) -> str:
        return f"{self.de} → {self.vers}"
