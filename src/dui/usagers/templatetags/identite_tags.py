"""Template helpers of the identity journey."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def may_create_usager(context: Any) -> bool:
    """May the user create a person in the current établissement (administrative write)?"""
    from dui.usagers.views_identite import may_create_usager

    request = context.get("request")
    if request is None:
        return False
    return may_create_usager(request.user, getattr(request, "etablissement", None))
