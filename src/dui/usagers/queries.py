"""Reads of persons shared by views and APIs: the one search box."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db.models import Q, QuerySet

from dui.interop.ins.matricule import normalize as normalize_matricule
from dui.usagers.models import PriseEnCharge, Usager
from dui.usagers.phonetique import fold, phonetic_keys

_DATE_FR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_birth_date(text: str) -> datetime.date | None:
    text = text.strip()
    m = _DATE_FR.match(text)
    try:
        if m:
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
        m = _DATE_ISO.match(text)
        if m:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def search_q(text: str) -> Q | None:
    """What the search box means: a birth date, a matricule INS, or names.

    Names: every typed word must start a word of the person's names (accents and case
    ignored), or the first word sounds like the birth or used name (phonetic key).
    Returns None for an empty text (no filter); text with nothing searchable matches no one.
    """
    text = text.strip()[:100]
    if not text:
        return None
    date = parse_birth_date(text)
    if date is not None:
        return Q(date_naissance=date)
    digits = normalize_matricule(text)
    # Seven characters or more of a matricule: a prefix of it (names hold no digits).
    if re.fullmatch(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{0,8}", digits):
        return Q(matricule_ins__startswith=digits)
    words = fold(text).split(" ")[:5]
    if not words or not words[0]:
        return Q(pk__in=[])
    # nom_normalise holds "BIRTH USED FIRSTNAMES…": the first word is searched as a prefix of
    # the whole column (indexable) or of any later word.
    first = words[0]
    prefix = Q(nom_normalise__startswith=first) | Q(nom_normalise__contains=f" {first}")
    keys = phonetic_keys(first)
    sounds = Q(cle_nom__in=keys) | Q(cle_nom_utilise__in=keys) | Q(cle_nom_colle__in=keys)
    condition = prefix | sounds
    for word in words[1:]:
        condition &= Q(nom_normalise__startswith=word) | Q(nom_normalise__contains=f" {word}")
    return condition


def usager_search(user: Any, text: str, *, etablissement_id: int | None = None) -> QuerySet[Usager]:
    """Persons the user may see matching `text`, optionally among one établissement's."""
    qs = Usager.objects.visible_to(user)
    if etablissement_id is not None:
        qs = qs.filter(
            pk__in=PriseEnCharge.objects.filter(etablissement_id=etablissement_id).values(
                "usager_id"
            )
        )
    condition = search_q(text)
    if condition is not None:
        qs = qs.filter(condition)
    return qs.order_by("nom_naissance", "prenoms_naissance", "pk")
