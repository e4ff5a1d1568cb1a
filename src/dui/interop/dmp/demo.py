"""Demo DMP consent records: the first residents of the demo EHPAD were informed of the DMP
(one by their legal representative), one of them opposed it; enough to show the tab's states.
"""

from __future__ import annotations

import datetime
import random

from dui.comptes.models import Affectation
from dui.interop.models import ConsentementDMP, TypeConsentementDMP
from dui.structures.models import CategorieEtablissement, OrganismeGestionnaire
from dui.usagers.models import PriseEnCharge


def populate(organisme: OrganismeGestionnaire, rng: random.Random, today: datetime.date) -> None:
    sejours = list(
        PriseEnCharge.objects.filter(
            etablissement__organisme=organisme,
            etablissement__categorie=CategorieEtablissement.EHPAD,
            date_fin__isnull=True,
        )
        .select_related("usager", "etablissement")
        .order_by("pk")[:4]
    )
    if not sejours:
        return
    affectation = (
        Affectation.objects.filter(
            etablissement=sejours[0].etablissement, role__code="infirmier", actif=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if affectation is None:
        return
    user = affectation.user
    par = f"{user.prenom} {user.nom}"
    for index, sejour in enumerate(sejours):
        informe_le = max(sejour.date_debut, today - datetime.timedelta(days=rng.randint(5, 200)))
        ConsentementDMP.objects.create(
            usager=sejour.usager,
            type=TypeConsentementDMP.INFORMATION,
            date=informe_le,
            destinataire="representant" if index == 2 else "personne",
            moyen="livret" if index % 2 else "oral",
            par=par,
            enregistre_par=user,
        )
        if index == 1:
            ConsentementDMP.objects.create(
                usager=sejour.usager,
                type=TypeConsentementDMP.OPPOSITION,
                date=informe_le,
                motif="Ne souhaite pas que ses documents soient partagés.",
                enregistre_par=user,
            )
