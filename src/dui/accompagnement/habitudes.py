"""Habits of life: one row per person and domain, changed with stale-save protection.

Reading needs "usager.administratif.read"; changing needs "usager.soins.write" or
"usager.educatif.write" (models.HABITUDE_WRITE). The journal entry of each change names the
fields changed and the new version (no content: the journal holds no personal data).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from dui import audit
from dui.accompagnement.models import (
    HABITUDE_READ,
    HABITUDE_WRITE,
    DomaineHabitude,
    HabitudeDeVie,
)
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import ensure_writable
from dui.usagers.models import Usager

FIELDS = ("description", "preferences", "a_eviter", "dit_par_la_personne")
LABELS = {
    "description": "habitudes",
    "preferences": "préférences",
    "a_eviter": "à éviter",
    "dit_par_la_personne": "dit par la personne",
}


class HabitudeError(Exception):
    """A refused change, with the French message shown to the person."""


class HabitudeConflict(HabitudeError):
    """Someone saved this domain since the form was displayed: nothing is saved."""

    def __init__(self, current: HabitudeDeVie | None) -> None:
        who = ""
        if current is not None:
            author = current.modifie_par
            name = author.get_full_name() or author.email
            who = f" par {name}"
        super().__init__(
            f"Ces habitudes ont été modifiées{who} pendant votre saisie : rien n'a été "
            "enregistré. La version actuelle est affichée ; reprenez vos changements."
        )
        self.current = current


def may_read(user: Any, usager: Usager) -> bool:
    return policy.allows(user, f"usager.{HABITUDE_READ}.read", usager)


def may_write(user: Any, usager: Usager) -> bool:
    return any(policy.allows(user, f"usager.{c}.write", usager) for c in HABITUDE_WRITE)


def habitudes_by_domain(usager: Usager) -> list[dict[str, Any]]:
    """Every domain in order, with its row or None (one query)."""
    rows = {
        h.domaine: h
        for h in HabitudeDeVie.objects.filter(usager=usager).select_related("modifie_par")
    }
    return [
        {"code": code, "libelle": label, "habitude": rows.get(code)}
        for code, label in DomaineHabitude.choices
    ]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {
        "description": str(values.get("description", "")).strip(),
        "preferences": str(values.get("preferences", "")).strip(),
        "a_eviter": str(values.get("a_eviter", "")).strip(),
        "dit_par_la_personne": bool(values.get("dit_par_la_personne")),
    }
    if not cleaned["description"]:
        raise HabitudeError("Décrivez les habitudes de la personne dans ce domaine.")
    return cleaned


def habitude_save(
    *,
    actor: Any,
    usager: Usager,
    domaine: str,
    values: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> HabitudeDeVie:
    """Create or change the person's habits in one domain.

    `expected_version` is the version the form displayed (0 when the domain was empty); if
    someone saved in between, HabitudeConflict is raised and nothing is written. A save that
    changes nothing writes nothing.
    """
    if domaine not in DomaineHabitude.values:
        raise HabitudeError("Domaine d'habitudes inconnu.")
    cleaned = _clean(values)
    with transaction.atomic():
        ensure_writable(usager)
        if not may_write(actor, usager):
            raise HabitudeError("Vous n'êtes pas habilité à modifier les habitudes de vie.")
        current = (
            HabitudeDeVie.objects.select_for_update()
            .select_related("modifie_par")
            .filter(usager=usager, domaine=domaine)
            .first()
        )
        if (current.version if current else 0) != expected_version:
            raise HabitudeConflict(current)
        if current is None:
            try:
                with transaction.atomic():
                    habitude = HabitudeDeVie.objects.create(
                        usager=usager, domaine=domaine, modifie_par=actor, **cleaned
                    )
            except IntegrityError:
                # Created by someone else since our read: their text wins, ours is refused.
                raise HabitudeConflict(
                    HabitudeDeVie.objects.filter(usager=usager, domaine=domaine).first()
                ) from None
            changed = [f for f in FIELDS if cleaned[f]]
            action = AuditAction.CREATE
        else:
            changed = [f for f in FIELDS if getattr(current, f) != cleaned[f]]
            if not changed:
                return current
            for f in changed:
                setattr(current, f, cleaned[f])
            current.modifie_par = actor
            current.version += 1
            current.save()
            habitude = current
            action = AuditAction.UPDATE
        audit.record(
            action=action,
            actor=actor,
            request=request,
            obj=habitude,
            usager=usager,
            details={"domaine": domaine, "champs": changed, "version": habitude.version},
        )
    return habitude
