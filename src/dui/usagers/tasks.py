"""Background INSi work (django-tasks): retry after an outage, periodic re-verification of
qualified identities. Automated events have no user (EvenementIdentite.user is None)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from dui.interop import http
from dui.interop.ins import client
from dui.interop.ins.schemas import INSiFault, TraitsRecherche
from dui.usagers.identite import IdentiteError, StatutIdentite, may_call_insi
from dui.usagers.models import Usager
from dui.usagers.services import identite_downgrade
from dui.usagers.services_nouveau import (
    identite_record_insi_relance,
    identite_record_insi_verification,
)

logger = logging.getLogger("dui.usagers.tasks")

MAX_TENTATIVES = 5
RELANCE_DELAI = datetime.timedelta(minutes=15)


def traits_recherche(usager: Usager, *, tous_prenoms: bool = False) -> TraitsRecherche:
    """What INSi is asked for this person: the first birth first name (or all of them),
    and the birthplace when it is known."""
    lieu = usager.lieu_naissance_insee
    return TraitsRecherche(
        nom_naissance=usager.nom_naissance,
        prenom=usager.prenoms_naissance if tous_prenoms else usager.premier_prenom,
        sexe=usager.sexe,
        date_naissance=usager.date_naissance,
        lieu_naissance="" if lieu == "99999" else lieu,
    )


def schedule_insi_retry(usager_id: int, user_id: int | None, tentative: int = 1) -> Any:
    """Enqueue a retry, later when the backend can defer (database backend)."""
    target = insi_retry
    if target.get_backend().supports_defer:
        target = target.using(run_after=timezone.now() + RELANCE_DELAI * tentative)
    return target.enqueue(usager_id, user_id, tentative)


@task()
def insi_retry(usager_id: int, user_id: int | None, tentative: int = 1) -> str:
    """Retry an INSi search that failed because the teleservice was unavailable; record its
    return code in the history. The user still accepts a found identity on the comparison
    page. Reschedules itself (up to MAX_TENTATIVES) while INSi stays unavailable."""
    usager = Usager.objects.filter(pk=usager_id, fusionne_dans__isnull=True).first()
    if usager is None or usager.archive_le is not None or not may_call_insi(usager):
        return "abandon"
    try:
        resultat = client.rechercher_par_traits(traits_recherche(usager))
    except (http.ServiceUnavailable, INSiFault):
        if tentative < MAX_TENTATIVES:
            schedule_insi_retry(usager_id, user_id, tentative + 1)
            return "reprogrammee"
        logger.warning("INSi injoignable après %s tentatives (usager %s)", tentative, usager_id)
        return "echec"
    identite_record_insi_relance(usager=usager, resultat=resultat, tentative=tentative)
    return resultat.code_cr


def reverify_days() -> int:
    return int(getattr(settings, "INSI_REVERIFY_DAYS", 365))


def identites_a_reverifier(batch: int) -> list[Usager]:
    """Qualified identities whose last INSi call is older than the re-verification delay."""
    limite = timezone.now() - datetime.timedelta(days=reverify_days())
    return list(
        Usager.objects.filter(
            Q(ins_interroge_le__isnull=True) | Q(ins_interroge_le__lt=limite),
            statut_identite=StatutIdentite.QUALIFIEE,
            identite_douteuse=False,
            identite_fictive=False,
            fusionne_dans__isnull=True,
            archive_le__isnull=True,
        ).order_by("ins_interroge_le", "pk")[:batch]
    )


def reverifier(batch: int = 200) -> dict[str, int]:
    """Verify a batch of qualified identities with INSi. One whose INS is no longer
    confirmed goes back to validée (the document check stays, the INS is removed); when INSi
    does not answer, the identity is left as it is and counted."""
    counts = {"verifiees": 0, "conformes": 0, "declassees": 0, "injoignable": 0, "conflits": 0}
    for usager in identites_a_reverifier(batch):
        counts["verifiees"] += 1
        try:
            verification = client.verifier(
                matricule=usager.matricule_ins,
                traits=traits_recherche(usager, tous_prenoms=True),
            )
        except (http.ServiceUnavailable, INSiFault):
            counts["injoignable"] += 1
            continue
        try:
            if verification.conforme:
                identite_record_insi_verification(usager=usager, resultat=verification.resultat)
                counts["conformes"] += 1
            else:
                identite_downgrade(
                    user=None,
                    usager=usager,
                    cible=StatutIdentite.VALIDEE,
                    motif="Vérification INSi : " + ", ".join(verification.ecarts),
                    expected_version=usager.version,
                )
                counts["declassees"] += 1
        except IdentiteError:
            # Changed by someone in the meantime: verified again on the next run.
            counts["conflits"] += 1
    return counts


@task()
def insi_reverifier_identites_qualifiees(batch: int = 200) -> dict[str, int]:
    """Background form of `reverifier` (manage.py insi_reverifier --enqueue)."""
    return reverifier(batch)
