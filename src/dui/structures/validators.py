"""National identifiers of structures and professionals: FINESS and RPPS.

A check-digit failure is not always an error: real RPPS numbers exist that fail Luhn, and the
Corsican FINESS key rule is unconfirmed. Validation therefore returns a verdict that callers
turn into a refusal (malformed) or a warning to confirm (suspicious key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from django.core.exceptions import ValidationError


class Verdict(Enum):
    OK = "ok"
    WARNING = "warning"


@dataclass(frozen=True)
class IdentifierCheck:
    value: str
    verdict: Verdict
    message: str = ""

    @property
    def needs_confirmation(self) -> bool:
        return self.verdict is Verdict.WARNING


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


_FINESS_SHAPE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97\d)\d{6,7}$")


def check_finess(raw: str) -> IdentifierCheck:
    """Validate a FINESS number (juridique or géographique); raise if malformed."""
    value = (raw or "").strip().upper().replace(" ", "")
    if len(value) != 9:
        raise ValidationError(
            "Un numéro FINESS comporte exactement 9 caractères (%(n)s saisis).",
            code="finess_length",
            params={"n": len(value)},
        )
    if not re.fullmatch(r"[0-9]{9}|2[AB][0-9]{7}", value):
        raise ValidationError(
            "Un numéro FINESS ne contient que des chiffres, sauf 2A ou 2B pour la Corse.",
            code="finess_chars",
        )
    if not _FINESS_SHAPE.match(value):
        raise ValidationError(
            "Le numéro FINESS doit commencer par un département (01 à 95, 2A, 2B ou 97x).",
            code="finess_department",
        )
    if value.startswith(("2A", "2B")):
        return IdentifierCheck(
            value,
            Verdict.WARNING,
            "Numéro FINESS corse : sa clé de contrôle ne peut pas être vérifiée. "
            "Confirmez qu'il est exact.",
        )
    if not luhn_ok(value):
        return IdentifierCheck(
            value,
            Verdict.WARNING,
            "La clé de contrôle de ce numéro FINESS est incorrecte : vérifiez-le. "
            "Confirmez pour l'enregistrer tout de même.",
        )
    return IdentifierCheck(value, Verdict.OK)


def check_rpps(raw: str) -> IdentifierCheck:
    """Validate an RPPS number; a Luhn failure only warns (real numbers fail it)."""
    value = (raw or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{11}", value):
        raise ValidationError("Un numéro RPPS comporte exactement 11 chiffres.", code="rpps_format")
    if not luhn_ok(value):
        return IdentifierCheck(
            value,
            Verdict.WARNING,
            "La clé de contrôle de ce numéro RPPS ne correspond pas ; certains numéros "
            "réels sont dans ce cas. Vérifiez-le dans l'Annuaire Santé.",
        )
    return IdentifierCheck(value, Verdict.OK)
