"""Vital signs and measures: the types, their units, physical bounds and default thresholds.

The bounds refuse impossible values (a typing error, a wrong unit); the thresholds decide
what is highlighted as out of range. A threshold pair is the *normal range*, inclusive:
a value is out of range when it is below `bas` or above `haut`. Values are entered with at
most `decimales` decimals, so "température ≥ 38.0 °C" is the normal maximum 37.9.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class TypeConstante(models.TextChoices):
    POIDS = "poids", "Poids"
    TAILLE = "taille", "Taille"
    IMC = "imc", "IMC"
    TENSION = "tension", "Tension artérielle"
    POULS = "pouls", "Pouls"
    TEMPERATURE = "temperature", "Température"
    SPO2 = "spo2", "SpO2"
    GLYCEMIE = "glycemie", "Glycémie capillaire"
    EVA = "eva", "Douleur (EVA)"
    ALGOPLUS = "algoplus", "Douleur (Algoplus)"
    NORTON = "norton", "Échelle de Norton"
    BRADEN = "braden", "Échelle de Braden"


D = Decimal


@dataclass(frozen=True)
class Spec:
    """How one type of measure is entered, checked and judged."""

    type: TypeConstante
    unite: str
    decimales: int
    minimum: Decimal
    maximum: Decimal
    # Default normal range (None: no alert on that side).
    bas: Decimal | None = None
    haut: Decimal | None = None
    # Second value (diastolic pressure) bounds, for the types that have one.
    minimum2: Decimal | None = None
    maximum2: Decimal | None = None
    saisie: bool = True  # False: computed (IMC), never typed in

    @property
    def libelle(self) -> str:
        return str(self.type.label)

    @property
    def double(self) -> bool:
        return self.minimum2 is not None


T = TypeConstante
SPECS: dict[str, Spec] = {
    s.type.value: s
    for s in [
        Spec(T.POIDS, "kg", 1, D("1"), D("350")),
        Spec(T.TAILLE, "cm", 0, D("40"), D("250")),
        # HAS 2021: IMC < 21 is a criterion of undernutrition from 70 years old.
        Spec(T.IMC, "kg/m²", 1, D("5"), D("100"), bas=D("21"), haut=D("30"), saisie=False),
        Spec(
            T.TENSION,
            "mmHg",
            0,
            D("40"),
            D("300"),
            bas=D("90"),
            haut=D("160"),
            minimum2=D("20"),
            maximum2=D("200"),
        ),
        Spec(T.POULS, "bpm", 0, D("20"), D("250"), bas=D("50"), haut=D("120")),
        Spec(T.TEMPERATURE, "°C", 1, D("25"), D("45"), bas=D("35.5"), haut=D("37.9")),
        Spec(T.SPO2, "%", 0, D("50"), D("100"), bas=D("92")),
        Spec(T.GLYCEMIE, "g/L", 2, D("0.10"), D("6.00"), bas=D("0.70"), haut=D("2.50")),
        Spec(T.EVA, "/10", 0, D("0"), D("10"), haut=D("3")),
        Spec(T.ALGOPLUS, "/5", 0, D("0"), D("5"), haut=D("1")),
        Spec(T.NORTON, "/20", 0, D("5"), D("20"), bas=D("15")),
        Spec(T.BRADEN, "/23", 0, D("6"), D("23"), bas=D("19")),
    ]
}
SAISIE_TYPES = [code for code, spec in SPECS.items() if spec.saisie]


def _fmt(value: Decimal, decimales: int) -> str:
    text = f"{value:.{decimales}f}"
    return text.replace(".", ",")


def format_valeur(type_code: str, valeur: Decimal, valeur2: Decimal | None = None) -> str:
    """The value as a French reader expects it: "37,8", "135/80"."""
    spec = SPECS[type_code]
    text = _fmt(valeur, spec.decimales)
    if valeur2 is not None:
        text += "/" + _fmt(valeur2, spec.decimales)
    return text


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def check_valeur(
    type_code: str, valeur: Decimal | None, valeur2: Decimal | None = None
) -> list[str]:
    """French messages for a value that cannot be right; empty list when plausible."""
    spec = SPECS.get(type_code)
    if spec is None:
        return ["Type de mesure inconnu."]
    if not spec.saisie:
        return [f"{spec.libelle} est calculé, il ne se saisit pas."]
    if valeur is None:
        return ["Valeur manquante."]
    errors = []
    # Scores (EVA /10, Norton /20…) have no unit to repeat after the value.
    unite = "" if spec.unite.startswith("/") else f" {spec.unite}"
    nom = "Pression systolique" if spec.double else spec.libelle
    if not spec.minimum <= valeur <= spec.maximum:
        errors.append(
            f"{nom} : {_fmt(valeur, _decimals(valeur))}{unite} est impossible "
            f"(valeurs admises de {_fmt(spec.minimum, spec.decimales)} à "
            f"{_fmt(spec.maximum, spec.decimales)}{unite})."
        )
    if _decimals(valeur) > spec.decimales:
        errors.append(_decimales_message(spec))
    if spec.double:
        assert spec.minimum2 is not None and spec.maximum2 is not None
        if valeur2 is None:
            errors.append("Indiquez la pression diastolique avec la systolique.")
        else:
            if not spec.minimum2 <= valeur2 <= spec.maximum2:
                errors.append(
                    f"Pression diastolique : {_fmt(valeur2, _decimals(valeur2))}{unite} est "
                    f"impossible (valeurs admises de {spec.minimum2} à {spec.maximum2}{unite})."
                )
            elif valeur2 >= valeur:
                errors.append("La pression diastolique doit être inférieure à la systolique.")
            if _decimals(valeur2) > spec.decimales:
                errors.append(_decimales_message(spec))
    elif valeur2 is not None:
        errors.append("Cette mesure n'a qu'une valeur.")
    return errors


def _decimales_message(spec: Spec) -> str:
    if spec.decimales == 0:
        return f"{spec.libelle} se saisit sans décimale."
    return f"{spec.libelle} se saisit avec au plus {spec.decimales} décimale(s)."


def imc(poids: Decimal, taille_cm: Decimal) -> Decimal:
    """Body mass index, kg/m², one decimal."""
    metres = taille_cm / 100
    return (poids / (metres * metres)).quantize(D("0.1"))


def ecart(valeur: Decimal, bas: Decimal | None, haut: Decimal | None) -> str:
    """ "bas", "haut" or "" for a value against a normal range."""
    if bas is not None and valeur < bas:
        return "bas"
    if haut is not None and valeur > haut:
        return "haut"
    return ""
