"""Writes of the care plan (planned care: what, how often, when, by whom), of care acts
(done or not done, by whom, when) and of physicians' observations. Nothing is edited in
place: a care is stopped with a reason; an act or an observation is corrected by a new one
pointing at the first, which is kept. Every write is journaled in its transaction.

Rights: the plan and the acts need soins write on the person. Observations are medical data
written by physicians only: medical write and a médecin (by profession or by role).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.soins.creneaux import PAR_CODE
from dui.soins.models import (
    ActeSoin,
    FrequenceSoin,
    Intervenant,
    ObservationMedicale,
    SoinPlanifie,
    TypeObservation,
    TypeSoin,
)
from dui.soins.services import AVANCE_TOLEREE, SoinsError, arreter, clean, motif_requis
from dui.usagers.access import ensure_writable
from dui.usagers.models import Usager

MEDECINS = {"medecin", "medecin_coordonnateur"}


def may_plan(user: Any, usager: Usager) -> bool:
    return policy.allows(user, "usager.soins.write", usager)


def is_medecin(user: Any) -> bool:
    pro = getattr(user, "professionnel", None) if getattr(user, "pk", None) else None
    if pro is not None and pro.profession in MEDECINS:
        return True
    return any(d.role.code == "medecin" for d in policy.droits(user).values())


def may_observe(user: Any, usager: Usager) -> bool:
    return policy.allows(user, "usager.medical.write", usager) and is_medecin(user)


def soin_ajouter(
    *,
    actor: Any,
    usager: Usager,
    type: str,
    frequence: str,
    intervenant: str,
    debut: datetime.date,
    libelle: str = "",
    detail_frequence: str = "",
    moments: list[str] | None = None,
    consignes: str = "",
    fin: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> SoinPlanifie:
    if not may_plan(actor, usager):
        raise SoinsError({"": ["Vous ne pouvez pas modifier le plan de soins de cette personne."]})
    errors: dict[str, list[str]] = {}
    if type not in TypeSoin.values:
        errors["type"] = ["Choisissez le soin."]
    if type == TypeSoin.AUTRE and not clean(libelle):
        errors["libelle"] = ["Précisez le soin."]
    if frequence not in FrequenceSoin.values:
        errors["frequence"] = ["Choisissez la fréquence."]
    if intervenant not in Intervenant.values:
        errors["intervenant"] = ["Indiquez qui réalise le soin."]
    moments = moments or []
    if any(m not in PAR_CODE for m in moments):
        errors["moments"] = ["Moment de la journée inconnu."]
    if fin is not None and fin < debut:
        errors["fin"] = ["La fin ne peut pas précéder le début."]
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        soin = SoinPlanifie.objects.create(
            usager=usager,
            type=type,
            libelle=clean(libelle),
            frequence=frequence,
            detail_frequence=clean(detail_frequence),
            moments=moments,
            intervenant=intervenant,
            consignes=clean(consignes),
            debut=debut,
            fin=fin,
            saisi_par=actor,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=soin,
            usager=usager,
            details={"type": type, "frequence": frequence},
        )
    return soin


def soin_arreter(
    *, actor: Any, soin: SoinPlanifie, motif: str, request: HttpRequest | None = None
) -> SoinPlanifie:
    motif = motif_requis(motif)
    if not may_plan(actor, soin.usager):
        raise SoinsError({"": ["Vous ne pouvez pas modifier le plan de soins de cette personne."]})
    ensure_writable(soin.usager)
    with transaction.atomic():
        current = arreter(
            SoinPlanifie, actor=actor, entry=soin, motif=motif, deja="Ce soin est déjà arrêté."
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager_id=current.usager_id,
            reason=motif,
            details={"arret": True},
        )
    return current


def acte_tracer(
    *,
    actor: Any,
    usager: Usager,
    soin: SoinPlanifie | None = None,
    type: str = "",
    fait: bool = True,
    commentaire: str = "",
    realise_le: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ActeSoin:
    """Trace a care act (from the plan, or not planned); "not done" needs a comment."""
    if not may_plan(actor, usager):
        raise SoinsError({"": ["Vous ne pouvez pas tracer les soins de cette personne."]})
    commentaire = clean(commentaire)
    realise_le = realise_le or timezone.now()
    errors: dict[str, list[str]] = {}
    if soin is not None:
        if soin.usager_id != usager.pk:
            raise SoinsError({"": ["Ce soin ne concerne pas cette personne."]})
        if soin.arret_le is not None:
            errors[""] = ["Ce soin est arrêté."]
        type = soin.type
    if type not in TypeSoin.values:
        errors["type"] = ["Choisissez le soin."]
    if not fait and not commentaire:
        errors["commentaire"] = ["Indiquez pourquoi le soin n'a pas été fait."]
    if realise_le > timezone.now() + AVANCE_TOLEREE:
        errors["realise_le"] = ["La date ne peut pas être dans le futur."]
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        acte = ActeSoin.objects.create(
            usager=usager,
            soin=soin,
            type=type,
            fait=fait,
            commentaire=commentaire,
            realise_le=realise_le,
            realise_par=actor,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=acte,
            usager=usager,
            details={"type": type, "fait": fait, "soin": soin.pk if soin else None},
        )
    return acte


def observation_ajouter(
    *,
    actor: Any,
    usager: Usager,
    texte: str,
    type: str = TypeObservation.CONSULTATION,
    date: datetime.datetime | None = None,
    corrige: ObservationMedicale | None = None,
    motif_correction: str = "",
    request: HttpRequest | None = None,
) -> ObservationMedicale:
    """A physician's observation, or the correction of one (the first is kept, superseded)."""
    if not may_observe(actor, usager):
        raise SoinsError({"": ["Seul un médecin de la personne rédige une observation médicale."]})
    texte = clean(texte)
    errors: dict[str, list[str]] = {}
    if not texte:
        errors["texte"] = ["Rédigez l'observation."]
    if type not in TypeObservation.values:
        errors["type"] = ["Type d'observation inconnu."]
    date = date or timezone.now()
    if date > timezone.now() + AVANCE_TOLEREE:
        errors["date"] = ["La date ne peut pas être dans le futur."]
    if corrige is not None and not clean(motif_correction):
        errors["motif_correction"] = ["Indiquez le motif de la correction."]
    if errors:
        raise SoinsError(errors)
    ensure_writable(usager)
    with transaction.atomic():
        if corrige is not None:
            old = ObservationMedicale.objects.select_for_update().get(pk=corrige.pk)
            if old.usager_id != usager.pk:
                raise SoinsError({"": ["Cette observation ne concerne pas cette personne."]})
            if old.remplacee_le is not None:
                raise SoinsError({"": ["Cette observation a déjà été corrigée."]})
            old.remplacee_le = timezone.now()
            old.save(update_fields=["remplacee_le"])
            date = old.date
        obs = ObservationMedicale.objects.create(
            usager=usager,
            type=type,
            date=date,
            texte=texte,
            auteur=actor,
            corrige=corrige,
            motif_correction=clean(motif_correction),
        )
        audit.record(
            action=AuditAction.UPDATE if corrige else AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=obs,
            usager=usager,
            reason=clean(motif_correction),
            details={"type": type, "corrige": corrige.pk if corrige else None},
        )
    return obs
