"""Reads of DLU versions for other apps (no journaling here: callers journal their read)."""

from __future__ import annotations

from typing import Any

from dui.dlu.models import DLU, StatutDLU


def dlu_courant(usager: Any) -> DLU | None:
    """The person's latest validated DLU version, or None."""
    return (
        DLU.objects.filter(usager=usager, statut=StatutDLU.VALIDE)
        .select_related("etablissement", "valide_par")
        .order_by("-numero")
        .first()
    )


def brouillon(usager: Any) -> DLU | None:
    """The person's draft being prepared, or None."""
    return DLU.objects.filter(usager=usager, statut=StatutDLU.BROUILLON).first()
