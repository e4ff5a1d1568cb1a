"""Entourage, professionals around the person and social benefits: changes and the reads
the screens share. Each change is one transaction with its journal entry; the record must be
writable (not archived, not merged)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.comptes.models import Categorie, Role
from dui.structures.models import Etablissement
from dui.structures.validators import luhn_ok
from dui.usagers.access import ensure_writable
from dui.usagers.models import (
    DroitPrestation,
    IntervenantExterieur,
    MembreEquipe,
    PriseEnCharge,
    Proche,
    Usager,
)

PROCHE_FIELDS = (
    "nom",
    "prenom",
    "lien",
    "is_personne_confiance",
    "is_representant_legal",
    "is_aidant",
    "is_contact_urgence",
    "mesure_protection",
    "mesure_debut",
    "mesure_fin",
    "organisme_mandataire",
    "telephone",
    "email",
    "adresse",
    "commentaire",
)
INTERVENANT_FIELDS = (
    "type",
    "nom",
    "specialite",
    "rpps",
    "finess",
    "mssante",
    "telephone",
    "adresse",
)
DROIT_FIELDS = (
    "type",
    "organisme_payeur",
    "numero_decision",
    "date_debut",
    "date_fin",
    "montant_mensuel",
    "commentaire",
)
MSSANTE_DOMAIN = ".mssante.fr"


class EntourageError(Exception):
    """A change the entourage rules refuse; the message is for people (French)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Rules shown on screens -------------------------------------------------------------


def mesure_echue(proche: Proche, today: datetime.date | None = None) -> bool:
    """A représentant légal whose protection measure has ended."""
    today = today or timezone.localdate()
    return bool(
        proche.is_representant_legal and proche.mesure_fin is not None and proche.mesure_fin < today
    )


def intervenant_warnings(intervenant: IntervenantExterieur) -> list[str]:
    """Warnings to show beside a professional (accepted values that deserve a check)."""
    warnings = []
    if intervenant.rpps and not luhn_ok(intervenant.rpps):
        warnings.append(
            "Clé de contrôle du RPPS incorrecte : vérifiez le numéro dans l'Annuaire Santé."
        )
    if intervenant.mssante and not intervenant.mssante.lower().endswith(MSSANTE_DOMAIN):
        warnings.append(
            "Cette adresse ne se termine pas par « .mssante.fr » : ce n'est peut-être pas une "
            "adresse de messagerie sécurisée de santé."
        )
    return warnings


@dataclass(frozen=True)
class Echeance:
    """Where a benefit stands against its end date."""

    etat: str  # "sans_fin", "en_cours", "bientot", "expire"
    jours: int | None
    libelle: str

    @property
    def alerte(self) -> bool:
        return self.etat in {"bientot", "expire"}


def droit_echeance(droit: DroitPrestation, today: datetime.date | None = None) -> Echeance:
    """Expiry state of a benefit: expired, expiring within ALERTE_JOURS days, or running."""
    today = today or timezone.localdate()
    if droit.date_fin is None:
        return Echeance("sans_fin", None, "sans date de fin")
    fin = droit.date_fin.strftime("%d/%m/%Y")
    jours = (droit.date_fin - today).days
    if jours < 0:
        return Echeance("expire", jours, f"expiré depuis le {fin}")
    if jours == 0:
        return Echeance("bientot", 0, f"expire le {fin}, aujourd'hui")
    if jours <= DroitPrestation.ALERTE_JOURS:
        pluriel = "s" if jours > 1 else ""
        return Echeance("bientot", jours, f"expire le {fin}, dans {jours} jour{pluriel}")
    return Echeance("en_cours", jours, f"jusqu'au {fin}")


# --- Entourage ---------------------------------------------------------------------------


def _lock(usager: Usager) -> None:
    # Serializes the "at most one" checks of concurrent writers on the same person.
    Usager.objects.select_for_update().filter(pk=usager.pk).exists()


