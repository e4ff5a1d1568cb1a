"""The matricule INS (NIR or NIA): shape, key, and the OIDs of its assigning authority.

Key = 97 − (first 13 characters mod 97), with Corsican departments 2A → 19 and 2B → 18
(interop.md §1.2). The NIA uses the same shape and key (assumed, see interop.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO = "1.2.250.1.213.1.4.11"
INS_OIDS = {
    OID_INS_NIR: "INS-NIR",
    OID_INS_NIA: "INS-NIA",
    OID_INS_NIR_TEST: "INS-NIR-TEST",
    OID_INS_NIR_DEMO: "INS-NIR-DEMO",
}

_SHAPE = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$")


def _numeric_body(body13: str) -> int:
    if body13[5:7] == "2A":
        body13 = body13[:5] + "19" + body13[7:]
    elif body13[5:7] == "2B":
        body13 = body13[:5] + "18" + body13[7:]
    return int(body13)


def cle(body13: str) -> int:
    """The 2-digit key of a 13-character matricule body."""
    return 97 - (_numeric_body(body13.upper()) % 97)


@dataclass(frozen=True)
class Matricule:
    numero: str  # 13 characters
    cle: str  # 2 digits

    @property
    def complet(self) -> str:
        return f"{self.numero}{self.cle}"

    @property
    def sexe_code(self) -> str:
        return self.numero[0]

    def __str__(self) -> str:
        n = self.numero
        return f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {self.cle}"


def normalize(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def parse_matricule(raw: str) -> Matricule:
    """Parse 15 characters (13 + key); raise a French ValidationError when wrong."""
    value = normalize(raw)
    if len(value) != 15:
        raise ValidationError(
            "Le matricule INS comporte 15 caractères : 13 chiffres et une clé de 2 chiffres "
            "(%(n)s saisis).",
            code="ins_length",
            params={"n": len(value)},
        )
    if not _SHAPE.match(value):
        raise ValidationError(
            "Le matricule INS ne contient que des chiffres (2A ou 2B possibles pour un "
            "département de naissance corse).",
            code="ins_chars",
        )
    if value[0] not in "12378":
        raise ValidationError(
            "Le premier chiffre du matricule INS doit être 1, 2, 3, 7 ou 8.",
            code="ins_first_digit",
        )
    expected = cle(value[:13])
    if int(value[13:]) != expected:
        raise ValidationError(
            "La clé du matricule INS est incorrecte : vérifiez la saisie.",
            code="ins_key",
        )
    return Matricule(value[:13], value[13:])


def is_nia(oid: str) -> bool:
    return oid == OID_INS_NIA
