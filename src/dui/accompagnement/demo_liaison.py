"""Demo content: transmissions and the cahier de liaison.

In the EHPAD, a few notes of the last hours (one urgent) fill the handover view; in the
home-care service, two partners under convention and three persons whose notes are shared
with them and with the person and aidants (one sharing withdrawn, to show the trace).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from dui.accompagnement import liaison, transmissions
from dui.comptes.models import Affectation
from dui.structures.models import CategorieEtablissement
from dui.usagers.models import MembreEquipe, PriseEnCharge

EHPAD_NOTES = [
    ("vie_quotidienne", "A bien dormi, levée à 7 h 30. Petit déjeuner pris en entier.", False),
    ("soins", "Pansement du talon gauche refait, plaie propre.", False),
    ("vie_quotidienne", "Chute sans gravité dans la salle de bains, surveiller cette nuit.", True),
]
DOMICILE_NOTES = [
    "Passage de 8 h : toilette faite, petit déjeuner pris. Frigo à compléter.",
    "Passage de 12 h : repas pris à moitié, n'aime pas le poisson.",
    "Passage de 18 h : coucher sans difficulté, pilulier du soir vide.",
]
PARTENAIRES = [
    ("SSIAD Lyon Est", "73282932000074", "Mme Perrin, infirmière coordinatrice", "04 72 00 00 01"),
    ("Cabinet infirmier des Lumières", "", "M. Garnier", "04 72 00 00 02"),
]


def _writer(etab: Any, roles: tuple[str, ...]) -> Any:
    affectation = (
        Affectation.objects.filter(etablissement=etab, actif=True, role__code__in=roles)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return affectation.user if affectation else None


def populate(organisme: Any, rng: random.Random, today: datetime.date) -> None:
    stays = PriseEnCharge.objects.filter(
        etablissement__organisme=organisme, date_fin__isnull=True
    ).select_related("etablissement", "usager")
    ehpad = stays.filter(etablissement__categorie=CategorieEtablissement.EHPAD).order_by("pk")
    first = ehpad.first()
    if first is not None:
        soignant = _writer(first.etablissement, ("soignant", "infirmier"))
        for stay, (categorie, texte, urgent) in zip(
            ehpad.filter(etablissement=first.etablissement)[:3], EHPAD_NOTES, strict=False
        ):
            if soignant is not None:
                transmissions.transmission_create(
                    actor=soignant,
                    usager=stay.usager,
                    etablissement=stay.etablissement,
                    categorie=categorie,
                    type="libre",
                    texte=texte,
                    is_urgent=urgent,
                )

    domicile = stays.filter(etablissement__categorie__in=CategorieEtablissement.domicile())
    sad_stay = domicile.order_by("pk").first()
    if sad_stay is None:
        return
    sad = sad_stay.etablissement
    manager = _writer(sad, ("chef_service", "direction"))
    if manager is None:
        return
    partners = []
    for nom, siret, contact, telephone in PARTENAIRES:
        partners.append(
            liaison.partenaire_save(
                actor=manager,
                etablissement=sad,
                data={
                    "nom": nom,
                    "siret": siret or "",
                    "finess": "" if siret else "690000013",
                    "convention_debut": today - datetime.timedelta(days=400),
                    "convention_fin": None,
                    "contact_nom": contact,
                    "contact_telephone": telephone,
                },
            )
        )
    # The home-care worker writes about the persons assigned to them.
    team = (
        MembreEquipe.objects.filter(etablissement=sad, user__affectations__etablissement=sad)
        .filter(user__affectations__role__code="intervenant_domicile")
        .select_related("user", "usager")
        .order_by("pk")
    )
    for done, membre in enumerate(team[:3]):
        for i, texte in enumerate(DOMICILE_NOTES):
            note = transmissions.transmission_create(
                actor=membre.user,
                usager=membre.usager,
                etablissement=sad,
                categorie="vie_quotidienne",
                type="libre",
                texte=texte,
                partage_cahier_liaison=True,
            )
            partage = liaison.transmission_share(
                actor=membre.user,
                transmission=note,
                destinataire="partenaire",
                partenaire=partners[i % len(partners)],
            )
            if i == 2 and done == 0:
                liaison.transmission_unshare(
                    actor=membre.user, partage=partage, motif="Partagée par erreur avec ce service"
                )
