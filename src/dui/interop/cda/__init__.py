"""CDA R2 documents after the CI-SIS: header (structuration minimale), level 1 PDF/A bodies,
the DLU level 3 body, and validation (official XSD + header rules).

Entry points (contract "cda"): `generer`, `valider`, `header.lire_entete`.
"""

from __future__ import annotations

from typing import Any

KINDS = (
    "dlu",
    "fiche_transfert",
    "projet_personnalise",
    "evaluation",
    "lettre_entree",
    "lettre_sortie",
)


def generer(kind: str, usager: Any, user: Any, **source: Any) -> Any:
    """See dui.interop.cda.generation.generer."""
    from dui.interop.cda.generation import generer as _generer

    return _generer(kind, usager, user, **source)


def valider(cda: bytes, *, usager: Any = None) -> list[str]:
    """See dui.interop.cda.validation.valider."""
    from dui.interop.cda.validation import valider as _valider

    return _valider(cda, usager=usager)


__all__ = ["KINDS", "generer", "valider"]
