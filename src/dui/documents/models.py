"""A person's documents: uploaded, received or generated files, with their versions.

A Document is the stable thing ("l'ordonnance du Dr X", "le DLU"); each file put into it is a
VersionDocument (1, 2, …), never overwritten nor deleted, so what was read or sent on a given
day can always be found again. Files live in a private storage that has no URL: they are only
ever served by the documents views, after the policy check, and journaled.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from dui.documents import types


def documents_root() -> Path:
    """Where document files are kept: DOCUMENTS_ROOT, else `documents/` next to MEDIA_ROOT.

    Deliberately outside MEDIA_ROOT, so that serving the media folder (a photo, one day)
    could never expose a document.
    """
    root = getattr(settings, "DOCUMENTS_ROOT", None)
    if root:
        return Path(root)
    return Path(settings.MEDIA_ROOT).resolve().parent / "documents"


class PrivateStorage(FileSystemStorage):
    """File-system storage without public URLs, rooted where `documents_root()` says."""

    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(documents_root())

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Les documents ne sont jamais servis par une URL publique.")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage


def _upload_to(instance: VersionDocument, filename: str) -> str:
    # Random names: the original name (often a person's name) stays in the database only.
    ext = Path(filename).suffix.lower()[:10]
    return f"{instance.document.usager_id}/{uuid4().hex}{ext}"


def _cda_upload_to(instance: VersionDocument, filename: str) -> str:
    return f"{instance.document.usager_id}/{uuid4().hex}.cda.xml"


class Confidentialite(models.TextChoices):
    # HL7 Confidentiality codes (JDV_HL7_Confidentiality_CISIS).
    NORMAL = "N", "Normal"
    RESTREINT = "R", "Restreint"
    TRES_RESTREINT = "V", "Très restreint"


class Origine(models.TextChoices):
    GENERE = "genere", "Généré par le logiciel"
    TELEVERSE = "televerse", "Téléversé"
    RECU = "recu", "Reçu d'un partenaire"


class Document(models.Model):
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="documents")
    # The stay it belongs to, when it does (fiche de retour des urgences, lettre de liaison…).
    prise_en_charge = models.ForeignKey(
        "usagers.PriseEnCharge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    type_code = models.CharField("type de document", max_length=64)
    # Derived from the type when created (types.categorie_du_type), kept so that lists filter
    # in the database on the categories the user may read.
    categorie = models.CharField("catégorie", max_length=20)
    titre = models.CharField("titre", max_length=200)
    confidentialite = models.CharField(
        "confidentialité",
        max_length=1,
        choices=Confidentialite.choices,
        default=Confidentialite.NORMAL,
    )
    origine = models.CharField("origine", max_length=10, choices=Origine.choices)
    # For a received document: who sent it (service, établissement).
    emetteur = models.CharField("émetteur", max_length=200, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Withdrawn (filed in the wrong record, wrong document…): hidden from lists and from
    # sending, never deleted, so what was read before stays traceable.
    retire_le = models.DateTimeField("retiré le", null=True, blank=True)
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motif_retrait = models.CharField("motif du retrait", max_length=300, blank=True)

    class Meta:
        verbose_name = "document"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["usager", "-created_at"], name="document_usager_date")]

    def __str__(self) -> str:
        return self.titre

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.categorie:
            self.categorie = types.categorie_du_type(self.type_code)
        super().save(*args, **kwargs)

    @property
    def type_libelle(self) -> str:
        return types.libelle_du_type(self.type_code)

    @property
    def type_systeme(self) -> str:
        return types.systeme_du_type(self.type_code)

    @property
    def is_restreint(self) -> bool:
        return self.confidentialite != Confidentialite.NORMAL


class VersionDocument(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    numero = models.PositiveIntegerField("version")
    fichier = models.FileField("fichier", storage=private_storage, upload_to=_upload_to)
    nom_fichier = models.CharField("nom du fichier", max_length=255, blank=True)
    mime = models.CharField("type de contenu", max_length=100)
    taille = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    # The CDA R2 XML of a generated document (its readable PDF is `fichier`).
    cda = models.FileField(
        "CDA", storage=private_storage, upload_to=_cda_upload_to, null=True, blank=True
    )
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    created_at = models.DateTimeField("ajoutée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "version de document"
        verbose_name_plural = "versions de document"
        ordering = ["document", "-numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "numero"], name="version_document_numero_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} (version {self.numero})"

    def cda_bytes(self) -> bytes | None:
        if not self.cda:
            return None
        with self.cda.open("rb") as f:
            return f.read()

    def contenu(self) -> bytes:
        with self.fichier.open("rb") as f:
            return f.read()


class ModeSignature(models.TextChoices):
    MANUSCRITE_SCANNEE = "manuscrite", "Signature manuscrite scannée"
    LOGICIEL = "logiciel", "Dans le logiciel (compte + second facteur)"
    ELECTRONIQUE = "electronique", "Signature électronique externe (certificat)"


class Signature(models.Model):
    """Who signed a version, when and how. A version may carry several signatures.

    Signed in the software: `signataire` is the account that signed (after its second factor).
    A scanned handwritten signature: `signataire` is empty, `signataire_nom` is the name read
    on the paper, and `enregistre_par` the user who declared it.
    """

    version = models.ForeignKey(
        VersionDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    signataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    enregistre_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Name and role at signing time: accounts change, the signature must not.
    signataire_nom = models.CharField("signataire", max_length=200)
    signataire_role = models.CharField("qualité", max_length=200, blank=True)
    mode = models.CharField("mode", max_length=20, choices=ModeSignature.choices)
    signe_le = models.DateTimeField("signé le")
    enregistre_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    # Hash of the signed content: proves which bytes were signed.
    sha256 = models.CharField("empreinte signée", max_length=64)

    class Meta:
        verbose_name = "signature"
        ordering = ["signe_le", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "signataire"], name="signature_version_signataire_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Signé par {self.signataire_nom} le {self.signe_le:%d/%m/%Y %H:%M}"
