"""Helpers shared by the administration tests."""

from __future__ import annotations

import html

from dui.audit.models import Entree


def last_entry(**filters) -> Entree:
    entry = Entree.objects.filter(**filters).order_by("-seq").first()
    assert entry is not None, f"no audit entry matching {filters}"
    return entry


def page_text(response) -> str:
    """The response body with HTML entities decoded (apostrophes are escaped by templates)."""
    return html.unescape(response.content.decode())
