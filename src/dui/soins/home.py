"""Home page block and navigation flag of the medication round (registered in dui.ui)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from dui.soins import tournee


def traces_here(request: HttpRequest) -> bool:
    """The nav entry: those who trace care (soins write) in the current établissement."""
    user = getattr(request, "user", None)
    etab = getattr(request, "etablissement", None)
    return bool(user is not None and tournee.writes_soins_in(user, etab))


def bloc_tournee(request: HttpRequest) -> Any:
    """Doses of today's ended slots that nobody traced, for the care roles."""
    from dui.ui.views import HomeBlock

    etab = getattr(request, "etablissement", None)
    if not tournee.writes_soins_in(request.user, etab):
        return None
    return HomeBlock(
        key="tournee",
        titre="Doses non tracées aujourd'hui",
        texte="Doses des créneaux terminés qui n'ont été tracées ni données ni non données.",
        compte=len(tournee.non_tracees(request.user, etab)),
        liens=[
            ("Ouvrir la tournée des médicaments", reverse("soins:tournee")),
            ("Voir les doses non tracées", reverse("soins:doses_non_tracees")),
        ],
    )
