"""Break-glass (accès exceptionnel): finding and opening a record outside one's scope.

The user must already know the person (birth name and exact date of birth); the access
asks for a reason, lasts settings.BREAK_GLASS_HOURS, is journaled with the reason and is
listed for the DPO. `policy.usager_scope` then includes the person until it expires.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.comptes.models import AccesExceptionnel
from dui.structures.models import Etablissement
from dui.usagers.models import Usager

MOTIF_MIN_LENGTH = 15
MAX_RESULTS = 20


def normalize_name(text: str) -> str:
    """Case-, accent-, hyphen- and apostrophe-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-'’]+", " ", plain).strip().casefold()


def _break_glass_organisme_ids(user: Any) -> list[int]:
    """Organismes where the user holds a role with the break-glass right."""
    etab_ids = [i for i, d in policy.droits(user).items() if d.role.may_break_glass]
    return list(
        Etablissement.objects.filter(id__in=etab_ids)
        .values_list("organisme_id", flat=True)
        .distinct()
    )


def break_glass_candidates(user: Any, *, nom: str, date_naissance: datetime.date) -> list[Usager]:
    """Persons of the user's organismes, not already visible to them, whose birth name or
    used name is `nom` (exact, ignoring case and accents) and born on `date_naissance`."""
    wanted = normalize_name(nom)
    if not wanted:
        return []
    # The exact date narrows to a handful of persons; names are compared in Python so the
    # match ignores accents on every database.
    same_birth = (
        Usager.objects.filter(
            organisme_id__in=_break_glass_organisme_ids(user), date_naissance=date_naissance
        )
        .exclude(pk__in=Usager.objects.visible_to(user).values("pk"))
        .only("pk", "nom_naissance", "nom_utilise", "prenoms_naissance", "date_naissance")
        .order_by("nom_naissance", "prenoms_naissance", "pk")
    )
    found = [
        u
        for u in same_birth
        if wanted in (normalize_name(u.nom_naissance), normalize_name(u.nom_utilise))
    ]
    return found[:MAX_RESULTS]


def usager_get_for_break_glass(user: Any, usager_id: int) -> Usager:
    """The person if the user may open a break-glass access to them; Http404 otherwise."""
    usager = Usager.objects.filter(pk=usager_id).first()
    if usager is None or not policy.allows(user, "break_glass", usager):
        raise Http404("Personne introuvable ou accès exceptionnel non autorisé.")
    return usager


def acces_exceptionnel_open(
    *, user: Any, usager: Usager, motif: str, request: HttpRequest | None = None
) -> AccesExceptionnel:
    """Open a break-glass access of `user` to `usager` for BREAK_GLASS_HOURS, with a reason.

    Raises Http404 if the user may not break glass for this person, ValidationError if the
    reason is too short. Journaled as BREAK_GLASS, flagged, with the reason.
    """
    policy.require(user, "break_glass", usager)
    motif = motif.strip()
    if len(motif) < MOTIF_MIN_LENGTH:
        raise ValidationError(
            f"Le motif doit expliquer la situation en au moins {MOTIF_MIN_LENGTH} caractères."
        )
    now = timezone.now()
    with transaction.atomic():
        acces = AccesExceptionnel.objects.create(
            user=user,
            usager=usager,
            motif=motif,
            ouvert_le=now,
            expire_le=now + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        audit.record(
            action=AuditAction.BREAK_GLASS,
            actor=user,
            request=request,
            obj=acces,
            usager=usager,
            break_glass=True,
            reason=motif,
            details={"expire_le": acces.expire_le.isoformat()},
        )
    policy.forget(user)
    return acces
