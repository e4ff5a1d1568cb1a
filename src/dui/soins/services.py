"""Writes of the soins app: vital signs and measures, their corrections, alert thresholds;
the care and medical file (antécédents, allergies and the "no known allergy" statement,
vaccinations), whose entries are never deleted but deactivated with a reason.

Each service runs in one transaction, checks that the record may still change first
(`ensure_writable`) and journals the change inside that transaction. Views authorize the
reading and writing of soins data through the policy, thresholds through its
"soins.seuils" permission (not a category right).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.soins.constantes import SPECS, check_valeur
from dui.soins.models import (
    Allergie,
    AllergieStatut,
    Antecedent,
    Mesure,
    SeuilAlerte,
    Vaccination,
)
from dui.structures.models import Etablissement
from dui.usagers.access import ensure_writable
from dui.usagers.models import Usager

# A measure may be dated a little ahead (clocks of phones and servers differ), not more.
AVANCE_TOLEREE = datetime.timedelta(minutes=5)


class SoinsError(Exception):
    """A refused change: `errors` maps a field name ("" for the whole form) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


@dataclass(frozen=True)
class Saisie:
    """One measure typed in: the type, its value(s), an optional comment."""

    type: str
    valeur: Decimal
    valeur2: Decimal | None = None
    commentaire: str = ""


def _check_date(mesure_le: datetime.datetime) -> None:
    if mesure_le > timezone.now() + AVANCE_TOLEREE:
        raise SoinsError({"mesure_le": ["La date de mesure ne peut pas être dans le futur."]})


def mesure_record(
    *,
    actor: Any,
    usager: Usager,
    saisies: list[Saisie],
    mesure_le: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> list[Mesure]:
    """Record several measures taken at the same time (quick entry); all or nothing.

    Every value is checked against the physical bounds of its type; any impossible value
    refuses the whole entry with French messages per type, and nothing is saved.
    """
    if not saisies:
        raise SoinsError({"": ["Saisissez au moins une mesure."]})
    errors = {s.type: check_valeur(s.type, s.valeur, s.valeur2) for s in saisies}
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise SoinsError(errors)
    mesure_le = mesure_le or timezone.now()
    _check_date(mesure_le)
    ensure_writable(usager)
    with transaction.atomic():
        mesures = [
            Mesure.objects.create(
                usager=usager,
                type=s.type,
                valeur=s.valeur,
                valeur2=s.valeur2,
                mesure_le=mesure_le,
                saisi_par=actor,
                commentaire=s.commentaire,
            )
            for s in saisies
        ]
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            usager=usager,
            object_type="soins.mesure",
            details={"mesure_ids": [m.pk for m in mesures], "types": [m.type for m in mesures]},
        )
    return mesures


