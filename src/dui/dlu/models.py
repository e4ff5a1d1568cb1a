"""The dossier de liaison d'urgence (DLU): one row per version of a person's DLU.

A version is a draft (brouillon) until a health professional validates it; a validated
version is frozen (its `donnees` never change again) and the next edit starts a new draft
numbered after it. `donnees` is a JSON snapshot whose structure is documented in
`dui.dlu.schema` (sections and fields after the CI-SIS DLU-EHPAD / DLU-DOM models), so that
a validated DLU prints and exports exactly as it was validated, whatever the record became.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


def _pdf_path(instance: object, filename: str) -> str:
    # A random name: the file system never shows whose DLU it is.
    import uuid

    return f"dlu/{uuid.uuid4().hex}.pdf"


class StatutDLU(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    VALIDE = "valide", "Validé"


class VarianteDLU(models.TextChoices):
    # DLU-EHPAD (HAS 2015) for residents; DLU-Dom (HAS 2021) for people living at home,
    # which adds the service's synthèse environnementale.
    EHPAD = "ehpad", "DLU EHPAD (hébergement)"
    DOMICILE = "domicile", "DLU-Dom (domicile)"


class DLU(models.Model):
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="dlus")
    numero = models.PositiveIntegerField("version n°")
    statut = models.CharField(
        "statut", max_length=10, choices=StatutDLU.choices, default=StatutDLU.BROUILLON
    )
    variante = models.CharField(
        "modèle", max_length=10, choices=VarianteDLU.choices, default=VarianteDLU.EHPAD
    )
    # The établissement or service that keeps this DLU (its 24h/24 contact is printed).
    etablissement = models.ForeignKey(
        "structures.Etablissement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="établissement",
    )
    donnees = models.JSONField("contenu", default=dict, blank=True)
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", default=timezone.now)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    valide_le = models.DateTimeField("validé le", null=True, blank=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )
    # Stale-save protection: a form carries the version it displayed.
    version = models.PositiveIntegerField(default=1)
    # The PDF rendered once at validation: printing a validated version (at 3 a.m., for the
    # SAMU) serves these bytes at once, and they are exactly what was validated.
    pdf = models.FileField("PDF de la version validée", upload_to=_pdf_path, blank=True)

    class Meta:
        verbose_name = "dossier de liaison d'urgence"
        verbose_name_plural = "dossiers de liaison d'urgence"
        ordering = ["usager", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["usager", "numero"], name="dlu_numero_unique"),
            # At most one draft per person: two drafts would silently diverge.
            models.UniqueConstraint(
                fields=["usager"],
                condition=models.Q(statut="brouillon"),
                name="dlu_un_brouillon",
            ),
            models.CheckConstraint(
                name="dlu_valide_date",
                condition=models.Q(statut="brouillon") | models.Q(valide_le__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["statut", "valide_le"])]

    def __str__(self) -> str:
        return f"DLU v{self.numero} ({self.get_statut_display()})"

    @property
    def est_valide(self) -> bool:
        return self.statut == StatutDLU.VALIDE
