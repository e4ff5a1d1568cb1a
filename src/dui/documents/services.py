"""Writing to a person's document store: upload, new version, generated documents, signatures.

Every change is journaled inside its transaction. A refused file (wrong content, too big,
rejected by the antivirus) raises DocumentError with a French message and writes nothing:
the checks all run before the first write, and the file is only stored inside the atomic
block, whose failure removes it again (see `_stocker`).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.documents import access, contenu, types
from dui.documents.models import (
    Confidentialite,
    Document,
    ModeSignature,
    Origine,
    Signature,
    VersionDocument,
)
from dui.usagers.access import ensure_writable
from dui.usagers.models import PriseEnCharge, Usager

DEFAULT_MAX_MB = 20


class DocumentError(Exception):
    """A refused change, with the French message shown to the person."""


class VersionConflict(DocumentError):
    """A version was added since the form was displayed: nothing is saved."""


def max_octets() -> int:
    """Upload size limit: setting DOCUMENT_MAX_MB (env DUI_DOCUMENT_MAX_MB), 20 MB by default."""
    from dui.settings import env_int

    mb = getattr(settings, "DOCUMENT_MAX_MB", None)
    if mb is None:
        mb = env_int("DUI_DOCUMENT_MAX_MB", DEFAULT_MAX_MB)
    return int(mb) * 1024 * 1024


def _antivirus() -> Any:
    """The antivirus hook: setting DOCUMENT_ANTIVIRUS (env DUI_DOCUMENT_ANTIVIRUS), the dotted
    path of a callable `scan(data: bytes, nom_fichier: str) -> str | None` returning None when
    the file is clean and a reason (French) when it must be refused. None: no scan."""
    import os

    path = getattr(settings, "DOCUMENT_ANTIVIRUS", None)
    if path is None:
        path = os.environ.get("DUI_DOCUMENT_ANTIVIRUS", "")
    return import_string(path) if path else None


def verifier_fichier(data: bytes, nom_fichier: str) -> contenu.Format:
    """Every check of an uploaded file, in order; DocumentError when refused."""
    limite = max_octets()
    if len(data) > limite:
        raise DocumentError(
            f"Le fichier est trop volumineux ({len(data) / 1048576:.1f} Mo) : "
            f"la taille maximale est de {limite // 1048576} Mo."
        )
    try:
        fmt = contenu.verifier(data, nom_fichier)
    except contenu.ContenuRefuse as error:
        raise DocumentError(str(error)) from error
    scan = _antivirus()
    if scan is not None:
        try:
            raison = scan(data, nom_fichier)
        except Exception as error:
            # Fail closed: a file that could not be scanned is not stored.
            raise DocumentError(
                "L'analyse antivirus n'a pas pu être faite : le fichier n'est pas enregistré. "
                "Réessayez plus tard."
            ) from error
        if raison:
            raise DocumentError(f"Fichier refusé par l'antivirus : {raison}")
    return fmt


# Files written inside the current _CleanupAtomic block, deleted again if it rolls back
# (Django has on_commit hooks only). Thread-local: one stack per request or worker thread.
_written = threading.local()


def _stocker(field: Any, name: str, data: bytes) -> None:
    """Write a file; it is removed again if the enclosing _CleanupAtomic rolls back."""
    field.save(name, ContentFile(data), save=False)
    stack = getattr(_written, "stack", None)
    if stack:
        stack[-1].append((field.storage, field.name))


def _numero_suivant(document: Document) -> int:
    last = document.versions.order_by("-numero").values_list("numero", flat=True).first()
    return (last or 0) + 1


def _nouvelle_version(
    *,
    user: Any,
    document: Document,
    data: bytes,
    nom_fichier: str,
    mime: str,
    commentaire: str = "",
    cda: bytes | None = None,
    base_numero: int | None = None,
) -> VersionDocument:
    # Lock the document row: two new versions at once get 2 and 3, never two 2s.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    numero = _numero_suivant(document)
    if base_numero is not None and numero != base_numero + 1:
        raise VersionConflict(
            "Une nouvelle version de ce document a été ajoutée pendant votre saisie : "
            "rien n'a été enregistré. Consultez-la puis recommencez si besoin."
        )
    version = VersionDocument(
        document=document,
        numero=numero,
        nom_fichier=nom_fichier[:255],
        mime=mime,
        taille=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        commentaire=commentaire[:300],
        created_by=user,
    )
    _stocker(version.fichier, nom_fichier, data)
    if cda is not None:
        _stocker(version.cda, "document.cda.xml", cda)
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as error:
        raise VersionConflict(
            "Une autre version de ce document vient d'être enregistrée : rien n'a été "
            "enregistré. Recommencez."
        ) from error
    return version


def _valider_confidentialite(confidentialite: str) -> None:
    if confidentialite not in Confidentialite.values:
        raise DocumentError("Niveau de confidentialité inconnu.")


def _valider_sejour(usager: Usager, prise_en_charge: PriseEnCharge | None) -> None:
    if prise_en_charge is not None and prise_en_charge.usager_id != usager.pk:
        raise DocumentError("Ce séjour n'est pas celui de cette personne.")


class _atomic_with_cleanup:  # noqa: N801 (used like transaction.atomic)
    """transaction.atomic() that deletes the files written inside it when it rolls back.

    Files of a nested block are handed to the enclosing one. An outer plain atomic() of a
    caller that rolls back later leaves orphan files (no row points to them), never rows
    without files.
    """

    def __enter__(self) -> None:
        if getattr(_written, "stack", None) is None:
            _written.stack = []
        _written.stack.append([])
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        files = _written.stack.pop()
        try:
            return self._atomic.__exit__(exc_type, exc, tb)
        finally:
            if exc_type is not None:
                for storage, name in files:
                    storage.delete(name)
            elif _written.stack:
                _written.stack[-1].extend(files)


def televerser(
    user: Any,
    usager: Usager,
    *,
    data: bytes,
    nom_fichier: str,
    type_code: str = "",
    titre: str = "",
    confidentialite: str = Confidentialite.NORMAL,
    origine: str = Origine.TELEVERSE,
    emetteur: str = "",
    prise_en_charge: PriseEnCharge | None = None,
    document: Document | None = None,
    base_numero: int | None = None,
    commentaire: str = "",
    signature_manuscrite: str = "",
    request: HttpRequest | None = None,
) -> VersionDocument:
    """Store an uploaded or received file: a new document, or a new version of `document`.

    `base_numero` is the last version the form showed (stale upload refused). When
    `signature_manuscrite` names a signatory, the scanned paper's signature is recorded too.
    """
    fmt = verifier_fichier(data, nom_fichier)
    if document is None:
        if type_code not in types.PAR_CODE:
            raise DocumentError("Choisissez le type du document.")
        titre = titre.strip()
        if not titre:
            raise DocumentError("Donnez un titre au document.")
        _valider_confidentialite(confidentialite)
        if origine not in (Origine.TELEVERSE, Origine.RECU):
            raise DocumentError("Origine du document inconnue.")
        _valider_sejour(usager, prise_en_charge)
        categorie = types.categorie_du_type(type_code)
        if not access.peut_ecrire_categorie(user, usager, categorie):
            raise DocumentError("Vous n'êtes pas habilité à ajouter ce type de document.")
    elif document.usager_id != usager.pk or not access.peut_ajouter_version(user, document):
        raise DocumentError("Vous n'êtes pas habilité à modifier ce document.")
    with _atomic_with_cleanup():
        ensure_writable(usager)
        created = document is None
        if document is None:
            document = Document.objects.create(
                usager=usager,
                prise_en_charge=prise_en_charge,
                type_code=type_code,
                titre=titre[:200],
                confidentialite=confidentialite,
                origine=origine,
                emetteur=emetteur.strip()[:200],
                created_by=user,
            )
        version = _nouvelle_version(
            user=user,
            document=document,
            data=data,
            nom_fichier=nom_fichier,
            mime=fmt.mime,
            commentaire=commentaire,
            base_numero=None if created else base_numero,
        )
        _journal_creation(request, user, usager, version, created)
        if signature_manuscrite.strip():
            _signer(
                user=user,
                version=version,
                mode=ModeSignature.MANUSCRITE_SCANNEE,
                nom=signature_manuscrite.strip(),
                request=request,
            )
    return version


def _journal_creation(
    request: HttpRequest | None, user: Any, usager: Usager, version: VersionDocument, created: bool
) -> None:
    document = version.document
    audit.record(
        action=AuditAction.CREATE,
        actor=user,
        request=request,
        obj=version,
        usager=usager,
        break_glass=policy.is_break_glass_access(user, usager),
        details={
            "document": document.pk,
            "version": version.numero,
            "type": document.type_code,
            "origine": document.origine,
            "nouveau_document": created,
            "taille": version.taille,
        },
    )


def enregistrer_document_genere(
    user: Any,
    usager: Usager,
    *,
    type_code: str,
    titre: str,
    pdf: bytes,
    cda: bytes | None = None,
    confidentialite: str = "N",
    prise_en_charge: PriseEnCharge | None = None,
    document: Document | None = None,
    request: HttpRequest | None = None,
) -> VersionDocument:
    """Store a document generated by the software (its PDF, and its CDA R2 when there is one).

    A new Document, or a new version of `document` (same person and type). The caller has
    already decided that the user may produce this content (e.g. validate a DLU); here the
    user must see the person and the record must be writable. Journaled.
    """
    if not pdf.startswith(b"%PDF-"):
        raise DocumentError("Le document généré n'est pas un PDF.")
    if cda is not None and contenu.detecter(cda) is not contenu.CDA:
        raise DocumentError("Le CDA généré n'est pas un document CDA R2.")
    _valider_confidentialite(confidentialite)
    _valider_sejour(usager, prise_en_charge)
    if not policy.allows(user, "usager.view", usager):
        raise DocumentError("Personne hors de votre périmètre.")
    if document is not None and (
        document.usager_id != usager.pk or document.type_code != type_code
    ):
        raise DocumentError("Ce document n'est pas de ce type ou de cette personne.")
    if document is not None and document.retire_le is not None:
        raise DocumentError("Ce document a été retiré : il ne reçoit plus de nouvelle version.")
    with _atomic_with_cleanup():
        ensure_writable(usager)
        created = document is None
        if document is None:
            document = Document.objects.create(
                usager=usager,
                prise_en_charge=prise_en_charge,
                type_code=type_code,
                titre=titre[:200],
                confidentialite=confidentialite,
                origine=Origine.GENERE,
                created_by=user,
            )
        elif document.titre != titre[:200] or document.confidentialite != confidentialite:
            document.titre = titre[:200]
            document.confidentialite = confidentialite
            document.save(update_fields=["titre", "confidentialite"])
        version = _nouvelle_version(
            user=user,
            document=document,
            data=pdf,
            nom_fichier=f"{type_code}.pdf",
            mime=contenu.PDF.mime,
            cda=cda,
        )
        _journal_creation(request, user, usager, version, created)
    return version


def _signer(
    *, user: Any, version: VersionDocument, mode: str, nom: str, request: HttpRequest | None
) -> Signature:
    usager = version.document.usager
    role = ""
    if mode != ModeSignature.MANUSCRITE_SCANNEE:
        role = ", ".join(sorted({r.libelle for r in access.roles_aupres(user, usager)}))
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                version=version,
                signataire=None if mode == ModeSignature.MANUSCRITE_SCANNEE else user,
                enregistre_par=user,
                signataire_nom=nom[:200],
                signataire_role=role[:200],
                mode=mode,
                signe_le=timezone.now(),
                sha256=version.sha256,
            )
    except IntegrityError as error:
        raise DocumentError("Vous avez déjà signé cette version.") from error
    audit.record(
        action=AuditAction.CREATE,
        actor=user,
        request=request,
        obj=signature,
        usager=usager,
        break_glass=policy.is_break_glass_access(user, usager),
        details={"document": version.document_id, "version": version.numero, "mode": mode},
    )
    return signature


def signer(
    user: Any,
    version: VersionDocument,
    *,
    mode: str,
    code_otp: str = "",
    signataire_nom: str = "",
    request: HttpRequest | None = None,
) -> Signature:
    """Record a signature of `version`.

    In the software (mode "logiciel"): the signing user confirms with a fresh code of their
    authenticator app (second factor), checked here. Scanned handwritten signature: the
    user declares who signed the paper (`signataire_nom`). Only the latest version is signed.
    """
    from dui.comptes.services import otp_device_verify

    document = version.document
    if not access.peut_signer(user, document):
        raise DocumentError("Vous n'êtes pas habilité à signer ce document.")
    if mode not in ModeSignature.values or mode == ModeSignature.ELECTRONIQUE:
        raise DocumentError("Mode de signature non disponible.")
    if mode == ModeSignature.LOGICIEL:
        code = "".join(code_otp.split())
        if not code.isdigit() or otp_device_verify(user=user, token=code) is None:
            raise DocumentError(
                "Code de votre application d'authentification incorrect : "
                "le document n'est pas signé."
            )
        nom = user.get_full_name() or user.email
    else:
        nom = signataire_nom.strip()
        if not nom:
            raise DocumentError("Indiquez le nom du signataire de la signature manuscrite.")
    with transaction.atomic():
        ensure_writable(document.usager)
        latest = (
            VersionDocument.objects.select_for_update()
            .filter(document=document)
            .order_by("-numero")
            .first()
        )
        if latest is None or latest.pk != version.pk:
            raise DocumentError(
                "Seule la dernière version d'un document peut être signée : rien n'a été "
                "enregistré."
            )
        return _signer(user=user, version=version, mode=mode, nom=nom, request=request)


def retirer(
    user: Any, document: Document, *, motif: str, request: HttpRequest | None = None
) -> Document:
    """Withdraw a document (filed in the wrong record, wrong file…): hidden from lists, no new
    version, never deleted. The reason is kept on the document, not in the journal."""
    motif = motif.strip()
    if not motif:
        raise DocumentError("Indiquez le motif du retrait.")
    if not access.peut_retirer(user, document):
        raise DocumentError("Vous n'êtes pas habilité à retirer ce document.")
    with transaction.atomic():
        ensure_writable(document.usager)
        updated = Document.objects.filter(pk=document.pk, retire_le__isnull=True).update(
            retire_le=timezone.now(), retire_par=user, motif_retrait=motif[:300]
        )
        if not updated:
            raise DocumentError("Ce document a déjà été retiré.")
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=document,
            usager=document.usager,
            break_glass=policy.is_break_glass_access(user, document.usager),
            details={"document": document.pk, "retrait": True},
        )
    document.refresh_from_db()
    return document
