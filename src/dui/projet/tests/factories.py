"""Helpers to build projects in tests (and in the policy matrix)."""

from __future__ import annotations

import datetime
from typing import Any

from dui.projet import services
from dui.projet.models import ProjetPersonnalise, VersionProjet

OBJECTIF = {
    "domaine": "relations",
    "formulation_personne": "Je veux revoir ma sœur",
    "formulation_professionnelle": "Maintenir les liens familiaux",
    "indicateurs": "Une visite par mois",
    "echeance": "2026-12-31",
    "statut": "actif",
}


def projet_ouvert(actor: Any, usager: Any) -> ProjetPersonnalise:
    return services.projet_ouvrir(actor=actor, usager=usager)


def avancer(actor: Any, projet: ProjetPersonnalise, *etapes: str) -> ProjetPersonnalise:
    for vers in etapes:
        projet = services.projet_transition(
            actor=actor, projet=projet, vers=vers, expected_version=projet.version
        )
    return projet


def avec_objectif(actor: Any, projet: ProjetPersonnalise, **changes: Any) -> ProjetPersonnalise:
    return services.section_save(
        actor=actor,
        projet=projet,
        section="objectifs",
        values=[{**OBJECTIF, **changes}],
        expected_version=projet.version,
    )


def signer(
    actor: Any, projet: ProjetPersonnalise, le: datetime.date | None = None
) -> VersionProjet:
    from django.utils import timezone

    return services.projet_signer(
        actor=actor,
        projet=projet,
        expected_version=projet.version,
        personne_qualite="personne",
        representant_id=None,
        personne_signe_le=le or timezone.localdate(),
        personne_moyen="manuscrite",
    )


def projet_signe(actor: Any, usager: Any) -> tuple[ProjetPersonnalise, VersionProjet]:
    """A project signed once by `actor` (who must be the person's référent)."""
    projet = projet_ouvert(actor, usager)
    projet = avancer(actor, projet, "analyse", "co_construction")
    projet = avec_objectif(actor, projet)
    version = signer(actor, projet)
    projet.refresh_from_db()
    return projet, version


def matrix_args(w: Any, kind: str) -> list[Any]:
    """URL arguments for the policy matrix: a project signed once by an infirmier référent."""
    from conftest import make_pro
    from dui.usagers.tests.factories import MembreEquipeFactory

    pro = make_pro(w.etab, "infirmier")
    MembreEquipeFactory(usager=w.usager, user=pro, etablissement=w.etab, is_referent=True)
    projet, version = projet_signe(pro, w.usager)
    projet = avancer(pro, projet, "suivi")
    if kind == "projet":
        return [w.usager.pk, projet.pk]
    if kind == "section":
        return [w.usager.pk, projet.pk, "attentes"]
    return [w.usager.pk, projet.pk, version.numero]
