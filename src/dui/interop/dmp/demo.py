"""Demo DMP consent records: the first residents of the demo EHPAD were informed of the DMP
(one by their legal representative), one of them opposed it; enough to show the tab's states.
Their identities are qualifiée with demo matricules (OID INS-NIR-DEMO), so that a DLU or a
letter can be sent to the simulated DMP from the demo.
"""

from __future__ import annotations

import datetime
import random

from dui.comptes.models import Affectation, User
from dui.interop.models import ConsentementDMP, TypeConsentementDMP
from dui.structures.models import CategorieEtablissement, OrganismeGestionnaire
from dui.usagers.models import EvenementIdentite, PriseEnCharge, Usager


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
    for sejour in sejours:
        _qualifier_demo(sejour.usager, user)
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


def _qualifier_demo(usager: Usager, user: User) -> None:
    """A qualifiée identity with a demo matricule built from the traits (sex, year and month
    of birth, commune, order), as if INSi had been called and an identity document checked."""
    from dui.interop.ins.matricule import OID_INS_NIR_DEMO, cle
    from dui.usagers.identite import StatutIdentite

    naissance = usager.date_naissance
    lieu = usager.lieu_naissance_insee or "75056"
    corps = f"{'1' if usager.sexe == 'M' else '2'}{naissance:%y%m}{lieu}{usager.pk % 1000:03d}"
    avant = usager.statut_identite
    usager.statut_identite = StatutIdentite.QUALIFIEE
    usager.matricule_ins = f"{corps}{cle(corps):02d}"
    usager.oid_ins = OID_INS_NIR_DEMO
    usager.lieu_naissance_insee = lieu
    usager.justificatif = "CN"
    usager.save()
    EvenementIdentite.objects.create(
        usager=usager,
        user=user,
        type=EvenementIdentite.Type.INSI,
        statut_avant=avant,
        statut_apres=StatutIdentite.QUALIFIEE,
        justificatif="CN",
        haute_confiance=True,
        motif="Données de démonstration : identité qualifiée (INSi simulé).",
    )
