"""Creating a person together with their first stay, and the automated INSi records
(retry after an outage, periodic re-verification). One transaction each, journaled."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.interop.ins.schemas import ResultatINSi
from dui.usagers.identite import IdentiteError, PrecisionDate
from dui.usagers.models import EvenementIdentite, PriseEnCharge, Usager
from dui.usagers.services import _locked, usager_create


def usager_create_with_stay(
    *,
    user: Any,
    etablissement: Any,
    date_admission: datetime.date,
    type_prise_en_charge: str,
    unite: Any = None,
    nom_naissance: str,
    prenoms_naissance: str,
    date_naissance: datetime.date,
    sexe: str,
    lieu_naissance_insee: str = "",
    nom_utilise: str = "",
    prenom_utilise: str = "",
    date_naissance_precision: str = PrecisionDate.JOUR,
    differente_de: frozenset[int] = frozenset(),
    motif_differente: str = "",
    request: HttpRequest | None = None,
) -> tuple[Usager, PriseEnCharge]:
    """Create a person (duplicate check of usager_create) and their first stay in the
    établissement, in one transaction: a person is never created without the stay that
    puts them in someone's scope."""
    if unite is not None and unite.etablissement_id != etablissement.pk:
        raise IdentiteError("Cette unité n'appartient pas à l'établissement courant.")
    with transaction.atomic():
        usager = usager_create(
            user=user,
            organisme=etablissement.organisme,
            nom_naissance=nom_naissance,
            prenoms_naissance=prenoms_naissance,
            date_naissance=date_naissance,
            sexe=sexe,
            lieu_naissance_insee=lieu_naissance_insee,
            nom_utilise=nom_utilise,
            prenom_utilise=prenom_utilise,
            date_naissance_precision=date_naissance_precision,
            differente_de=differente_de,
            motif_differente=motif_differente,
            request=request,
        )
        sejour = PriseEnCharge.objects.create(
            usager=usager,
            etablissement=etablissement,
            unite=unite,
            type=type_prise_en_charge,
            date_debut=date_admission,
            admis_par=user,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=sejour,
            usager=usager,
            etablissement=etablissement,
            details={"type": type_prise_en_charge, "unite_id": unite.pk if unite else None},
        )
    return usager, sejour


def identite_record_insi_relance(
    *, usager: Usager, resultat: ResultatINSi, tentative: int
) -> EvenementIdentite:
    """Record the answer of an automatic retry after an INSi outage. Nothing else changes:
    a person must still compare and accept the traits on the comparison page."""
    with transaction.atomic():
        current = _locked(usager, None)
        event = EvenementIdentite.objects.create(
            usager=current,
            user=None,
            type=EvenementIdentite.Type.INSI,
            statut_avant=current.statut_identite,
            statut_apres=current.statut_identite,
            motif=resultat.libelle_cr,
            details={"code_cr": resultat.code_cr, "tache": "relance", "tentative": tentative},
        )
        audit.record(
            action=AuditAction.UPDATE,
            obj=current,
            usager=current,
            actor_label="tâche : relance INSi",
            details={"insi": resultat.code_cr, "tache": "relance"},
        )
    return event


def identite_record_insi_verification(*, usager: Usager, resultat: ResultatINSi) -> Usager:
    """Record a re-verification that confirmed a qualified identity (date of the last call,
    and an event in its history)."""
    with transaction.atomic():
        current = _locked(usager, usager.version)
        current.ins_interroge_le = timezone.now()
        current.save(update_fields=["ins_interroge_le"])
        EvenementIdentite.objects.create(
            usager=current,
            user=None,
            type=EvenementIdentite.Type.INSI,
            statut_avant=current.statut_identite,
            statut_apres=current.statut_identite,
            motif="Vérification INSi : identité confirmée",
            details={"code_cr": resultat.code_cr, "tache": "verification"},
        )
        audit.record(
            action=AuditAction.UPDATE,
            obj=current,
            usager=current,
            actor_label="tâche : vérification INSi",
            details={"insi": resultat.code_cr, "tache": "verification"},
        )
    return current
