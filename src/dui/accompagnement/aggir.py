"""The official GIR computation (CASF annexe 2-2), as pure functions.

1. Each variable or sub-variable is answered with the four adverbs S, T, C, H
   (spontanément, totalement, correctement, habituellement): all done → A, none → C,
   anything else → B (2008 guide).
2. Sub-variables are combined into the variable's code (toilette, habillage, alimentation,
   élimination, cohérence, orientation), by the rules below.
3. The 8 discriminant codes are weighed group by group (A to H); the first threshold a
   group's total reaches gives the rank; the rank gives the GIR.

The weights, thresholds and rank-to-GIR table are the official ones (annexe 2-2), written
here as data. Déplacements à l'extérieur and alerter are recorded but weigh nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ADVERBES: tuple[tuple[str, str], ...] = (
    ("S", "fait spontanément"),
    ("T", "fait totalement"),
    ("C", "fait correctement"),
    ("H", "fait habituellement"),
)
ADVERBE_CODES = tuple(code for code, _ in ADVERBES)

# (code, libellé, sub-variables as (code, libellé)); discriminant ones in the algorithm's
# order, then the two recorded without weight.
DISCRIMINANTES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "coherence",
        "Cohérence",
        (("communication", "Communication"), ("comportement", "Comportement")),
    ),
    ("orientation", "Orientation", (("temps", "Dans le temps"), ("espace", "Dans l'espace"))),
    ("toilette", "Toilette", (("haut", "Haut du corps"), ("bas", "Bas du corps"))),
    ("habillage", "Habillage", (("haut", "Haut"), ("moyen", "Moyen"), ("bas", "Bas"))),
    ("alimentation", "Alimentation", (("se_servir", "Se servir"), ("manger", "Manger"))),
    ("elimination", "Élimination", (("urinaire", "Urinaire"), ("fecale", "Fécale"))),
    ("transferts", "Transferts", ()),
    ("deplacement_interieur", "Déplacements à l'intérieur", ()),
    ("deplacement_exterieur", "Déplacements à l'extérieur", ()),
    ("alerter", "Alerter", ()),
)
ILLUSTRATIVES: tuple[tuple[str, str], ...] = (
    ("gestion", "Gestion"),
    ("cuisine", "Cuisine"),
    ("menage", "Ménage"),
    ("transports", "Transports"),
    ("achats", "Achats"),
    ("suivi_traitement", "Suivi du traitement"),
    ("temps_libre", "Activités de temps libre"),
)

# The 8 variables the algorithm weighs, in the order of the weight tables.
ORDRE_CALCUL: tuple[str, ...] = (
    "coherence",
    "orientation",
    "toilette",
    "habillage",
    "alimentation",
    "elimination",
    "transferts",
    "deplacement_interieur",
)

# CASF annexe 2-2: for each group, the weight of modality C and of modality B of each of the
# 8 variables (ORDRE_CALCUL). Modality A always weighs 0.
POIDS: dict[str, dict[str, tuple[int, ...]]] = {
    "A": {"C": (2000, 1200, 40, 40, 60, 100, 800, 200), "B": (0, 0, 16, 16, 20, 16, 120, 32)},
    "B": {"C": (1500, 1200, 40, 40, 60, 100, 800, -80), "B": (320, 120, 16, 16, 0, 16, 120, -40)},
    "C": {"C": (0, 0, 40, 40, 60, 160, 1000, 400), "B": (0, 0, 16, 16, 20, 20, 200, 40)},
    "D": {"C": (0, 0, 0, 0, 2000, 400, 2000, 200), "B": (0, 0, 0, 0, 200, 200, 200, 0)},
    "E": {"C": (400, 400, 400, 400, 400, 800, 800, 200), "B": (0, 0, 100, 100, 100, 100, 100, 0)},
    "F": {
        "C": (200, 200, 500, 500, 500, 500, 500, 200),
        "B": (100, 100, 100, 100, 100, 100, 100, 0),
    },
    "G": {"C": (150, 150, 300, 300, 500, 500, 400, 200), "B": (0, 0, 200, 200, 200, 200, 200, 100)},
    "H": {
        "C": (0, 0, 3000, 3000, 3000, 3000, 1000, 1000),
        "B": (0, 0, 2000, 2000, 2000, 2000, 2000, 1000),
    },
}
# For each group in order: (minimum total, rank), highest first; None = no threshold (H).
SEUILS: dict[str, tuple[tuple[int | None, int], ...]] = {
    "A": ((4380, 1), (4140, 2), (3390, 3)),
    "B": ((2016, 4),),
    "C": ((1700, 5), (1432, 6)),
    "D": ((2400, 7),),
    "E": ((1200, 8),),
    "F": ((800, 9),),
    "G": ((650, 10),),
    "H": ((4000, 11), (2000, 12), (None, 13)),
}
RANG_GIR: dict[int, int] = {
    1: 1,
    2: 2,
    3: 2,
    4: 2,
    5: 2,
    6: 2,
    7: 2,
    8: 3,
    9: 3,
    10: 4,
    11: 4,
    12: 5,
    13: 6,
}


class AggirIncomplet(ValueError):
    """An answer needed by the computation is missing."""


def code_adverbes(reponse: Mapping[str, Any]) -> str:
    """A, B or C from the four adverbs (True = the person does it that way)."""
    oui = sum(1 for adverbe in ADVERBE_CODES if reponse.get(adverbe) is True)
    if oui == len(ADVERBE_CODES):
        return "A"
    if oui == 0:
        return "C"
    return "B"


def combine(variable: str, codes: Sequence[str]) -> str:
    """The variable's code from its sub-variables' codes (2008 guide, aggir.md §1.3)."""
    codes = tuple(codes)
    if len(codes) == 1:
        return codes[0]
    if all(c == "A" for c in codes):
        return "A"
    if variable in ("toilette", "habillage"):
        return "C" if all(c == "C" for c in codes) else "B"
    if variable == "alimentation":
        # CC, BC, CB → C; AC and CA → B, like AB, BA, BB.
        return "C" if "C" in codes and "A" not in codes else "B"
    if variable in ("elimination", "coherence", "orientation"):
        return "C" if "C" in codes else "B"
    raise ValueError(f"Variable sans sous-variables : {variable}")


def total(groupe: str, codes: Sequence[str]) -> int:
    """The group's total for the 8 codes in ORDRE_CALCUL."""
    poids = POIDS[groupe]
    return sum(poids[c][i] for i, c in enumerate(codes) if c in ("B", "C"))


