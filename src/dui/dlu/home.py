"""Home block of care roles: DLU to review in the current établissement."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from dui.dlu import services


def bloc_revue(request: HttpRequest) -> Any:
    """Persons without a validated DLU, or validated over a year ago (None when the
    établissement needs no DLU or the user does not read its soins data)."""
    from dui.dlu.views import reads_soins_in
    from dui.ui.views import HomeBlock

    etab = getattr(request, "etablissement", None)
    if (
        etab is None
        or etab.categorie not in services.CATEGORIES_DLU
        or not reads_soins_in(request.user, etab)
    ):
        return None
    return HomeBlock(
        key="dlu",
        titre="DLU à revoir",
        texte="Personnes sans dossier de liaison d'urgence validé, ou validé il y a plus d'un an.",
        compte=services.a_revoir_queryset(etab, request.user).count(),
        liens=[("Voir la liste", reverse("dlu:revue"))],
    )
