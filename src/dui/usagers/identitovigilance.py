"""Duplicate detection across an organisme gestionnaire.

One indexed query gathers candidates (same phonetic birth or used name, names inverted,
same birth date and first name, same matricule); a score then classes each as a strong
match (blocks creation unless the user confirms it is someone else) or a medium one (warns).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.db.models import Q

from dui.usagers.models import Usager
from dui.usagers.phonetique import phonetic_key, phonetic_keys, similarity

MAX_CANDIDATES = 200


class Niveau(IntEnum):
    MOYEN = 1
    FORT = 2


@dataclass(frozen=True)
class Traits:
    nom_naissance: str
    prenoms_naissance: str
    date_naissance: datetime.date
    sexe: str = ""
    lieu_naissance_insee: str = ""
    nom_utilise: str = ""
    matricule_ins: str = ""

    @classmethod
    def of(cls, usager: Usager) -> Traits:
        return cls(
            usager.nom_naissance,
            usager.prenoms_naissance,
            usager.date_naissance,
            usager.sexe,
            usager.lieu_naissance_insee,
            usager.nom_utilise,
            usager.matricule_ins,
        )

    @property
    def premier_prenom(self) -> str:
        return self.prenoms_naissance.split(" ")[0] if self.prenoms_naissance else ""


@dataclass
class Candidat:
    usager: Usager
    niveau: Niveau
    score: float
    raisons: list[str] = field(default_factory=list)


def date_closeness(a: datetime.date, b: datetime.date) -> tuple[float, str]:
    """1 for the same date; 0.8 for the typing slips seen in practice; 0 otherwise."""
    if a == b:
        return 1.0, "même date de naissance"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 0.8, "jour et mois inversés"
    if (a.month, a.day) == (b.month, b.day):
        ya, yb = f"{a.year:04d}", f"{b.year:04d}"
        if sum(x != y for x, y in zip(ya, yb, strict=True)) == 1 or sorted(ya) == sorted(yb):
            return 0.8, "année proche (faute de frappe)"
    if a.year == b.year and a.month == b.month and abs(a.day - b.day) <= 1:
        return 0.6, "date de naissance proche"
    if a.year == b.year and a.day == b.day:
        da, db = f"{a.month:02d}", f"{b.month:02d}"
        if sum(x != y for x, y in zip(da, db, strict=True)) == 1:
            return 0.6, "mois proche (faute de frappe)"
    return 0.0, ""


def _name_score(t: Traits, u: Usager) -> tuple[float, str]:
    pairs = [
        (t.nom_naissance, u.nom_naissance, "nom de naissance"),
        (t.nom_naissance, u.nom_utilise, "nom de naissance = nom utilisé"),
        (t.nom_utilise, u.nom_naissance, "nom utilisé = nom de naissance"),
        (t.nom_utilise, u.nom_utilise, "nom utilisé"),
    ]
    best, why = 0.0, ""
    for a, b, label in pairs:
        if a and b:
            score = similarity(a, b)
            if score > best:
                best, why = score, label
    return best, why


def _prenom_score(t: Traits, u: Usager) -> float:
    mine = t.prenoms_naissance.split(" ")
    theirs = u.prenoms_naissance.split(" ")
    # Whole lists compared too: "Marie-Claire" and "Marie Claire" are the same first name.
    first = max(
        similarity(t.premier_prenom, u.premier_prenom),
        similarity(t.prenoms_naissance, u.prenoms_naissance),
    )
    # The same first name given second on one record (order of the civil record mistyped).
    other = max((similarity(a, b) for a in mine for b in theirs if a and b), default=0.0)
    return max(first, other * 0.9)


def score(t: Traits, u: Usager) -> Candidat | None:
    """Class one candidate; None when it is not a plausible duplicate."""
    reasons: list[str] = []
    if t.matricule_ins and t.matricule_ins == u.matricule_ins:
        return Candidat(u, Niveau.FORT, 1.0, ["même matricule INS"])
    name, name_why = _name_score(t, u)
    prenom = _prenom_score(t, u)
    inverted = min(
        similarity(t.nom_naissance, u.premier_prenom), similarity(t.premier_prenom, u.nom_naissance)
    )
    date, date_why = date_closeness(t.date_naissance, u.date_naissance)
    same_sexe = bool(t.sexe and t.sexe == u.sexe)
    same_lieu = bool(t.lieu_naissance_insee and t.lieu_naissance_insee == u.lieu_naissance_insee)
    if inverted >= 0.85 and inverted > min(name, prenom):
        name, prenom, name_why = inverted, inverted, "nom et prénom inversés"
    if name_why:
        reasons.append(f"{name_why} proche" if name < 1 else name_why)
    if date_why:
        reasons.append(date_why)
    if same_lieu:
        reasons.append("même lieu de naissance")
    total = round(0.4 * name + 0.3 * prenom + 0.2 * date + 0.05 * same_sexe + 0.05 * same_lieu, 3)
    if name >= 0.85 and prenom >= 0.85 and (date == 1.0 or (date >= 0.8 and same_lieu)):
        return Candidat(u, Niveau.FORT, total, reasons)
    if name >= 0.75 and prenom >= 0.75 and date >= 0.6:
        return Candidat(u, Niveau.MOYEN, total, reasons)
    if date == 1.0 and prenom >= 0.85 and same_sexe:
        # Same person under another surname (maiden vs married name typed as birth name).
        return Candidat(u, Niveau.MOYEN, total, [*reasons, "autre nom, même prénom et date"])
    return None


def candidate_query(t: Traits) -> Q:
    names = phonetic_keys(t.nom_naissance) | (
        phonetic_keys(t.nom_utilise) if t.nom_utilise else set()
    )
    prenom_key = phonetic_key(t.premier_prenom)
    # `score` keeps no one whose birth date is not close (date_closeness > 0), and close
    # dates share the year or the day and month: filtering on it here spares scoring the
    # hundreds of namesakes of a common name (and never cuts a candidate at MAX_CANDIDATES).
    d = t.date_naissance
    close_date = Q(date_naissance__year=d.year) | Q(
        date_naissance__month=d.month, date_naissance__day=d.day
    )
    same_name = Q(cle_nom__in=names) | Q(cle_nom_colle__in=names) | Q(cle_nom_utilise__in=names)
    q = (same_name & close_date) | Q(cle_prenom=prenom_key, date_naissance=t.date_naissance)
    if prenom_key:
        q |= Q(cle_nom=prenom_key, cle_prenom__in=phonetic_keys(t.nom_naissance)) & close_date
    if t.matricule_ins:
        q |= Q(matricule_ins=t.matricule_ins)
    return q


def find_duplicates(
    *, organisme_id: int, traits: Traits, exclude_id: int | None = None
) -> list[Candidat]:
    """Strong then medium candidates among the organisme's persons (all of them: duplicates
    hide precisely in the services the user does not work in)."""
    qs: Any = Usager.objects.filter(
        candidate_query(traits), organisme_id=organisme_id, fusionne_dans__isnull=True
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    # No ORDER BY: with one, PostgreSQL walks the name index to the LIMIT instead of using
    # the key indexes; the score orders the result.
    found = [c for u in qs.order_by()[:MAX_CANDIDATES] if (c := score(traits, u)) is not None]
    return sorted(found, key=lambda c: (-c.niveau, -c.score, c.usager.pk))
