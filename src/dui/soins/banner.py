"""The allergy banner shown on every page of a person's record to soins readers.

Registered in usagers.access.RECORD_BANNERS by SoinsConfig.ready(), so the usagers app does
not import soins. Costs no query for users who cannot read soins data, and at most two
(active allergies, then the status only if there are none) for those who can, whatever the
number of allergies.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from dui.comptes.models import Categorie
from dui.soins.models import Allergie, AllergieStatut
from dui.usagers.models import Usager


@dataclass(frozen=True)
class AllergyBanner:
    allergies: list[Allergie] = field(default_factory=list)
    # When "no known allergy" was stated (None: not stated).
    aucune_verifiee_le: datetime.datetime | None = None
    template: str = "soins/_allergy_banner.html"

    @property
    def grave(self) -> bool:
        return any(a.grave for a in self.allergies)


def allergy_banner(user: Any, usager: Usager, categories: set[str]) -> AllergyBanner | None:
    """The banner for this user and person, or None if the user does not read soins data."""
    if Categorie.SOINS not in categories:
        return None
    allergies = list(Allergie.objects.filter(usager=usager, actif=True).order_by("substance", "pk"))
    if allergies:
        return AllergyBanner(allergies=allergies)
    statut = AllergieStatut.objects.filter(usager=usager, aucune_connue=True).first()
    return AllergyBanner(aucune_verifiee_le=statut.verifie_le if statut else None)