def mesure_correct(
    *,
    actor: Any,
    mesure: Mesure,
    valeur: Decimal,
    valeur2: Decimal | None = None,
    motif: str,
    request: HttpRequest | None = None,
) -> Mesure:
    """Correct a measure: a new measure (same type and time) linked to the old one, which is
    marked corrected and kept. A reason is required; a measure is corrected only once."""
    motif = (motif or "").strip()
    if not motif:
        raise SoinsError({"motif": ["Indiquez le motif de la correction."]})
    errors = check_valeur(mesure.type, valeur, valeur2)
    if errors:
        raise SoinsError({"valeur": errors})
    ensure_writable(mesure.usager)
    with transaction.atomic():
        old = Mesure.objects.select_for_update().get(pk=mesure.pk)
        if old.corrigee_le is not None:
            raise SoinsError({"": ["Cette mesure a déjà été corrigée : corrigez la plus récente."]})
        new = Mesure.objects.create(
            usager_id=old.usager_id,
            type=old.type,
            valeur=valeur,
            valeur2=valeur2,
            mesure_le=old.mesure_le,
            saisi_par=actor,
            commentaire=old.commentaire,
            corrige=old,
            motif_correction=motif,
        )
        old.corrigee_le = timezone.now()
        old.save(update_fields=["corrigee_le"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=new,
            usager_id=old.usager_id,
            reason=motif,
            details={"corrige": old.pk, "type": old.type},
        )
    mesure.corrigee_le = old.corrigee_le
    return new


def may_set_seuils(user: Any, etablissement: Etablissement | None) -> bool:
    return policy.allows(user, "soins.seuils", etablissement)


def seuils_set(
    *,
    actor: Any,
    etablissement: Etablissement,
    type: str,
    bas: Decimal | None,
    haut: Decimal | None,
    request: HttpRequest | None = None,
) -> SeuilAlerte:
    """Set the normal range of one type of measure in an établissement (journaled)."""
    if not may_set_seuils(actor, etablissement):
        raise SoinsError({"": ["Vous ne pouvez pas régler les seuils de cet établissement."]})
    spec = SPECS.get(type)
    if spec is None:
        raise SoinsError({"type": ["Type de mesure inconnu."]})
    errors: dict[str, list[str]] = {}
    for name, value in (("bas", bas), ("haut", haut)):
        if value is not None and not spec.minimum <= value <= spec.maximum:
            errors[name] = [
                f"Le seuil doit être compris entre {spec.minimum} et {spec.maximum} "
                f"{spec.unite.lstrip('/')}."
            ]
    if bas is not None and haut is not None and bas > haut:
        errors.setdefault("haut", []).append("Le maximum doit être supérieur au minimum.")
    if errors:
        raise SoinsError(errors)
    with transaction.atomic():
        before = SeuilAlerte.objects.filter(etablissement=etablissement, type=type).first()
        seuil, _ = SeuilAlerte.objects.update_or_create(
            etablissement=etablissement,
            type=type,
            defaults={"bas": bas, "haut": haut, "modifie_par": actor},
        )
        audit.record(
            action=AuditAction.ADMIN,
            actor=actor,
            request=request,
            obj=seuil,
            etablissement=etablissement,
            details={
                "type": type,
                "avant": [str(before.bas), str(before.haut)] if before else None,
                "apres": [str(bas), str(haut)],
            },
        )
    return seuil


# --- Care and medical file ----------------------------------------------------------------


def clean(value: str | None) -> str:
    return (value or "").strip()


def motif_requis(motif: str | None) -> str:
    """The stated reason of a stop, required."""
    motif = clean(motif)
    if not motif:
        raise SoinsError({"motif": ["Indiquez le motif."]})
    return motif


def arreter(model: Any, *, actor: Any, entry: Any, motif: str, deja: str) -> Any:
    """Stop an entry that keeps its history (a prescription line, a planned care): locked,
    refused with `deja` if already stopped, then dated with who and why. Inside the
    caller's transaction, which journals it."""
    current = model.objects.select_for_update().get(pk=entry.pk)
    if current.arret_le is not None:
        raise SoinsError({"": [deja]})
    current.arret_le = timezone.now()
    current.arret_par = actor
    current.motif_arret = motif
    current.save(update_fields=["arret_le", "arret_par", "motif_arret"])
    return current


def _required(errors: dict[str, list[str]], name: str, value: str, message: str) -> None:
    if not value:
        errors.setdefault(name, []).append(message)


def antecedent_add(
    *,
    actor: Any,
    usager: Usager,
    type: str,
    libelle: str,
    date: datetime.date | None = None,
    annee: int | None = None,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Antecedent:
    """Record a medical, surgical or family history item (medical data), journaled."""
    libelle = clean(libelle)
    errors: dict[str, list[str]] = {}
    _required(errors, "libelle", libelle, "Indiquez l'antécédent.")
    if date is not None and date > timezone.localdate():
        errors.setdefault("date", []).append("La date ne peut pas être dans le futur.")
    if annee is not None and not 1900 <= annee <= timezone.localdate().year:
        errors.setdefault("annee", []).append("Indiquez une année entre 1900 et cette année.")
    if date is not None and annee is not None and date.year != annee:
        errors.setdefault("annee", []).append("L'année ne correspond pas à la date.")
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        antecedent = Antecedent.objects.create(
            usager=usager,
            type=type,
            libelle=libelle,
            date=date,
            annee=annee if annee is not None else (date.year if date else None),
            commentaire=clean(commentaire),
            saisi_par=actor,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=antecedent,
            usager=usager,
            details={"type": type},
        )
    return antecedent


def allergie_add(
    *,
    actor: Any,
    usager: Usager,
    substance: str,
    type: str,
    severite: str,
    certitude: str,
    reaction: str = "",
    request: HttpRequest | None = None,
) -> Allergie:
    """Record an allergy or intolerance, journaled. A previous "no known allergy" statement
    no longer holds: it is withdrawn in the same transaction."""
    substance = clean(substance)
    errors: dict[str, list[str]] = {}
    _required(errors, "substance", substance, "Indiquez la substance ou l'agent.")
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        allergie = Allergie.objects.create(
            usager=usager,
            substance=substance,
            type=type,
            severite=severite,
            certitude=certitude,
            reaction=clean(reaction),
            saisi_par=actor,
        )
        AllergieStatut.objects.filter(usager=usager).update(
            aucune_connue=False, verifie_le=timezone.now(), verifie_par=actor
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=allergie,
            usager=usager,
            details={"type": type, "severite": severite, "certitude": certitude},
        )
    return allergie


def allergies_declare_aucune(
    *, actor: Any, usager: Usager, request: HttpRequest | None = None
) -> AllergieStatut:
    """State that the person has no known allergy (checked now, by the actor), journaled.

    Refused while an active allergy is recorded: withdraw it first, with its reason.
    """
    ensure_writable(usager)
    with transaction.atomic():
        if Allergie.objects.filter(usager=usager, actif=True).exists():
            raise SoinsError(
                {"": ["Une allergie active est enregistrée : retirez-la d'abord, avec son motif."]}
            )
        statut, _ = AllergieStatut.objects.update_or_create(
            usager=usager,
            defaults={"aucune_connue": True, "verifie_le": timezone.now(), "verifie_par": actor},
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=statut,
            usager=usager,
            details={"aucune_connue": True},
        )
    return statut


def vaccination_add(
    *,
    actor: Any,
    usager: Usager,
    vaccin: str,
    date: datetime.date,
    lot: str = "",
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Vaccination:
    """Record a vaccine given, journaled."""
    vaccin = clean(vaccin)
    errors: dict[str, list[str]] = {}
    _required(errors, "vaccin", vaccin, "Indiquez le vaccin.")
    if date > timezone.localdate():
        errors.setdefault("date", []).append("La date ne peut pas être dans le futur.")
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        vaccination = Vaccination.objects.create(
            usager=usager,
            vaccin=vaccin,
            date=date,
            lot=clean(lot),
            commentaire=clean(commentaire),
            saisi_par=actor,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=vaccination,
            usager=usager,
        )
    return vaccination


def _deactivate(
    model: Any, *, actor: Any, entry: Any, motif: str, request: HttpRequest | None
) -> Any:
    motif = clean(motif)
    if not motif:
        raise SoinsError({"motif": ["Indiquez le motif du retrait."]})
    ensure_writable(entry.usager)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=entry.pk)
        if not current.actif:
            raise SoinsError({"": ["Cette information a déjà été retirée."]})
        current.actif = False
        current.desactive_le = timezone.now()
        current.desactive_par = actor
        current.motif_desactivation = motif
        current.save(
            update_fields=["actif", "desactive_le", "desactive_par", "motif_desactivation"]
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager_id=current.usager_id,
            reason=motif,
            details={"actif": False},
        )
    return current


def antecedent_deactivate(
    *, actor: Any, antecedent: Antecedent, motif: str, request: HttpRequest | None = None
) -> Antecedent:
    """Withdraw a history item (an error, a duplicate): kept in the history, with the reason."""
    return _deactivate(Antecedent, actor=actor, entry=antecedent, motif=motif, request=request)


def allergie_deactivate(
    *, actor: Any, allergie: Allergie, motif: str, request: HttpRequest | None = None
) -> Allergie:
    """Withdraw an allergy (ruled out, recorded in error): kept in the history, with the
    reason. The allergy status is then "not filled in" until someone states it again."""
    return _deactivate(Allergie, actor=actor, entry=allergie, motif=motif, request=request)


def vaccination_deactivate(
    *, actor: Any, vaccination: Vaccination, motif: str, request: HttpRequest | None = None
) -> Vaccination:
    """Withdraw a vaccination recorded in error: kept in the history, with the reason."""
    return _deactivate(Vaccination, actor=actor, entry=vaccination, motif=motif, request=request)