def _check_proche(usager: Usager, values: dict[str, Any], exclude_pk: int | None) -> None:
    if values.get("mesure_protection") and not values.get("is_representant_legal"):
        raise EntourageError(
            "Une mesure de protection ne concerne qu'un représentant légal.",
            field="mesure_protection",
        )
    debut, fin = values.get("mesure_debut"), values.get("mesure_fin")
    if debut and fin and fin < debut:
        raise EntourageError(
            "La fin de la mesure doit être postérieure à son début.", field="mesure_fin"
        )
    if values.get("is_personne_confiance"):
        others = Proche.objects.filter(usager=usager, actif=True, is_personne_confiance=True)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if others.exists():
            raise EntourageError(
                "Une personne de confiance est déjà désignée : retirez-lui ce rôle avant d'en "
                "désigner une autre (une seule personne de confiance à la fois).",
                field="is_personne_confiance",
            )


def _changes(obj: Any, values: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    return [f for f in fields if f in values and getattr(obj, f) != values[f]]


def proche_create(
    *, actor: Any, usager: Usager, values: dict[str, Any], request: HttpRequest | None = None
) -> Proche:
    """Add someone to the person's entourage (at most one active personne de confiance)."""
    with transaction.atomic():
        ensure_writable(usager)
        _lock(usager)
        _check_proche(usager, values, None)
        proche = Proche.objects.create(
            usager=usager, **{f: values[f] for f in PROCHE_FIELDS if f in values}
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=proche,
            usager=usager,
            details={"champs": sorted(f for f in PROCHE_FIELDS if values.get(f))},
        )
    return proche


def proche_update(
    *, actor: Any, proche: Proche, values: dict[str, Any], request: HttpRequest | None = None
) -> Proche:
    """Change someone of the entourage (same rules as on creation)."""
    with transaction.atomic():
        ensure_writable(proche.usager)
        _lock(proche.usager)
        proche = Proche.objects.select_for_update().get(pk=proche.pk)
        if not proche.actif:
            raise EntourageError(
                "Ce proche a été retiré de l'entourage : il n'est plus modifiable."
            )
        _check_proche(proche.usager, values, proche.pk)
        changed = _changes(proche, values, PROCHE_FIELDS)
        for f in changed:
            setattr(proche, f, values[f])
        proche.save()
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=proche,
            usager=proche.usager,
            details={"champs": changed},
        )
    return proche


def proche_deactivate(*, actor: Any, proche: Proche, request: HttpRequest | None = None) -> None:
    """Remove someone from the entourage; the row is kept for history."""
    with transaction.atomic():
        ensure_writable(proche.usager)
        Proche.objects.filter(pk=proche.pk).update(actif=False)
        proche.actif = False
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=proche,
            usager=proche.usager,
            details={"champs": ["actif"], "desactivation": True},
        )


# --- Professionals around the person -----------------------------------------------------


def _check_intervenant(usager: Usager, values: dict[str, Any], exclude_pk: int | None) -> None:
    if values.get("type") == IntervenantExterieur.Type.MEDECIN_TRAITANT:
        others = IntervenantExterieur.objects.filter(
            usager=usager, actif=True, type=IntervenantExterieur.Type.MEDECIN_TRAITANT
        )
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if others.exists():
            raise EntourageError(
                "Un médecin traitant est déjà enregistré : retirez-le avant d'en ajouter un "
                "autre (un seul médecin traitant à la fois).",
                field="type",
            )


def intervenant_create(
    *, actor: Any, usager: Usager, values: dict[str, Any], request: HttpRequest | None = None
) -> IntervenantExterieur:
    """Add a professional or service around the person (at most one médecin traitant)."""
    with transaction.atomic():
        ensure_writable(usager)
        _lock(usager)
        _check_intervenant(usager, values, None)
        intervenant = IntervenantExterieur.objects.create(
            usager=usager, **{f: values[f] for f in INTERVENANT_FIELDS if f in values}
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=intervenant,
            usager=usager,
            details={"type": intervenant.type},
        )
    return intervenant


def intervenant_update(
    *,
    actor: Any,
    intervenant: IntervenantExterieur,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> IntervenantExterieur:
    """Change a professional around the person (same rules as on creation)."""
    with transaction.atomic():
        ensure_writable(intervenant.usager)
        _lock(intervenant.usager)
        intervenant = IntervenantExterieur.objects.select_for_update().get(pk=intervenant.pk)
        if not intervenant.actif:
            raise EntourageError("Cet intervenant a été retiré : il n'est plus modifiable.")
        _check_intervenant(intervenant.usager, values, intervenant.pk)
        changed = _changes(intervenant, values, INTERVENANT_FIELDS)
        for f in changed:
            setattr(intervenant, f, values[f])
        intervenant.save()
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=intervenant,
            usager=intervenant.usager,
            details={"champs": changed},
        )
    return intervenant


