"""Demo content: a few residents of the demo EHPAD get a validated DLU.

The first three residents (by name) of the organisme's EHPAD get a DLU prepared from their
record (whatever the other apps' hooks put in it), completed with plausible hand-typed
fields and validated by the EHPAD's médecin; the third one's was validated 13 months ago,
so that the yearly review alert has something to show. The other residents have none (they
appear in the "DLU à revoir" list, as in a real EHPAD starting to use the software).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dui.structures.models import CategorieEtablissement, OrganismeGestionnaire

DIRECTIVES = [
    ("oui", "Classeur de soins, bureau infirmier", "non"),
    ("non", "", "non"),
    ("oui", "Chez la personne de confiance (copie au dossier)", "oui"),
]


def populate(organisme: OrganismeGestionnaire, rng: random.Random, today: datetime.date) -> None:
    from dui.comptes.models import Affectation
    from dui.dlu import services
    from dui.dlu.models import DLU
    from dui.structures.models import Etablissement
    from dui.usagers.models import Usager

    ehpad = (
        Etablissement.objects.filter(organisme=organisme, categorie=CategorieEtablissement.EHPAD)
        .order_by("pk")
        .first()
    )
    if ehpad is None:
        return
    medecin = next(
        (
            a.user
            for a in Affectation.objects.filter(
                etablissement=ehpad, role__code="medecin", actif=True
            ).select_related("user")
        ),
        None,
    )
    if medecin is None:
        return
    residents = list(
        Usager.objects.filter(
            prises_en_charge__etablissement=ehpad, prises_en_charge__date_fin=None
        )
        .distinct()
        .order_by("nom_naissance", "prenoms_naissance")[:3]
    )
    for i, usager in enumerate(residents):
        dlu = services.demarrer(actor=medecin, usager=usager, today=today)
        redigees, lieu, palliatif = DIRECTIVES[i % len(DIRECTIVES)]
        d: dict[str, Any] = {k: dict(v) for k, v in dlu.donnees.items() if k != "_source"}
        d["etablissement"].update(
            telephone_24h="01 43 00 00 00", medecin_coordonnateur=str(medecin)
        )
        d["etablissement_sante"].update(
            nom="Hôpital Saint-Antoine (AP-HP)", telephone="01 49 28 20 00"
        )
        d["directives_anticipees"].update(redigees=redigees, lieu=lieu, soins_palliatifs=palliatif)
        d["communication"].update(
            peut_alerter=rng.choice(["oui", "non"]),
            oriente=rng.choice(["oui", "non"]),
            deficit_auditif=rng.choice(["oui", "non", ""]),
        )
        d["mobilite"].update(
            chute=rng.choice(["oui", "non"]),
            deplacements=rng.choice(["Seule", "Avec un déambulateur", "Fauteuil roulant"]),
        )
        d["dispositifs"].update(lunettes="oui", prothese_dentaire=rng.choice(["oui", "non"]))
        d["risques_infectieux"].update(bmr="non")
        d["annexes"].update(dlu_009="oui", dlu_011="oui")
        dlu = services.enregistrer(actor=medecin, dlu=dlu, donnees=d, expected_version=dlu.version)
        dlu = services.valider(actor=medecin, dlu=dlu, expected_version=dlu.version)
        if i == 2:
            # An overdue review, for the alert of the demo.
            DLU.objects.filter(pk=dlu.pk).update(
                valide_le=timezone.now() - datetime.timedelta(days=services.REVUE_JOURS + 30)
            )
