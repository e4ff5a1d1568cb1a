"""RNIV identity rules: statuses, attributes, allowed transitions, identity documents, and the
one gate through which the matricule INS may leave the DUI.

Statuses (RNIV [EXI SI 07], interop.md §1.4): exactly one of provisoire, récupérée (INSi
without a high-trust document), validée (high-trust document without INSi), qualifiée (both).
A douteuse or fictive identity stays provisoire and is never sent to INSi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

from dui.interop.ins.matricule import INS_OIDS

if TYPE_CHECKING:
    from dui.usagers.models import Usager


class StatutIdentite(models.TextChoices):
    PROVISOIRE = "PROV", "Identité provisoire"
    RECUPEREE = "RECUP", "Identité récupérée"
    VALIDEE = "VALI", "Identité validée"
    QUALIFIEE = "QUAL", "Identité qualifiée"


class Justificatif(models.TextChoices):
    # Codes of FR Core's validationMode where they exist.
    CARTE_IDENTITE = "CN", "Carte nationale d'identité"
    PASSEPORT = "PA", "Passeport"
    TITRE_SEJOUR = "CS", "Titre de séjour"
    CARTE_IDENTITE_ELECTRONIQUE = "eCN", "Carte d'identité électronique"
    LIVRET_FAMILLE = "LF", "Livret de famille"
    ACTE_NAISSANCE = "AN", "Extrait d'acte de naissance"
    CARTE_VITALE = "CV", "Carte Vitale"
    PERMIS_CONDUIRE = "PC", "Permis de conduire"
    AUTRE = "AU", "Autre document"


HIGH_TRUST = {
    Justificatif.CARTE_IDENTITE,
    Justificatif.PASSEPORT,
    Justificatif.TITRE_SEJOUR,
    Justificatif.CARTE_IDENTITE_ELECTRONIQUE,
}


def is_high_trust(justificatif: str) -> bool:
    return justificatif in HIGH_TRUST


class PrecisionDate(models.TextChoices):
    JOUR = "jour", "Date complète"
    MOIS = "mois", "Jour inconnu"
    ANNEE = "annee", "Jour et mois inconnus"


class IdentiteError(Exception):
    """An identity change that the RNIV rules refuse; the message is for people (French)."""


# (from, to) → what makes the change legitimate.
TRANSITIONS: dict[tuple[str, str], str] = {
    (StatutIdentite.PROVISOIRE, StatutIdentite.RECUPEREE): "insi",
    (StatutIdentite.PROVISOIRE, StatutIdentite.VALIDEE): "justificatif",
    (StatutIdentite.RECUPEREE, StatutIdentite.QUALIFIEE): "justificatif",
    (StatutIdentite.VALIDEE, StatutIdentite.QUALIFIEE): "insi",
    # Downgrades: doubt, an INS that INSi no longer confirms, a trait corrected by hand.
    (StatutIdentite.RECUPEREE, StatutIdentite.PROVISOIRE): "declassement",
    (StatutIdentite.VALIDEE, StatutIdentite.PROVISOIRE): "declassement",
    (StatutIdentite.QUALIFIEE, StatutIdentite.PROVISOIRE): "declassement",
    (StatutIdentite.QUALIFIEE, StatutIdentite.VALIDEE): "declassement",
    (StatutIdentite.QUALIFIEE, StatutIdentite.RECUPEREE): "declassement",
}


def check_transition(current: str, target: str, cause: str) -> None:
    if current == target:
        return
    allowed = TRANSITIONS.get((current, target))
    if allowed != cause:
        raise IdentiteError(
            f"Passage de « {StatutIdentite(current).label} » à « {StatutIdentite(target).label} » "
            "non autorisé par le référentiel national d'identitovigilance."
        )


def may_call_insi(usager: Usager) -> bool:
    return not (usager.identite_douteuse or usager.identite_fictive)


@dataclass(frozen=True)
class INSPartage:
    """What a document, message or API may carry to identify the person by their INS."""

    matricule: str
    oid: str
    type_identifiant: str  # INS-NIR, INS-NIA, INS-NIR-TEST…
    nom_naissance: str
    prenoms_naissance: str
    premier_prenom: str
    sexe: str
    date_naissance: str  # AAAA-MM-JJ
    lieu_naissance: str


def ins_for_sharing(usager: Usager) -> INSPartage | None:
    """The INS and its traits, only for a qualifiée identity (RNIV; CI-SIS INS/va1.53).

    Every exchange (DMP, MSSanté, FHIR, documents) asks here: None means "send no INS, only
    local identifiers and traits".
    """
    if usager.statut_identite != StatutIdentite.QUALIFIEE or not usager.matricule_ins:
        return None
    if usager.identite_douteuse or usager.identite_fictive or usager.oid_ins not in INS_OIDS:
        return None
    return INSPartage(
        matricule=usager.matricule_ins,
        oid=usager.oid_ins,
        type_identifiant=INS_OIDS[usager.oid_ins],
        nom_naissance=usager.nom_naissance,
        prenoms_naissance=usager.prenoms_naissance,
        premier_prenom=usager.premier_prenom,
        sexe=usager.sexe,
        date_naissance=usager.date_naissance.isoformat(),
        lieu_naissance=usager.lieu_naissance_insee,
    )
