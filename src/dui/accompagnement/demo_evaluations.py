"""Demo content: a few persons get evaluations over a year, so the evaluations tab shows its
charts: Braden and Morse by a nurse (any établissement with one), SERAFIN-PH needs by an
educator in disability services, and one administrator-defined grid, published and used."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dui.accompagnement import grilles, services
from dui.accompagnement.grilles_data import CATEGORIES_HANDICAP
from dui.accompagnement.models import Grille
from dui.comptes.models import Affectation
from dui.usagers.models import PriseEnCharge

# Answers of successive evaluations (oldest first): the person's risk decreases over time.
BRADEN = [
    {"perception": "2", "humidite": "2", "activite": "1", "mobilite": "2", "nutrition": "2",
     "friction": "1"},
    {"perception": "3", "humidite": "3", "activite": "2", "mobilite": "2", "nutrition": "3",
     "friction": "2"},
    {"perception": "3", "humidite": "3", "activite": "3", "mobilite": "3", "nutrition": "3",
     "friction": "2"},
]  # fmt: skip
MORSE = [
    {"antecedent": "2", "diagnostic": "2", "aide_marche": "2", "perfusion": "1", "demarche": "3",
     "etat_mental": "2"},
    {"antecedent": "2", "diagnostic": "2", "aide_marche": "2", "perfusion": "1", "demarche": "2",
     "etat_mental": "1"},
    {"antecedent": "1", "diagnostic": "2", "aide_marche": "2", "perfusion": "1", "demarche": "2",
     "etat_mental": "1"},
]  # fmt: skip
SERAFIN = [
    {
        "1.1.1": {"present": True, "intensite": 2, "commentaire": "Suivi psychiatrique"},
        "1.2.1.2": {"present": True, "intensite": 3, "commentaire": "Communication adaptée"},
        "1.2.1.4": {"present": True, "intensite": 2, "commentaire": ""},
        "1.3.3.1": {"present": True, "intensite": 3, "commentaire": "Scolarité en ULIS"},
    },
    {
        "1.1.1": {"present": True, "intensite": 1, "commentaire": ""},
        "1.2.1.2": {
            "present": True,
            "intensite": 2,
            "commentaire": "Progrès avec les pictogrammes",
        },
        "1.3.3.1": {"present": True, "intensite": 2, "commentaire": ""},
    },
]
GRILLE_ADMIN = {
    "libelle": "Suivi de l'appétit et du sommeil",
    "categorie": "soins",
    "description": "Repérage simple, à refaire chaque mois.",
    "questions": "Appétit\n- Bon = 0\n- Diminué = 1\n- Absent = 2\n"
    "Sommeil\n- Reposant = 0\n- Agité = 1\n- Très perturbé = 2",
    "bandes": "0-1 = Pas d'inquiétude\n2-4 = À surveiller",
}


def _first_user(organisme: Any, role: str) -> dict[int, Any]:
    """The first active account with `role` in each établissement of the organisme."""
    found: dict[int, Any] = {}
    for a in (
        Affectation.objects.filter(etablissement__organisme=organisme, role__code=role, actif=True)
        .select_related("user")
        .order_by("pk")
    ):
        found.setdefault(a.etablissement_id, a.user)
    return found


def _series(stay: Any, actor: Any, grille: Grille, answers: list[Any], today: Any) -> None:
    """Signed evaluations about five months apart, none before the admission."""
    for index, values in enumerate(answers):
        months = (len(answers) - 1 - index) * 5
        evaluation = services.evaluation_create(
            actor=actor,
            usager=stay.usager,
            grille=grille,
            date=max(today - datetime.timedelta(days=30 * months), stay.date_debut),
            answers=values,
        )
        services.evaluation_sign(actor=actor, evaluation=evaluation)


def populate(organisme: Any, rng: random.Random, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    nurses = _first_user(organisme, "infirmier")
    educators = _first_user(organisme, "educatif")
    admins = _first_user(organisme, "administrateur")
    braden, morse = Grille.objects.get(code="braden"), Grille.objects.get(code="morse")
    serafin = Grille.objects.get(code="serafin")
    admin_grid_done = False
    for etab_id, nurse in nurses.items():
        stays = list(
            PriseEnCharge.objects.filter(etablissement_id=etab_id, date_fin__isnull=True)
            .select_related("usager", "etablissement")
            .order_by("pk")[:2]
        )
        for stay in stays:
            _series(stay, nurse, braden, BRADEN, today)
            _series(stay, nurse, morse, MORSE, today)
        if stays and not admin_grid_done and etab_id in admins:
            grille = grilles.grille_create(
                actor=admins[etab_id], etablissement=stays[0].etablissement, **GRILLE_ADMIN
            )
            grille = grilles.grille_publish(actor=admins[etab_id], grille=grille)
            _series(
                stays[0], nurse, grille, [{"q1": "2", "q2": "3"}, {"q1": "1", "q2": "2"}], today
            )
            admin_grid_done = True
    for etab_id, educator in educators.items():
        stays = (
            PriseEnCharge.objects.filter(
                etablissement_id=etab_id,
                etablissement__categorie__in=CATEGORIES_HANDICAP,
                date_fin__isnull=True,
            )
            .select_related("usager")
            .order_by("pk")[:2]
        )
        for stay in stays:
            _series(stay, educator, serafin, SERAFIN, today)