def intervenant_deactivate(
    *, actor: Any, intervenant: IntervenantExterieur, request: HttpRequest | None = None
) -> None:
    """Remove a professional from the person's circle; the row is kept for history."""
    with transaction.atomic():
        ensure_writable(intervenant.usager)
        IntervenantExterieur.objects.filter(pk=intervenant.pk).update(actif=False)
        intervenant.actif = False
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=intervenant,
            usager=intervenant.usager,
            details={"champs": ["actif"], "desactivation": True},
        )


# --- Benefits ----------------------------------------------------------------------------


def _check_droit(values: dict[str, Any]) -> None:
    debut, fin = values.get("date_debut"), values.get("date_fin")
    if debut and fin and fin < debut:
        raise EntourageError(
            "La date de fin doit être postérieure ou égale à la date de début.", field="date_fin"
        )


def droit_create(
    *, actor: Any, usager: Usager, values: dict[str, Any], request: HttpRequest | None = None
) -> DroitPrestation:
    """Record a social benefit of the person with its validity."""
    with transaction.atomic():
        ensure_writable(usager)
        _check_droit(values)
        droit = DroitPrestation.objects.create(
            usager=usager, **{f: values[f] for f in DROIT_FIELDS if f in values}
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=droit,
            usager=usager,
            details={"type": droit.type},
        )
    return droit


def droit_update(
    *,
    actor: Any,
    droit: DroitPrestation,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> DroitPrestation:
    """Change a social benefit (renewal: new end date)."""
    with transaction.atomic():
        ensure_writable(droit.usager)
        _check_droit(values)
        droit = DroitPrestation.objects.select_for_update().get(pk=droit.pk)
        changed = _changes(droit, values, DROIT_FIELDS)
        for f in changed:
            setattr(droit, f, values[f])
        droit.save()
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=droit,
            usager=droit.usager,
            details={"champs": changed},
        )
    return droit


# --- Expiring benefits of an établissement -----------------------------------------------


def reads_social_in(user: Any, etablissement: Etablissement | None) -> bool:
    """Does the user read social data in this établissement (the expiring list's right)?"""
    if etablissement is None:
        return False
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and Categorie.SOCIAL in d.lecture)


def expiring_benefits(
    user: Any, etablissement: Etablissement | None, *, today: datetime.date | None = None
) -> QuerySet[DroitPrestation]:
    """Benefits ending within ALERTE_JOURS days (or ended, still current stay) of the persons
    the user reaches in this établissement, if they read social data there; none otherwise.

    The persons are those visible to the user (the policy) with a current stay in the
    établissement; home-care workers only see those whose team they belong to there.
    """
    if not reads_social_in(user, etablissement):
        return DroitPrestation.objects.none()
    assert etablissement is not None
    today = today or timezone.localdate()
    stays = PriseEnCharge.objects.filter(etablissement=etablissement).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=today)
    )
    persons = Usager.objects.visible_to(user).filter(pk__in=stays.values("usager_id"))
    d = policy.droits(user)[etablissement.pk]
    if d.role.perimetre == Role.Perimetre.ASSIGNES:
        persons = persons.filter(
            pk__in=MembreEquipe.objects.filter(
                MembreEquipe.active_q(), user=user, etablissement=etablissement
            ).values("usager_id")
        )
    horizon = today + datetime.timedelta(days=DroitPrestation.ALERTE_JOURS)
    return (
        DroitPrestation.objects.filter(
            usager__in=persons.values("pk"), date_fin__isnull=False, date_fin__lte=horizon
        )
        .filter(date_fin__gte=today - datetime.timedelta(days=DroitPrestation.ALERTE_JOURS))
        .select_related("usager")
        .order_by("date_fin", "usager__nom_naissance", "pk")
    )


def expiring_benefits_count(
    user: Any, etablissement: Etablissement | None, *, today: datetime.date | None = None
) -> int:
    """How many benefits expire soon (or recently expired) in this établissement, for the
    home page; 0 when the user does not read social data there."""
    return expiring_benefits(user, etablissement, today=today).count()
