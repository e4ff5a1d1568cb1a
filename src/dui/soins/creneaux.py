"""Time slots of the medication rounds and the readable French posology.

The slots cover the whole day without gaps, so an intake given at a precise hour always
falls in one slot. The round of a slot lists its intakes; a dose not traced when the slot
ends is "non tracée" (and one given after the end is "donné en retard").
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Creneau:
    code: str
    libelle: str
    debut: datetime.time
    fin: datetime.time  # exclusive; time.max for the last slot
    # Where an intake named by the slot (not by an hour) is shown and sorted.
    heure: datetime.time


CRENEAUX: list[Creneau] = [
    Creneau("nuit", "Nuit", datetime.time(0, 0), datetime.time(6, 0), datetime.time(3, 0)),
    Creneau("matin", "Matin", datetime.time(6, 0), datetime.time(11, 0), datetime.time(8, 0)),
    Creneau("midi", "Midi", datetime.time(11, 0), datetime.time(15, 0), datetime.time(12, 0)),
    Creneau("soir", "Soir", datetime.time(15, 0), datetime.time(20, 0), datetime.time(18, 30)),
    Creneau("coucher", "Coucher", datetime.time(20, 0), datetime.time.max, datetime.time(21, 0)),
]
PAR_CODE = {c.code: c for c in CRENEAUX}
# The named moments a prescriber picks (the night slot is reached with a precise hour).
MOMENTS = [(c.code, c.libelle) for c in CRENEAUX if c.code != "nuit"]


def creneau_of(heure: datetime.time) -> Creneau:
    for c in CRENEAUX:
        if c.debut <= heure < c.fin or (c.fin == datetime.time.max and heure >= c.debut):
            return c
    return CRENEAUX[0]


def creneau_courant(now: datetime.datetime) -> Creneau:
    return creneau_of(now.time())


def fin_de_creneau(jour: datetime.date, creneau: Creneau, tz: Any) -> datetime.datetime:
    """The aware end of a slot on a day (midnight of the next day for the last one)."""
    if creneau.fin == datetime.time.max:
        naive = datetime.datetime.combine(jour + datetime.timedelta(days=1), datetime.time(0, 0))
    else:
        naive = datetime.datetime.combine(jour, creneau.fin)
    return naive.replace(tzinfo=tz)


@functools.lru_cache(maxsize=512)
def parse_heure(value: str) -> datetime.time | None:
    """A time from "HH:MM" (None if not one); cached: a round parses the same few hours
    hundreds of times per page."""
    try:
        return datetime.datetime.strptime(value, "%H:%M").time()
    except (TypeError, ValueError):
        return None


def prise_cle(prise: dict[str, str]) -> str:
    """The key of an intake within the day: its hour if given, else its slot code."""
    return prise.get("heure") or prise.get("moment") or ""


def prise_creneau(prise: dict[str, str]) -> Creneau | None:
    heure = parse_heure(prise.get("heure", ""))
    if heure is not None:
        return creneau_of(heure)
    return PAR_CODE.get(prise.get("moment", ""))


def prise_heure(prise: dict[str, str]) -> datetime.time:
    heure = parse_heure(prise.get("heure", ""))
    if heure is not None:
        return heure
    c = PAR_CODE.get(prise.get("moment", ""))
    return c.heure if c else datetime.time(0, 0)


def quantite(prise: dict[str, str]) -> Decimal:
    try:
        return Decimal(str(prise.get("quantite", "1")))
    except (InvalidOperation, ValueError):
        return Decimal("1")


def format_quantite(q: Decimal) -> str:
    special = {Decimal("0.25"): "¼", Decimal("0.5"): "½", Decimal("0.75"): "¾"}
    if q in special:
        return special[q]
    text = f"{q.normalize():f}"
    return text.replace(".", ",")


def _joindre(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def posologie_texte(
    prises: list[dict[str, str]],
    unite: str,
    *,
    si_besoin: bool = False,
    condition: str = "",
    max_par_jour: int | None = None,
) -> str:
    """Readable French posology: "1 cp matin et soir", "½ cp à 08:00, 1 cp à 20:00"…"""
    if si_besoin:
        text = "si besoin"
        if condition:
            text += f" ({condition})"
        if max_par_jour:
            text += f", {max_par_jour} fois par jour au maximum"
        if prises:
            text = f"{format_quantite(quantite(prises[0]))} {unite} {text}"
        return text
    ordered = sorted(prises, key=prise_heure)
    if not ordered:
        return ""

    def when(p: dict[str, str]) -> str:
        if p.get("heure"):
            return f"à {p['heure']}"
        c = PAR_CODE.get(p.get("moment", ""))
        return c.libelle.lower() if c else ""

    quantites = {quantite(p) for p in ordered}
    if len(quantites) == 1 and not any(p.get("heure") for p in ordered):
        q = format_quantite(next(iter(quantites)))
        return f"{q} {unite} {_joindre([when(p) for p in ordered])}"
    return ", ".join(f"{format_quantite(quantite(p))} {unite} {when(p)}" for p in ordered)
