"""What the transmission lists show: a person's timeline, an établissement's, the handover.

Every list is restricted to the transmission categories whose data category the user may
read (never a count or a hint of the others), and fetched in a constant number of queries.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from dui.accompagnement.models import LectureTransmission, Transmission, transmission_categories
from dui.comptes import policy
from dui.structures.models import Etablissement
from dui.usagers.models import PriseEnCharge, Usager

PAGE_SIZE = 30


def _with_related(qs: QuerySet[Transmission], *, person: bool = True) -> QuerySet[Transmission]:
    """What a card shows: author and the corrected note's date; the person's name only on
    the établissement lists (on the person's own tab it is known). Readers are fetched by
    `with_lectures`, for the urgent notes of the page only."""
    related = ["auteur", *(["usager"] if person else [])]
    return qs.select_related(*related).annotate(corrige_cree_le=F("corrige__cree_le"))


def with_lectures(transmissions: list[Transmission], user: Any) -> None:
    """Set `lecteurs` (acknowledgements, oldest first) and `lue_par_moi` on each note; only
    urgent notes are acknowledged, so a page without one costs no query."""
    urgent = [t.pk for t in transmissions if t.is_urgent]
    by_note: dict[int, list[LectureTransmission]] = {}
    if urgent:
        lectures = (
            LectureTransmission.objects.filter(transmission_id__in=urgent)
            .select_related("lecteur")
            .order_by("lu_le", "pk")
        )
        for lu in lectures:
            by_note.setdefault(lu.transmission_id, []).append(lu)
    for t in transmissions:
        t.lecteurs = by_note.get(t.pk, [])  # type: ignore[attr-defined]
        t.lue_par_moi = any(lu.lecteur_id == user.pk for lu in t.lecteurs)  # type: ignore[attr-defined]


def categories_for_usager(user: Any, usager: Usager) -> list[str]:
    return transmission_categories(policy.usager_categories(user, usager))


def categories_in(user: Any, etablissement: Etablissement | None) -> list[str]:
    """Transmission categories the user reads in this établissement."""
    if etablissement is None:
        return []
    d = policy.droits(user).get(etablissement.pk)
    return transmission_categories(d.lecture) if d else []


def for_usager(usager: Usager, categories: list[str]) -> QuerySet[Transmission]:
    return _with_related(
        Transmission.objects.filter(usager=usager, categorie__in=categories), person=False
    )


def for_etablissement(
    user: Any, etablissement: Etablissement, since: datetime.datetime | None = None
) -> QuerySet[Transmission]:
    """Transmissions written in the établissement about persons visible to the user."""
    qs = Transmission.objects.filter(
        etablissement=etablissement,
        categorie__in=categories_in(user, etablissement),
        usager__in=Usager.objects.visible_to(user).values("pk"),
    )
    if since is not None:
        qs = qs.filter(cree_le__gte=since)
    return _with_related(qs)


def apply_filters(qs: QuerySet[Transmission], data: dict[str, Any]) -> QuerySet[Transmission]:
    if data.get("unite"):
        # Persons whose current stay is in the unit (wing, group, home-care sector).
        stays = PriseEnCharge.objects.filter(unite_id=data["unite"], date_fin__isnull=True)
        qs = qs.filter(usager__in=stays.values("usager_id"))
    if data.get("categorie"):
        qs = qs.filter(categorie=data["categorie"])
    if data.get("auteur"):
        qs = qs.filter(auteur=data["auteur"])
    if data.get("urgentes"):
        qs = qs.filter(is_urgent=True)
    tz = timezone.get_current_timezone()
    if data.get("du"):
        qs = qs.filter(cree_le__gte=datetime.datetime.combine(data["du"], datetime.time(), tz))
    if data.get("au"):
        end = datetime.datetime.combine(
            data["au"] + datetime.timedelta(days=1), datetime.time(), tz
        )
        qs = qs.filter(cree_le__lt=end)
    return qs
