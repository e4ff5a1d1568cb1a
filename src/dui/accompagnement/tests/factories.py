from __future__ import annotations

from typing import Any

from dui.accompagnement import aggir
from dui.accompagnement.models import Grille

ADVERBES = {
    "A": {"S": True, "T": True, "C": True, "H": True},
    "B": {"S": True, "T": False, "C": True, "H": True},
    "C": {"S": False, "T": False, "C": False, "H": False},
}


def grille_aggir() -> Grille:
    """The built-in AGGIR grid (created by the data migration)."""
    return Grille.objects.get(code="aggir")


def aggir_answers(**codes: str) -> dict[str, Any]:
    """Answers to every AGGIR item: A unless a variable is given another code."""
    return {i["code"]: ADVERBES[codes.get(i["variable"], "A")] for i in aggir.items()}
