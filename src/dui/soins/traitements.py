"""Writes of prescriptions: a prescription with its medication and non-drug lines and its
scanned or received document; stopping a line; changing a line (the old one is stopped
with the reason, the new one points at it). Nothing is edited in place or deleted.

Who writes: a prescription is the physician's act; in an établissement it is entered by the
health professionals holding medical write rights (the médecin, or the IDE transcribing a
received ordonnance), and only them: `may_prescribe` = soins write + medical write. Reading
needs soins read only, because the care team giving the doses must see them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.soins.creneaux import PAR_CODE, parse_heure, prise_cle
from dui.soins.models import (
    LigneAutre,
    LigneMedicament,
    Prescription,
    TypePrescriptionAutre,
    VoieAdministration,
)
from dui.soins.services import SoinsError, arreter, clean, motif_requis
from dui.usagers.access import ensure_writable
from dui.usagers.models import IntervenantExterieur, Usager

MAX_DOCUMENT = 10 * 1024 * 1024
# Accepted documents, recognized by their first bytes (the declared type is not trusted).
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def may_prescribe(user: Any, usager: Usager) -> bool:
    return policy.allows(user, "usager.soins.write", usager) and policy.allows(
        user, "usager.medical.write", usager
    )


@dataclass
class LigneSaisie:
    """One medication line typed in."""

    medicament: str
    debut: datetime.date
    dosage: str = ""
    forme: str = ""
    voie: str = VoieAdministration.ORALE
    unite_prise: str = "cp"
    prises: list[dict[str, str]] = field(default_factory=list)
    si_besoin: bool = False
    condition: str = ""
    max_par_jour: int | None = None
    fin: datetime.date | None = None
    instructions: str = ""


@dataclass
class AutreSaisie:
    """One non-drug line typed in."""

    type: str
    libelle: str
    debut: datetime.date
    frequence: str = ""
    fin: datetime.date | None = None


def _check_prises(
    prises: list[dict[str, str]], si_besoin: bool = False
) -> tuple[list[dict[str, str]], list[str]]:
    errors: list[str] = []
    result: list[dict[str, str]] = []
    for p in prises:
        moment, heure = clean(p.get("moment")), clean(p.get("heure"))
        if heure and parse_heure(heure) is None:
            errors.append(f"Heure de prise invalide : « {heure} » (attendu HH:MM).")
            continue
        if not heure and moment not in PAR_CODE and not si_besoin:
            errors.append("Indiquez le moment ou l'heure de chaque prise.")
            continue
        try:
            q = Decimal(str(p.get("quantite", "")).replace(",", "."))
        except ArithmeticError:
            q = Decimal(0)
        if not Decimal(0) < q <= Decimal(100):
            errors.append("La quantité par prise doit être comprise entre 0 et 100.")
            continue
        result.append({"moment": "" if heure else moment, "heure": heure, "quantite": str(q)})
    keys = [prise_cle(p) for p in result]
    if len(keys) != len(set(keys)):
        errors.append("Deux prises ont le même moment ou la même heure.")
    return result, errors


def _check_ligne(s: LigneSaisie) -> tuple[LigneSaisie, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    s.medicament = clean(s.medicament)
    s.condition = clean(s.condition)
    if not s.medicament:
        errors.setdefault("medicament", []).append("Indiquez le médicament.")
    if s.voie not in VoieAdministration.values:
        errors.setdefault("voie", []).append("Voie d'administration inconnue.")
    if not clean(s.unite_prise):
        errors.setdefault("unite_prise", []).append("Indiquez l'unité de prise (cp, ml…).")
    s.prises, prise_errors = _check_prises(s.prises, s.si_besoin)
    if prise_errors:
        errors.setdefault("prises", []).extend(prise_errors)
    if s.si_besoin:
        if not s.condition:
            errors.setdefault("condition", []).append(
                "Indiquez dans quel cas donner ce médicament « si besoin »."
            )
        if s.max_par_jour is not None and not 1 <= s.max_par_jour <= 24:
            errors.setdefault("max_par_jour", []).append(
                "Le maximum par jour doit être compris entre 1 et 24."
            )
        if len(s.prises) > 1:
            errors.setdefault("prises", []).append(
                "Un médicament « si besoin » a une seule quantité par prise."
            )
    elif not s.prises and not prise_errors:
        errors.setdefault("prises", []).append("Indiquez au moins une prise dans la journée.")
    if s.fin is not None and s.fin < s.debut:
        errors.setdefault("fin", []).append("La fin ne peut pas précéder le début.")
    return s, errors


def _check_autre(s: AutreSaisie) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    s.libelle = clean(s.libelle)
    if s.type not in TypePrescriptionAutre.values:
        errors.setdefault("type", []).append("Type de prescription inconnu.")
    if not s.libelle:
        errors.setdefault("libelle", []).append("Indiquez la prescription.")
    if s.fin is not None and s.fin < s.debut:
        errors.setdefault("fin", []).append("La fin ne peut pas précéder le début.")
    return errors


def check_document(fichier: UploadedFile) -> str:
    """The MIME type of an accepted document, recognized by its content; else SoinsError."""
    if fichier.size and fichier.size > MAX_DOCUMENT:
        raise SoinsError({"document": ["Le fichier dépasse 10 Mo."]})
    head = fichier.read(16)
    fichier.seek(0)
    for signature, mime in SIGNATURES.items():
        if head.startswith(signature):
            return mime
    raise SoinsError({"document": ["Joignez un PDF, un JPEG ou un PNG."]})


def _create_ligne(
    prescription: Prescription, s: LigneSaisie, actor: Any, remplace: Any = None
) -> LigneMedicament:
    return LigneMedicament.objects.create(
        prescription=prescription,
        usager_id=prescription.usager_id,
        medicament=s.medicament,
        dosage=clean(s.dosage),
        forme=clean(s.forme),
        voie=s.voie,
        unite_prise=clean(s.unite_prise),
        prises=s.prises,
        si_besoin=s.si_besoin,
        condition=s.condition if s.si_besoin else "",
        max_par_jour=s.max_par_jour if s.si_besoin else None,
        debut=s.debut,
        fin=s.fin,
        instructions=clean(s.instructions),
        saisi_par=actor,
        remplace=remplace,
    )


def _create_autre(
    prescription: Prescription, s: AutreSaisie, actor: Any, remplace: Any = None
) -> LigneAutre:
    return LigneAutre.objects.create(
        prescription=prescription,
        usager_id=prescription.usager_id,
        type=s.type,
        libelle=s.libelle,
        frequence=clean(s.frequence),
        debut=s.debut,
        fin=s.fin,
        saisi_par=actor,
        remplace=remplace,
    )


def prescription_create(
    *,
    actor: Any,
    usager: Usager,
    date_prescription: datetime.date,
    lignes: list[LigneSaisie] | None = None,
    autres: list[AutreSaisie] | None = None,
    prescripteur_externe: IntervenantExterieur | None = None,
    prescripteur_interne: Any = None,
    prescripteur_nom: str = "",
    prescripteur_rpps: str = "",
    document: UploadedFile | None = None,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Prescription:
    """Record a prescription and its lines, all or nothing, journaled."""
    if not may_prescribe(actor, usager):
        raise SoinsError({"": ["Vous ne pouvez pas saisir de prescription pour cette personne."]})
    lignes, autres = lignes or [], autres or []
    errors: dict[str, list[str]] = {}
    if not lignes and not autres:
        errors[""] = ["Saisissez au moins une ligne de prescription."]
    if date_prescription > timezone.localdate():
        errors["date_prescription"] = ["La date de prescription ne peut pas être dans le futur."]
    prescripteur_nom, prescripteur_rpps = clean(prescripteur_nom), clean(prescripteur_rpps)
    if prescripteur_externe is not None and prescripteur_externe.usager_id != usager.pk:
        errors["prescripteur_externe"] = [
            "Ce professionnel n'intervient pas auprès de la personne."
        ]
    if not (prescripteur_externe or prescripteur_interne or prescripteur_nom):
        errors["prescripteur_nom"] = ["Indiquez le prescripteur."]
    if prescripteur_rpps and not (prescripteur_rpps.isdigit() and len(prescripteur_rpps) == 11):
        errors["prescripteur_rpps"] = ["Le numéro RPPS compte 11 chiffres."]
    found = [_check_ligne(s)[1] for s in lignes] + [_check_autre(a) for a in autres]
    for e in found:
        for k, v in e.items():
            errors.setdefault(k, [])
            errors[k] += [m for m in v if m not in errors[k]]
    mime = ""
    if document is not None:
        try:
            mime = check_document(document)
        except SoinsError as error:
            errors.update(error.errors)
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        prescription = Prescription(
            usager=usager,
            date_prescription=date_prescription,
            prescripteur_externe=prescripteur_externe,
            prescripteur_interne=prescripteur_interne,
            prescripteur_nom=prescripteur_nom,
            prescripteur_rpps=prescripteur_rpps,
            commentaire=clean(commentaire),
            saisi_par=actor,
        )
        if document is not None:
            prescription.document_nom = (document.name or "ordonnance")[:200]
            prescription.document_mime = mime
            prescription.document.save("ordonnance", document, save=False)
        prescription.save()
        created = [_create_ligne(prescription, s, actor) for s in lignes]
        created_autres = [_create_autre(prescription, a, actor) for a in autres]
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=prescription,
            usager=usager,
            details={
                "lignes": [ligne.pk for ligne in created],
                "autres": [a.pk for a in created_autres],
                "document": bool(document),
            },
        )
    return prescription


DEJA_ARRETEE = "Cette ligne est déjà arrêtée."


def ligne_arreter(
    *,
    actor: Any,
    ligne: LigneMedicament | LigneAutre,
    motif: str,
    request: HttpRequest | None = None,
) -> LigneMedicament | LigneAutre:
    """Stop a line now, with the reason; it stays in the history."""
    motif = motif_requis(motif)
    usager = ligne.usager
    if not may_prescribe(actor, usager):
        raise SoinsError({"": ["Vous ne pouvez pas modifier les prescriptions de cette personne."]})
    ensure_writable(usager)
    with transaction.atomic():
        current = arreter(type(ligne), actor=actor, entry=ligne, motif=motif, deja=DEJA_ARRETEE)
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager_id=current.usager_id,
            reason=motif,
            details={"arret": True},
        )
    return current


def ligne_modifier(
    *,
    actor: Any,
    ligne: LigneMedicament,
    nouvelle: LigneSaisie,
    motif: str,
    request: HttpRequest | None = None,
) -> LigneMedicament:
    """Change a medication line: the old one is stopped with the reason and a new one,
    linked to it, takes over from today (or the date given as its start)."""
    motif = motif_requis(motif)
    usager = ligne.usager
    if not may_prescribe(actor, usager):
        raise SoinsError({"": ["Vous ne pouvez pas modifier les prescriptions de cette personne."]})
    nouvelle, errors = _check_ligne(nouvelle)
    if nouvelle.debut < timezone.localdate():
        errors.setdefault("debut", []).append("La nouvelle ligne commence aujourd'hui au plus tôt.")
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        old = arreter(LigneMedicament, actor=actor, entry=ligne, motif=motif, deja=DEJA_ARRETEE)
        new = _create_ligne(old.prescription, nouvelle, actor, remplace=old)
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=new,
            usager_id=old.usager_id,
            reason=motif,
            details={"remplace": old.pk},
        )
    return new


def autre_modifier(
    *,
    actor: Any,
    ligne: LigneAutre,
    nouvelle: AutreSaisie,
    motif: str,
    request: HttpRequest | None = None,
) -> LigneAutre:
    """Change a non-drug line: stop the old one with the reason, create the linked new one."""
    motif = motif_requis(motif)
    usager = ligne.usager
    if not may_prescribe(actor, usager):
        raise SoinsError({"": ["Vous ne pouvez pas modifier les prescriptions de cette personne."]})
    errors = _check_autre(nouvelle)
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        old = arreter(LigneAutre, actor=actor, entry=ligne, motif=motif, deja=DEJA_ARRETEE)
        new = _create_autre(old.prescription, nouvelle, actor, remplace=old)
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=new,
            usager_id=old.usager_id,
            reason=motif,
            details={"remplace": old.pk},
        )
    return new
