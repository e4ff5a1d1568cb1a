"""What every page's shell needs: the user's établissements and role-based navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dui.comptes import policy


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE}
    if user is None or not user.is_authenticated or not user.is_verified():
        return context
    rights = policy.droits(user)
    current = getattr(request, "etablissement", None)
    current_rights = rights.get(current.pk) if current else None
    context.update(
        {
            "mes_etablissements": policy.etablissements(user),
            "etablissement_courant": current,
            "role_courant": current_rights.role if current_rights else None,
            "nav": {
                "usagers": bool(current_rights and "administratif" in current_rights.lecture),
                "administration": policy.may_administer(user),
                "journal": policy.may_read_journal(user),
                "bris_de_glace": policy.may_break_glass(user),
            },
        }
    )
    return context
