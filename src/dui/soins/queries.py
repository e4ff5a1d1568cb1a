"""Read-only entry points of the soins app for other apps (the DLU, the CDA documents…).

Nothing here journals: the caller journals its own read of the person's data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from dui.soins.creneaux import posologie_texte
from dui.soins.models import LigneMedicament
from dui.usagers.models import Usager


@dataclass(frozen=True)
class TraitementEnCours:
    medicament: str
    dosage: str
    forme: str
    voie: str
    posologie: str
    si_besoin: bool
    condition: str
    debut: datetime.date
    fin: datetime.date | None
    prescripteur: str
    date_prescription: datetime.date | None


def lignes_actives(jour: datetime.date) -> Q:
    """Medication lines in force on `jour`: started, not ended, not stopped before that day.

    A line stopped on day D is not in force on D: stopping is effective at once, and a line
    replacing it starts on D.
    """
    return (
        Q(debut__lte=jour)
        & (Q(fin__isnull=True) | Q(fin__gte=jour))
        & (Q(arret_le__isnull=True) | Q(arret_le__date__gt=jour))
    )


def lignes_en_cours(usager: Usager, jour: datetime.date | None = None) -> QuerySet[LigneMedicament]:
    jour = jour or timezone.localdate()
    return (
        LigneMedicament.objects.filter(lignes_actives(jour), usager=usager)
        .select_related(
            "prescription",
            "prescription__prescripteur_externe",
            "prescription__prescripteur_interne",
        )
        .order_by("medicament", "pk")
    )


def prescripteur_texte(prescription: object) -> str:
    """The prescriber's name, followed by the RPPS number when known."""
    externe = getattr(prescription, "prescripteur_externe", None)
    interne = getattr(prescription, "prescripteur_interne", None)
    nom, rpps = getattr(prescription, "prescripteur_nom", ""), ""
    if externe is not None:
        nom, rpps = externe.nom, externe.rpps
    elif interne is not None:
        nom = interne.get_full_name() or interne.get_username()
        pro = getattr(interne, "professionnel", None)
        rpps = pro.rpps if pro is not None else ""
    rpps = rpps or getattr(prescription, "prescripteur_rpps", "")
    if nom and rpps:
        return f"{nom} (RPPS {rpps})"
    return nom or (f"RPPS {rpps}" if rpps else "")


def traitement_of(ligne: LigneMedicament) -> TraitementEnCours:
    return TraitementEnCours(
        medicament=ligne.medicament,
        dosage=ligne.dosage,
        forme=ligne.forme,
        voie=ligne.get_voie_display(),
        posologie=posologie_texte(
            ligne.prises,
            ligne.unite_prise,
            si_besoin=ligne.si_besoin,
            condition=ligne.condition,
            max_par_jour=ligne.max_par_jour,
        ),
        si_besoin=ligne.si_besoin,
        condition=ligne.condition,
        debut=ligne.debut,
        fin=ligne.fin,
        prescripteur=prescripteur_texte(ligne.prescription),
        date_prescription=ligne.prescription.date_prescription,
    )


def traitements_en_cours(
    usager: Usager, jour: datetime.date | None = None
) -> list[TraitementEnCours]:
    """The medication lines in force on `jour` (default today), sorted by medicament."""
    return [traitement_of(ligne) for ligne in lignes_en_cours(usager, jour)]