@dataclass(frozen=True)
class Rang:
    groupe: str
    total: int
    rang: int
    gir: int


def rang(codes: Sequence[str]) -> Rang:
    """Walk groups A to H: the first threshold reached gives the rank, and the GIR."""
    codes = tuple(codes)
    if len(codes) != len(ORDRE_CALCUL) or any(c not in ("A", "B", "C") for c in codes):
        raise ValueError("Il faut 8 codes A, B ou C.")
    for groupe in SEUILS:
        somme = total(groupe, codes)
        r = rang_du_total(groupe, somme)
        if r is not None:
            return Rang(groupe=groupe, total=somme, rang=r, gir=RANG_GIR[r])
    raise AssertionError("group H always gives a rank")  # pragma: no cover


def rang_du_total(groupe: str, somme: int) -> int | None:
    """The rank a group's total gives, or None when the next group must be tried."""
    for minimum, r in SEUILS[groupe]:
        if minimum is None or somme >= minimum:
            return r
    return None


def item_code(variable: str, sous_variable: str | None = None) -> str:
    """The item code a grid answer is stored under: "toilette.haut", "transferts"."""
    return f"{variable}.{sous_variable}" if sous_variable else variable


@dataclass(frozen=True)
class ResultatAggir:
    gir: int
    rang: int
    groupe: str
    total: int
    codes: dict[str, str]  # every variable's code, discriminant and illustrative
    sous_codes: dict[str, str] = field(default_factory=dict)  # "toilette.haut": "B"

    def as_json(self) -> dict[str, Any]:
        return {
            "gir": self.gir,
            "rang": self.rang,
            "groupe": self.groupe,
            "total": self.total,
            "codes": self.codes,
            "sous_codes": self.sous_codes,
        }


def calcule(reponses: Mapping[str, Mapping[str, Any]]) -> ResultatAggir:
    """The GIR from answers keyed by item code (see item_code), each {S, T, C, H: bool}.

    Every discriminant (sub-)variable must be answered; illustrative ones are coded when
    present.
    """
    codes: dict[str, str] = {}
    sous_codes: dict[str, str] = {}
    for variable, _, sous in DISCRIMINANTES:
        if sous:
            parts = []
            for sv, _ in sous:
                code = item_code(variable, sv)
                if code not in reponses:
                    raise AggirIncomplet(code)
                sous_codes[code] = code_adverbes(reponses[code])
                parts.append(sous_codes[code])
            codes[variable] = combine(variable, parts)
        else:
            if variable not in reponses:
                raise AggirIncomplet(variable)
            codes[variable] = code_adverbes(reponses[variable])
    for variable, _ in ILLUSTRATIVES:
        if variable in reponses:
            codes[variable] = code_adverbes(reponses[variable])
    r = rang([codes[v] for v in ORDRE_CALCUL])
    return ResultatAggir(
        gir=r.gir, rang=r.rang, groupe=r.groupe, total=r.total, codes=codes, sous_codes=sous_codes
    )


def items() -> list[dict[str, Any]]:
    """The AGGIR grid as items (for the data migration and the tests): one per answer."""
    result: list[dict[str, Any]] = []
    for variable, libelle, sous in DISCRIMINANTES:
        section = "discriminante"
        if sous:
            for sv, sv_libelle in sous:
                result.append(
                    {
                        "code": item_code(variable, sv),
                        "libelle": sv_libelle,
                        "variable": variable,
                        "variable_libelle": libelle,
                        "section": section,
                    }
                )
        else:
            result.append(
                {
                    "code": variable,
                    "libelle": libelle,
                    "variable": variable,
                    "variable_libelle": libelle,
                    "section": section,
                }
            )
    for variable, libelle in ILLUSTRATIVES:
        result.append(
            {
                "code": variable,
                "libelle": libelle,
                "variable": variable,
                "variable_libelle": libelle,
                "section": "illustrative",
            }
        )
    return result
