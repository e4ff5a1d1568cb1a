"""Helpers shared by the administration tests."""

from __future__ import annotations

from dui.audit.models import Entree


def last_entry(**filters) -> Entree:
    entry = Entree.objects.filter(**filters).order_by("-seq").first()
    assert entry is not None, f"no audit entry matching {filters}"
    return entry
