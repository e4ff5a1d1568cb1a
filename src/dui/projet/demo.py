"""Demo content: a few persons of the EHPAD and the IME get a projet personnalisé at various
steps (recueil, co-construction, signed and applied, under revision), coordinated by the
demo IDEC or educator. Everyone else admitted more than 6 months ago shows in the due list."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dui.comptes.models import Affectation
from dui.projet import services
from dui.usagers.models import MembreEquipe, PriseEnCharge

# Roles that coordinate the demo projects, per établissement (first one found wins).
COORDINATEURS = ("infirmier", "educatif")

RECUEIL = {
    "paroles_personne": "J'aimerais continuer à sortir un peu, et qu'on m'appelle par mon "
    "prénom. Le soir, je n'aime pas le bruit.",
    "projet_de_vie_personne": "Rester proche de ma famille et garder mes petites habitudes.",
    "paroles_entourage": "Sa fille souhaite qu'elle garde le contact avec ses amies du quartier.",
    "observations_equipe": "Participe volontiers aux activités du matin ; fatigable l'après-midi.",
}
ATTENTES = [
    {
        "formulation_personne": "Aller au marché le samedi",
        "exprimee_par": "personne",
        "reformulation": "Maintenir une sortie hebdomadaire accompagnée",
    },
    {
        "formulation_personne": "Avoir des nouvelles de mes petits-enfants",
        "exprimee_par": "personne",
        "reformulation": "Faciliter les liens familiaux (appels vidéo)",
    },
]
BESOINS = [
    {"libelle": "Se déplacer à l'extérieur", "code_serafin": "", "commentaire": ""},
    {"libelle": "Relations avec la famille", "code_serafin": "", "commentaire": ""},
]


def _objectifs(today: datetime.date) -> list[dict[str, Any]]:
    return [
        {
            "domaine": "loisirs",
            "formulation_personne": "Je veux aller au marché",
            "formulation_professionnelle": "Une sortie accompagnée au marché chaque samedi",
            "indicateurs": "Nombre de sorties par mois ; satisfaction exprimée",
            "echeance": (today + datetime.timedelta(days=180)).isoformat(),
            "statut": "actif",
        },
        {
            "domaine": "relations",
            "formulation_personne": "Parler à mes petits-enfants",
            "formulation_professionnelle": "Un appel vidéo par semaine avec la famille",
            "indicateurs": "Appels réalisés",
            "echeance": (today + datetime.timedelta(days=90)).isoformat(),
            "statut": "actif",
        },
    ]


ACTIONS = [
    {
        "objectif": "1",
        "nature": "action",
        "libelle": "Accompagner au marché",
        "qui_type": "professionnel",
        "qui": "Animatrice",
        "quand": "Le samedi matin",
        "frequence": "Chaque semaine",
        "statut": "en_cours",
    },
    {
        "objectif": "2",
        "nature": "moyen",
        "libelle": "Tablette pour les appels vidéo",
        "qui_type": "proche",
        "qui": "Sa fille",
        "quand": "Le dimanche",
        "frequence": "Chaque semaine",
        "statut": "a_faire",
    },
]


def _save(actor: Any, projet: Any, section: str, values: Any) -> Any:
    return services.section_save(
        actor=actor, projet=projet, section=section, values=values, expected_version=projet.version
    )


def _step(actor: Any, projet: Any, *etapes: str) -> Any:
    for vers in etapes:
        projet = services.projet_transition(
            actor=actor, projet=projet, vers=vers, expected_version=projet.version
        )
    return projet


def _build(actor: Any, usager: Any, stage: int, today: datetime.date) -> None:
    projet = services.projet_ouvrir(actor=actor, usager=usager)
    projet = _save(actor, projet, "recueil", RECUEIL)
    projet = _save(actor, projet, "attentes", ATTENTES)
    if stage == 0:
        return
    projet = _step(actor, projet, "analyse")
    projet = _save(actor, projet, "besoins", BESOINS)
    projet = _step(actor, projet, "co_construction")
    projet = _save(actor, projet, "objectifs", _objectifs(today))
    projet = _save(actor, projet, "actions", ACTIONS)
    projet = services.participants_save(
        actor=actor,
        projet=projet,
        personne=True,
        proche_ids=[],
        professionnel_ids=[actor.pk],
        autres="",
        referent_id=actor.pk,
        expected_version=projet.version,
    )
    if stage == 1:
        return
    services.projet_signer(
        actor=actor,
        projet=projet,
        expected_version=projet.version,
        personne_qualite="personne",
        representant_id=None,
        personne_signe_le=today,
        personne_moyen="manuscrite",
    )
    projet.refresh_from_db()
    if stage == 2:
        return
    projet = _step(actor, projet, "suivi")
    _save(
        actor,
        projet,
        "bilan",
        {
            "date_bilan": today.isoformat(),
            "bilan_personne": "Le marché, ça me fait du bien.",
            "bilan_equipe": "Sorties régulières ; les appels vidéo restent à mettre en place.",
        },
    )


def populate(organisme: Any, rng: random.Random, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    # One query for the coordinators of every établissement (the query count of the demo
    # must not grow with the number of établissements).
    coordinators: dict[int, Any] = {}
    rank = {code: i for i, code in enumerate(COORDINATEURS)}
    for a in sorted(
        Affectation.objects.filter(
            etablissement__organisme=organisme, role__code__in=COORDINATEURS, actif=True
        ).select_related("user", "role", "etablissement"),
        key=lambda a: (rank[a.role.code], a.pk),
    ):
        coordinators.setdefault(a.etablissement_id, (a.etablissement, a.user))
    for etab, coordinator in coordinators.values():
        stays = list(
            PriseEnCharge.objects.filter(
                etablissement=etab, date_fin__isnull=True, date_debut__lte=today
            )
            .select_related("usager")
            .order_by("pk")[:4]
        )
        for stage, stay in enumerate(stays):
            MembreEquipe.objects.filter(
                usager=stay.usager, etablissement=etab, is_referent=True
            ).update(is_referent=False)
            MembreEquipe.objects.update_or_create(
                usager=stay.usager,
                user=coordinator,
                etablissement=etab,
                defaults={"is_referent": True, "date_fin": None},
            )
            _build(coordinator, stay.usager, stage, today)
