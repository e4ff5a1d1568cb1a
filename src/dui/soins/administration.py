"""Tracing the doses of the circuit du médicament: given, given late, not given (with a
reason), and "si besoin" doses when given. One trace per planned dose; a correction is a
new trace that supersedes the first, which is kept. Every trace is journaled.

Who traces: whoever writes soins data for the person (IDE, and the aides-soignants who help
with taking medicines in a medico-social établissement, CASF L313-26).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.soins.creneaux import fin_de_creneau
from dui.soins.models import (
    Administration,
    LigneMedicament,
    MotifNonDonne,
    StatutAdministration,
)
from dui.soins.services import SoinsError
from dui.soins.tournee import debut_de_creneau, doses_of
from dui.usagers.access import ensure_writable

# A dose may be traced as given from this long before its slot begins (rounds start early).
AVANCE = datetime.timedelta(hours=1)


def _check_right(actor: Any, usager: Any) -> None:
    if not policy.allows(actor, "usager.soins.write", usager):
        raise SoinsError({"": ["Vous ne pouvez pas tracer les soins de cette personne."]})


def _check_statut(statut: str, motif: str, commentaire: str) -> None:
    if statut not in (StatutAdministration.DONNE, StatutAdministration.NON_DONNE):
        raise SoinsError({"statut": ["Indiquez si la dose a été donnée ou non."]})
    if statut == StatutAdministration.NON_DONNE:
        if motif not in MotifNonDonne.values:
            raise SoinsError({"motif": ["Indiquez pourquoi la dose n'a pas été donnée."]})
        if motif == MotifNonDonne.AUTRE and not commentaire:
            raise SoinsError({"commentaire": ["Précisez le motif « autre » en commentaire."]})
    elif motif:
        raise SoinsError({"motif": ["Une dose donnée n'a pas de motif de non-administration."]})


def dose_tracer(
    *,
    actor: Any,
    ligne: LigneMedicament,
    jour: datetime.date,
    prise: str,
    statut: str,
    motif: str = "",
    commentaire: str = "",
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Administration:
    """Trace one planned dose. Given after the end of its slot, it is "donné en retard"."""
    now = now or timezone.now()
    commentaire = (commentaire or "").strip()
    _check_right(actor, ligne.usager)
    _check_statut(statut, motif, commentaire)
    if jour > timezone.localdate(now):
        raise SoinsError({"": ["On ne trace pas une dose d'un jour à venir."]})
    dose = next((d for d in doses_of(ligne, jour) if d.prise == prise), None)
    if dose is None:
        raise SoinsError({"": ["Cette dose n'est pas prévue ce jour-là."]})
    tz = timezone.get_current_timezone()
    if statut == StatutAdministration.DONNE:
        if now < debut_de_creneau(jour, dose.creneau) - AVANCE:
            raise SoinsError(
                {"": ["Ce créneau n'a pas commencé : la dose ne peut pas être donnée."]}
            )
        if now > fin_de_creneau(jour, dose.creneau, tz):
            statut = StatutAdministration.DONNE_RETARD
    ensure_writable(ligne.usager)
    try:
        with transaction.atomic():
            trace = Administration.objects.create(
                ligne=ligne,
                usager_id=ligne.usager_id,
                jour=jour,
                creneau=dose.creneau.code,
                prise=prise,
                quantite=dose.quantite,
                statut=statut,
                motif=motif if statut == StatutAdministration.NON_DONNE else "",
                commentaire=commentaire,
                administre_le=now if statut != StatutAdministration.NON_DONNE else None,
                trace_par=actor,
            )
            audit.record(
                action=AuditAction.CREATE,
                actor=actor,
                request=request,
                obj=trace,
                usager_id=ligne.usager_id,
                details={
                    "ligne": ligne.pk,
                    "jour": jour.isoformat(),
                    "prise": prise,
                    "statut": statut,
                    "motif": trace.motif,
                },
            )
    except IntegrityError:
        raise SoinsError(
            {"": ["Cette dose a déjà été tracée : corrigez la trace existante."]}
        ) from None
    return trace


def trace_corriger(
    *,
    actor: Any,
    trace: Administration,
    statut: str,
    motif: str = "",
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Administration:
    """Correct a trace: a new trace of the same dose supersedes it; the first is kept."""
    commentaire = (commentaire or "").strip()
    _check_right(actor, trace.usager)
    _check_statut(statut, motif, commentaire)
    ensure_writable(trace.usager)
    now = timezone.now()
    with transaction.atomic():
        old = Administration.objects.select_for_update().get(pk=trace.pk)
        if old.remplacee_le is not None:
            raise SoinsError({"": ["Cette trace a déjà été corrigée : corrigez la plus récente."]})
        old.remplacee_le = now
        old.save(update_fields=["remplacee_le"])
        given = statut == StatutAdministration.DONNE
        if given and old.statut == StatutAdministration.DONNE_RETARD:
            statut = StatutAdministration.DONNE_RETARD
        new = Administration.objects.create(
            ligne_id=old.ligne_id,
            usager_id=old.usager_id,
            jour=old.jour,
            creneau=old.creneau,
            prise=old.prise,
            quantite=old.quantite,
            statut=statut,
            motif=motif if not given else "",
            commentaire=commentaire,
            administre_le=(old.administre_le or now) if given else None,
            trace_par=actor,
            corrige=old,
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=new,
            usager_id=old.usager_id,
            details={"corrige": old.pk, "statut": statut, "motif": new.motif},
        )
    return new


def si_besoin_tracer(
    *,
    actor: Any,
    ligne: LigneMedicament,
    quantite: Decimal | None = None,
    commentaire: str = "",
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Administration:
    """Trace a "si besoin" dose given now; refused beyond the maximum per day."""
    now = now or timezone.now()
    _check_right(actor, ligne.usager)
    if not ligne.si_besoin:
        raise SoinsError({"": ["Ce médicament n'est pas prescrit « si besoin »."]})
    jour = timezone.localdate(now)
    if ligne.arret_le is not None or ligne.debut > jour or (ligne.fin and ligne.fin < jour):
        raise SoinsError({"": ["Cette prescription n'est pas en cours."]})
    if quantite is None:
        quantite = Decimal(str((ligne.prises or [{}])[0].get("quantite", "1")))
    if not Decimal(0) < quantite <= Decimal(100):
        raise SoinsError({"quantite": ["La quantité doit être comprise entre 0 et 100."]})
    ensure_writable(ligne.usager)
    with transaction.atomic():
        # Lock the line so that two simultaneous traces cannot both pass the maximum.
        LigneMedicament.objects.select_for_update().get(pk=ligne.pk)
        deja = Administration.objects.filter(
            ligne=ligne, jour=jour, prise="", remplacee_le__isnull=True
        ).count()
        if ligne.max_par_jour and deja >= ligne.max_par_jour:
            raise SoinsError(
                {"": [f"Maximum atteint : {ligne.max_par_jour} prise(s) par jour au plus."]}
            )
        from dui.soins.creneaux import creneau_of

        trace = Administration.objects.create(
            ligne=ligne,
            usager_id=ligne.usager_id,
            jour=jour,
            creneau=creneau_of(timezone.localtime(now).time()).code,
            prise="",
            quantite=quantite,
            statut=StatutAdministration.DONNE,
            commentaire=(commentaire or "").strip(),
            administre_le=now,
            trace_par=actor,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=trace,
            usager_id=ligne.usager_id,
            details={"ligne": ligne.pk, "si_besoin": True, "quantite": str(quantite)},
        )
    return trace
