"""DMP records: the person's information and opposition (consent history) and the outbox of
documents to send (EnvoiDMP)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class TypeConsentementDMP(models.TextChoices):
    INFORMATION = "information", "Information sur le DMP donnée"
    OPPOSITION = "opposition", "Opposition à l'alimentation du DMP"
    RETRAIT = "retrait", "Retrait de l'opposition"


class MoyenInformation(models.TextChoices):
    ORAL = "oral", "Oralement, lors d'un entretien"
    DOCUMENT = "document", "Document d'information remis"
    LIVRET = "livret", "Livret d'accueil"
    COURRIER = "courrier", "Courrier ou courriel"


class DestinataireInformation(models.TextChoices):
    PERSONNE = "personne", "La personne elle-même"
    REPRESENTANT = "representant", "Son représentant légal"


class ConsentementDMP(models.Model):
    """One event of the person's DMP consent history, never changed nor deleted: the
    current state is the latest information and the latest opposition/withdrawal."""

    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, related_name="consentements_dmp"
    )
    type = models.CharField("événement", max_length=20, choices=TypeConsentementDMP.choices)
    date = models.DateField("date")
    # Information: who was informed, how, by whom.
    destinataire = models.CharField(
        "personne informée",
        max_length=20,
        choices=DestinataireInformation.choices,
        blank=True,
    )
    moyen = models.CharField(
        "moyen d'information", max_length=20, choices=MoyenInformation.choices, blank=True
    )
    par = models.CharField("informé(e) par", max_length=200, blank=True)
    # Opposition or withdrawal: what the person said (legitimate reason, context).
    motif = models.TextField("motif ou commentaire", blank=True)
    enregistre_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enregistre_le = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "consentement DMP"
        verbose_name_plural = "consentements DMP"
        ordering = ["-enregistre_le", "-pk"]
        indexes = [
            models.Index(fields=["usager", "-enregistre_le"], name="consentement_dmp_usager")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} le {self.date:%d/%m/%Y}"


class StatutEnvoi(models.TextChoices):
    A_ENVOYER = "a_envoyer", "À envoyer"
    ENVOYE = "envoye", "Envoyé"
    REFUSE = "refuse", "Refusé par le DMP"
    ERREUR = "erreur", "En erreur"


ACTIFS = [StatutEnvoi.A_ENVOYER, StatutEnvoi.ENVOYE, StatutEnvoi.ERREUR]


class EnvoiDMP(models.Model):
    """A decision to send one document version to the DMP (outbox row), and its outcome.

    `unique_id` (the CDA document id) is the idempotency key: every retry sends the same
    uniqueId and entryUUID, so the DMP stores the document once whatever happens locally.
    """

    version = models.ForeignKey(
        "documents.VersionDocument", on_delete=models.PROTECT, related_name="envois_dmp"
    )
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(
        "structures.Etablissement", on_delete=models.PROTECT, related_name="+"
    )
    unique_id = models.CharField("identifiant unique", max_length=128, db_index=True)
    entry_uuid = models.CharField("entryUUID", max_length=64)
    remplace = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="remplace_par"
    )
    # Visibility chosen when deciding to send.
    masque_ps = models.BooleanField("masqué aux professionnels de santé", default=False)
    invisible_patient = models.BooleanField("non visible par la personne", default=False)
    invisible_representants = models.BooleanField(
        "non visible par les représentants légaux", default=False
    )
    statut = models.CharField(
        "état", max_length=20, choices=StatutEnvoi.choices, default=StatutEnvoi.A_ENVOYER
    )
    tentatives = models.PositiveIntegerField("tentatives", default=0)
    # When the next attempt is due; an envoi still "à envoyer" well after it is re-enqueued
    # by the sweeper (a worker killed mid-send leaves no retry behind).
    prochain_essai = models.DateTimeField("prochain essai")
    motif = models.TextField("motif du refus ou de l'erreur", blank=True)
    codes_erreur = models.CharField("codes d'erreur", max_length=300, blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    demande_le = models.DateTimeField("demandé le", auto_now_add=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    deja_recu = models.BooleanField("déjà reçu par le DMP lors d'une reprise", default=False)

    class Meta:
        verbose_name = "envoi au DMP"
        verbose_name_plural = "envois au DMP"
        ordering = ["-demande_le", "-pk"]
        indexes = [
            models.Index(fields=["statut", "prochain_essai"], name="envoi_dmp_file"),
            models.Index(fields=["usager", "-demande_le"], name="envoi_dmp_usager"),
        ]
        constraints = [
            # One live send per version: a refused one may be asked again.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(statut__in=["a_envoyer", "envoye", "erreur"]),
                name="envoi_dmp_un_par_version",
            )
        ]

    def __str__(self) -> str:
        return f"Envoi DMP {self.pk} ({self.get_statut_display()})"

    @property
    def visibilites(self) -> tuple[str, ...]:
        from dui.interop.dmp import metadata as md

        flags = []
        if self.masque_ps:
            flags.append(md.MASQUE_PS)
        if self.invisible_patient:
            flags.append(md.INVISIBLE_PATIENT)
        if self.invisible_representants:
            flags.append(md.INVISIBLE_REPRESENTANTS_LEGAUX)
        return tuple(flags)
