"""Reads of persons go through here, built on the one policy: out of scope answers 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from dui.comptes import policy
from dui.usagers.models import Usager


def usager_get_for(user: Any, usager_id: int) -> Usager:
    """The person if the user may open their record; Http404 otherwise (existence hidden)."""
    usager = Usager.objects.filter(pk=usager_id).first()
    if usager is None or not policy.allows(user, "usager.view", usager):
        raise Http404("Personne introuvable ou hors de votre périmètre.")
    return usager
