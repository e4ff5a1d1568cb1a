"""Transmissions: write, correct (a new linked note, never an edit) and acknowledge.

Each transmission category is protected by one data category of the policy
(models.POLICY_CATEGORIE): writing needs "usager.<data category>.write", reading "…read".
The services check it themselves too, so no caller can write what the user may not.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.accompagnement.models import (
    POLICY_CATEGORIE,
    LectureTransmission,
    Transmission,
    TypeTransmission,
)
from dui.audit.models import AuditAction, Entree
from dui.comptes import policy
from dui.structures.models import Etablissement
from dui.usagers.access import ensure_writable
from dui.usagers.models import Usager

HANDOVER_DEFAULT = datetime.timedelta(hours=12)


class TransmissionError(Exception):
    """A refused change, with the French message shown to the person."""


def _content(
    type: str, cible: str, donnees: str, actions: str, resultats: str, texte: str
) -> dict[str, str]:
    if type == TypeTransmission.CIBLEE:
        if not cible.strip():
            raise TransmissionError("Une transmission ciblée a une cible.")
        if not (donnees.strip() or actions.strip() or resultats.strip()):
            raise TransmissionError(
                "Une transmission ciblée a au moins des données, des actions ou des résultats."
            )
        return {
            "cible": cible.strip(),
            "donnees": donnees.strip(),
            "actions": actions.strip(),
            "resultats": resultats.strip(),
            "texte": "",
        }
    if type == TypeTransmission.LIBRE:
        if not texte.strip():
            raise TransmissionError("Le texte de la transmission est vide.")
        return {"cible": "", "donnees": "", "actions": "", "resultats": "", "texte": texte.strip()}
    raise TransmissionError("Forme de transmission inconnue.")


def _require_write(actor: Any, usager: Usager, categorie: str) -> None:
    data = POLICY_CATEGORIE.get(categorie)
    if data is None:
        raise TransmissionError("Catégorie de transmission inconnue.")
    if not policy.allows(actor, f"usager.{data}.write", usager):
        raise TransmissionError(
            "Vous n'êtes pas habilité à écrire des transmissions de cette catégorie."
        )


def transmission_create(
    *,
    actor: Any,
    usager: Usager,
    etablissement: Etablissement,
    categorie: str,
    type: str,
    cible: str = "",
    donnees: str = "",
    actions: str = "",
    resultats: str = "",
    texte: str = "",
    is_urgent: bool = False,
    partage_cahier_liaison: bool = False,
    request: HttpRequest | None = None,
) -> Transmission:
    """Write a transmission about the person; author and time are fixed from now on."""
    with transaction.atomic():
        ensure_writable(usager)
        _require_write(actor, usager, categorie)
        transmission = Transmission.objects.create(
            usager=usager,
            etablissement=etablissement,
            categorie=categorie,
            type=type,
            is_urgent=is_urgent,
            partage_cahier_liaison=partage_cahier_liaison,
            auteur=actor,
            **_content(type, cible, donnees, actions, resultats, texte),
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=transmission,
            usager=usager,
            etablissement=etablissement,
            details={
                "categorie": categorie,
                "urgente": is_urgent,
                "cahier_liaison": partage_cahier_liaison,
            },
        )
        if partage_cahier_liaison:
            from dui.accompagnement.liaison import share_on_write

            share_on_write(actor, transmission, request)
    return transmission


def transmission_correct(
    *,
    actor: Any,
    transmission: Transmission,
    motif: str,
    type: str,
    cible: str = "",
    donnees: str = "",
    actions: str = "",
    resultats: str = "",
    texte: str = "",
    is_urgent: bool | None = None,
    partage_cahier_liaison: bool | None = None,
    request: HttpRequest | None = None,
) -> Transmission:
    """Correct a transmission: a new one linked to it; the original keeps its content and
    is only marked corrected. Same category (who may read it must not change)."""
    if not motif.strip():
        raise TransmissionError("Indiquez le motif de la correction.")
    with transaction.atomic():
        original = (
            Transmission.objects.select_for_update()
            .select_related("usager", "etablissement")
            .get(pk=transmission.pk)
        )
        usager = original.usager
        ensure_writable(usager)
        _require_write(actor, usager, original.categorie)
        if original.corrigee_le is not None:
            raise TransmissionError(
                "Cette transmission a déjà été corrigée : corrigez la version la plus récente."
            )
        correction = Transmission.objects.create(
            usager=usager,
            etablissement=original.etablissement,
            categorie=original.categorie,
            type=type,
            is_urgent=original.is_urgent if is_urgent is None else is_urgent,
            partage_cahier_liaison=(
                original.partage_cahier_liaison
                if partage_cahier_liaison is None
                else partage_cahier_liaison
            ),
            auteur=actor,
            corrige=original,
            motif_correction=motif.strip(),
            **_content(type, cible, donnees, actions, resultats, texte),
        )
        original.corrigee_le = timezone.now()
        original.save(update_fields=["corrigee_le"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=correction,
            usager=usager,
            etablissement=original.etablissement,
            reason=motif.strip(),
            details={"corrige": original.pk, "categorie": original.categorie},
        )
        if correction.partage_cahier_liaison:
            from dui.accompagnement.liaison import share_on_write

            share_on_write(actor, correction, request, carry_from=original)
    return correction


def transmission_acknowledge(
    *, actor: Any, transmission: Transmission, request: HttpRequest | None = None
) -> LectureTransmission:
    """Record that `actor` read an urgent transmission (once: a second call changes nothing)."""
    with transaction.atomic():
        usager = transmission.usager
        if not policy.allows(actor, f"usager.{transmission.policy_categorie}.read", usager):
            raise TransmissionError("Vous n'êtes pas habilité à lire cette transmission.")
        if not transmission.is_urgent:
            raise TransmissionError("Seules les transmissions urgentes se marquent comme lues.")
        ensure_writable(usager)
        lecture, created = LectureTransmission.objects.get_or_create(
            transmission=transmission, lecteur=actor
        )
        if created:
            audit.record(
                action=AuditAction.CREATE,
                actor=actor,
                request=request,
                obj=lecture,
                usager=usager,
                etablissement_id=transmission.etablissement_id,
                details={"transmission": transmission.pk},
            )
    return lecture


def handover_since(user: Any) -> datetime.datetime:
    """Start of the handover window: the user's previous login before the current session
    (the latest LOGIN entry is the current session's), or the last 12 hours if none."""
    logins = list(
        Entree.objects.filter(actor_id=user.pk, action=AuditAction.LOGIN)
        .order_by("-seq")
        .values_list("at", flat=True)[:2]
    )
    if len(logins) == 2:
        return logins[1]
    return timezone.now() - HANDOVER_DEFAULT
