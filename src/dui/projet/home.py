"""Home page block and navigation flag of the projet personnalisé (registered in dui.ui)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from dui.projet import services


def coordinates_here(request: HttpRequest) -> bool:
    """The nav entry: those who coordinate projects in the current établissement."""
    user = getattr(request, "user", None)
    etab = getattr(request, "etablissement", None)
    return bool(user is not None and services.coordinates_in(user, etab))


def bloc_projets(request: HttpRequest) -> Any:
    from dui.ui.views import HomeBlock

    etab = getattr(request, "etablissement", None)
    if not services.coordinates_in(request.user, etab):
        return None
    return HomeBlock(
        key="projets",
        titre="Projets personnalisés à échéance",
        texte="Premiers projets et révisions annuelles en retard ou dans les 60 jours.",
        compte=services.projets_a_echeance_count(etab),
        liens=[("Voir les échéances", reverse("projet:echeances"))],
    )
