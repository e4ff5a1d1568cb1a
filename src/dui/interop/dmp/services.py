"""DMP rules of the DUI: consent records, the decision to send (outbox), the sending itself
(run by the task worker), and the VIHF identity of a user.

A document leaves only when the person's identity is qualifiée, the person was informed of
the DMP and has not opposed it; these are checked when the decision is taken and again just
before sending (an opposition recorded in between wins).
"""

from __future__ import annotations

import datetime
import logging
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.interop.dmp import client
from dui.interop.dmp.entete import lire_entete
from dui.interop.dmp.errors import DMPErreurTechnique, DMPRefus
from dui.interop.dmp.vihf import ContexteVIHF, Structure, Utilisateur
from dui.interop.models import (
    ConsentementDMP,
    EnvoiDMP,
    StatutEnvoi,
    TypeConsentementDMP,
)
from dui.usagers.access import ensure_writable
from dui.usagers.identite import ins_for_sharing

logger = logging.getLogger("dui.interop.dmp")

MAX_TENTATIVES = 6
# An envoi still "à envoyer" this long after its due time lost its task (worker killed).
DELAI_REPRISE = datetime.timedelta(minutes=15)


class DMPRegleError(ValueError):
    """A DMP rule forbids the action; the message is for the user (French)."""


def _base_backoff() -> datetime.timedelta:
    """settings.DMP_RETRY_BASE_SECONDS, else DUI_DMP_RETRY_BASE_SECONDS, else one minute."""
    seconds = getattr(settings, "DMP_RETRY_BASE_SECONDS", None)
    if seconds is None:
        seconds = os.environ.get("DUI_DMP_RETRY_BASE_SECONDS") or 60
    return datetime.timedelta(seconds=float(seconds))


def delai_nouvel_essai(tentative: int) -> datetime.timedelta:
    """Exponential backoff: base, 2×base, 4×base… capped at 6 hours."""
    return min(_base_backoff() * (2 ** max(tentative - 1, 0)), datetime.timedelta(hours=6))


# --- consent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EtatConsentement:
    information: ConsentementDMP | None
    opposition: ConsentementDMP | None  # the active opposition, if any
    dernier: ConsentementDMP | None
    historique: list[ConsentementDMP]

    @property
    def informe(self) -> bool:
        return self.information is not None

    @property
    def oppose(self) -> bool:
        return self.opposition is not None


def etat_consentement(usager: Any) -> EtatConsentement:
    historique = list(
        ConsentementDMP.objects.filter(usager=usager).select_related("enregistre_par")
    )
    information = next((c for c in historique if c.type == TypeConsentementDMP.INFORMATION), None)
    decision = next(
        (
            c
            for c in historique
            if c.type in (TypeConsentementDMP.OPPOSITION, TypeConsentementDMP.RETRAIT)
        ),
        None,
    )
    opposition = (
        decision
        if decision is not None and decision.type == TypeConsentementDMP.OPPOSITION
        else None
    )
    return EtatConsentement(
        information, opposition, historique[0] if historique else None, historique
    )


def enregistrer_consentement(
    user: Any,
    usager: Any,
    *,
    type: str,  # noqa: A002 - the field's name
    date: datetime.date,
    dernier_vu: int | None,
    destinataire: str = "",
    moyen: str = "",
    par: str = "",
    motif: str = "",
    request: Any = None,
) -> ConsentementDMP:
    """Append one consent event. `dernier_vu` is the latest event the user saw: if another
    was recorded since, nothing is saved (no decision taken on a stale state)."""
    ensure_writable(usager)
    if type not in TypeConsentementDMP.values:
        raise DMPRegleError("Type d'événement inconnu.")
    if date > timezone.localdate():
        raise DMPRegleError("La date ne peut pas être dans le futur.")
    with transaction.atomic():
        etat = etat_consentement(usager)
        if (etat.dernier.pk if etat.dernier else None) != dernier_vu:
            raise DMPRegleError(
                "Le consentement a été modifié par quelqu'un d'autre entre-temps : "
                "relisez l'historique avant d'enregistrer."
            )
        if type == TypeConsentementDMP.INFORMATION:
            if not (destinataire and moyen and par.strip()):
                raise DMPRegleError(
                    "Indiquez qui a été informé, comment, et par qui l'information a été donnée."
                )
        elif type == TypeConsentementDMP.OPPOSITION:
            if etat.oppose:
                raise DMPRegleError("Une opposition est déjà enregistrée.")
            destinataire = moyen = par = ""
        else:
            if not etat.oppose:
                raise DMPRegleError("Aucune opposition en cours à retirer.")
            destinataire = moyen = par = ""
        event = ConsentementDMP.objects.create(
            usager=usager,
            type=type,
            date=date,
            destinataire=destinataire,
            moyen=moyen,
            par=par.strip(),
            motif=motif.strip(),
            enregistre_par=user,
        )
        audit.record(
            action=AuditAction.CREATE,
            request=request,
            actor=user,
            obj=event,
            usager=usager,
            details={"consentement_dmp": type},
        )
        if type == TypeConsentementDMP.OPPOSITION:
            # Pending sends are cancelled: the opposition wins over an earlier decision.
            for envoi in EnvoiDMP.objects.select_for_update().filter(
                usager=usager, statut=StatutEnvoi.A_ENVOYER
            ):
                envoi.statut = StatutEnvoi.REFUSE
                envoi.motif = "Annulé : la personne s'est opposée à l'alimentation de son DMP."
                envoi.save(update_fields=["statut", "motif"])
                audit.record(
                    action=AuditAction.UPDATE,
                    actor=user,
                    request=request,
                    obj=envoi,
                    usager=usager,
                    details={"envoi_dmp": "annule_opposition"},
                )
    return event


def obstacle_envoi(usager: Any, etat: EtatConsentement | None = None) -> str:
    """Why nothing may be sent to this person's DMP now ("" when sending is allowed)."""
    if ins_for_sharing(usager) is None:
        return (
            "L'identité de la personne n'est pas qualifiée : aucun document n'est envoyé "
            "au DMP sans INS qualifié."
        )
    etat = etat or etat_consentement(usager)
    if etat.oppose:
        return "La personne s'est opposée à l'alimentation de son DMP."
    if not etat.informe:
        return "La personne n'a pas encore été informée du DMP : enregistrez l'information."
    return ""


# --- VIHF identity ---------------------------------------------------------------------


def contexte_vihf(
    user: Any, etablissement: Any, usager: Any, *, mode: str = "normal"
) -> ContexteVIHF:
    from dui.interop.cda import codes as cda_codes
    from dui.interop.cda.generation import professionnel

    ins = ins_for_sharing(usager)
    if ins is None:
        raise DMPRegleError("L'identité de la personne n'est pas qualifiée.")
    pro = professionnel(user, etablissement)
    code, _system, libelle = pro.profession
    return ContexteVIHF(
        utilisateur=Utilisateur(pro.id_extension, user.nom, user.prenom, code, libelle),
        structure=Structure(
            f"1{etablissement.finess}",
            etablissement.nom,
            cda_codes.facility_type(etablissement.categorie)[0],
        ),
        patient_ins=client.md.patient_cx(ins.matricule, ins.oid),
        mode_acces=mode,
    )


def identifiants(usager: Any, cda: bytes) -> client.Identifiants:
    ins = ins_for_sharing(usager)
    if ins is None:
        raise DMPRegleError("L'identité de la personne n'est pas qualifiée.")
    entete = lire_entete(cda)
    local = next(((r, e) for r, e in entete.patient_ids if r != ins.oid), ("", ""))
    return client.Identifiants(ins.matricule, ins.oid, ipp=local[1], ipp_oid=local[0])


# --- the decision to send --------------------------------------------------------------


def demander_envoi(
    user: Any,
    version: Any,
    *,
    masque_ps: bool = False,
    invisible_patient: bool = False,
    invisible_representants: bool = False,
    request: Any = None,
) -> EnvoiDMP:
    """Record the decision to send this version and enqueue the sending task in the same
    transaction (outbox): both exist, or neither."""
    from dui.interop.cda import valider
    from dui.structures.models import Etablissement

    from . import tasks

    document = version.document
    usager = document.usager
    ensure_writable(usager)
    cda = version.cda_bytes()
    if not cda:
        raise DMPRegleError(
            "Ce document n'a pas de version CDA : il ne peut pas être envoyé au DMP."
        )
    erreurs = valider(cda, usager=usager)
    if erreurs:
        raise DMPRegleError("Le document CDA n'est pas valide : " + " ; ".join(erreurs[:3]))
    try:
        fiche = client.fiche_depuis_cda(cda, identifiants(usager, cda))
    except ValueError as exc:
        raise DMPRegleError(str(exc)) from exc
    finess = fiche.auteur.institution_id[1:] if fiche.auteur.institution_id[:1] == "1" else ""
    etablissement = Etablissement.objects.filter(finess=finess).first()
    if etablissement is None:
        raise DMPRegleError("La structure auteur du document est inconnue du DUI.")
    with transaction.atomic():
        # Locks the person's pending sends (PostgreSQL) so two decisions do not race.
        list(
            EnvoiDMP.objects.select_for_update().filter(usager=usager, statut=StatutEnvoi.A_ENVOYER)
        )
        obstacle = obstacle_envoi(usager)
        if obstacle:
            raise DMPRegleError(obstacle)
        if EnvoiDMP.objects.filter(
            version=version,
            statut__in=[StatutEnvoi.A_ENVOYER, StatutEnvoi.ENVOYE, StatutEnvoi.ERREUR],
        ).exists():
            raise DMPRegleError("Cette version est déjà envoyée ou en cours d'envoi.")
        earlier = (
            EnvoiDMP.objects.filter(version__document=document, version__numero__lt=version.numero)
            .exclude(statut=StatutEnvoi.REFUSE)
            .order_by("-version__numero", "-pk")
            .first()
        )
        if earlier is not None and earlier.statut != StatutEnvoi.ENVOYE:
            raise DMPRegleError(
                "La version précédente de ce document n'est pas encore dans le DMP : "
                "attendez son envoi (ou traitez son erreur) avant d'envoyer celle-ci."
            )
        envoi = EnvoiDMP.objects.create(
            version=version,
            usager=usager,
            etablissement=etablissement,
            unique_id=fiche.unique_id,
            entry_uuid=fiche.entry_uuid,
            remplace=earlier,
            masque_ps=masque_ps,
            invisible_patient=invisible_patient,
            invisible_representants=invisible_representants,
            prochain_essai=timezone.now(),
            demande_par=user,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=envoi,
            usager=usager,
            etablissement=etablissement,
            details={"envoi_dmp": "demande", "transaction": "ITI-41"},
        )
        tasks.planifier(envoi)
    return envoi


def relancer(user: Any, envoi: EnvoiDMP, *, request: Any = None) -> EnvoiDMP:
    """Try again an envoi "en erreur" (retries exhausted), from the staff's failure list."""
    from . import tasks

    with transaction.atomic():
        envoi = EnvoiDMP.objects.select_for_update().get(pk=envoi.pk)
        if envoi.statut != StatutEnvoi.ERREUR:
            raise DMPRegleError("Seul un envoi en erreur peut être relancé.")
        obstacle = obstacle_envoi(envoi.usager)
        if obstacle:
            raise DMPRegleError(obstacle)
        envoi.statut = StatutEnvoi.A_ENVOYER
        envoi.tentatives = 0
        envoi.prochain_essai = timezone.now()
        envoi.save(update_fields=["statut", "tentatives", "prochain_essai"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=envoi,
            usager=envoi.usager,
            details={"envoi_dmp": "relance"},
        )
        tasks.planifier(envoi)
    return envoi


# --- the sending (task worker) ---------------------------------------------------------


def _journal(envoi: EnvoiDMP, resultat: str, **details: Any) -> None:
    audit.record(
        action=AuditAction.EXPORT,
        actor=envoi.demande_par,
        obj=envoi,
        usager_id=envoi.usager_id,
        etablissement_id=envoi.etablissement_id,
        details={"transaction": "ITI-41", "resultat": resultat, **details},
    )


def _refuser(envoi: EnvoiDMP, motif: str, codes: str = "") -> str:
    with transaction.atomic():
        EnvoiDMP.objects.filter(pk=envoi.pk).update(
            statut=StatutEnvoi.REFUSE, motif=motif, codes_erreur=codes[:300]
        )
        _journal(envoi, "refuse", codes=codes)
    return "refuse"


def marquer_envoye(envoi: EnvoiDMP, *, deja_recu: bool) -> None:
    """The local commit after the DMP accepted (a crash before it: the resend is idempotent)."""
    with transaction.atomic():
        EnvoiDMP.objects.filter(pk=envoi.pk).update(
            statut=StatutEnvoi.ENVOYE,
            envoye_le=timezone.now(),
            motif="",
            codes_erreur="",
            deja_recu=deja_recu,
            tentatives=envoi.tentatives + 1,
        )
        _journal(envoi, "envoye", deja_recu=deja_recu)


def executer_envoi(envoi_id: int, config: client.DMPConfig | None = None) -> str:
    """Send one envoi (ITI-41). Technical errors reschedule with backoff; refusals are final."""
    from . import tasks

    envoi = (
        EnvoiDMP.objects.select_related(
            "version__document", "usager", "etablissement", "demande_par", "remplace"
        )
        .filter(pk=envoi_id)
        .first()
    )
    if envoi is None or envoi.statut != StatutEnvoi.A_ENVOYER:
        return "rien"
    obstacle = obstacle_envoi(envoi.usager)
    if obstacle:
        return _refuser(envoi, obstacle)
    cda = envoi.version.cda_bytes() or b""
    try:
        soumission = client.soumission_pour(
            cda,
            identifiants(envoi.usager, cda),
            config=config or client.DMPConfig.from_settings(),
            visibilites=envoi.visibilites,
            remplace=envoi.remplace.entry_uuid if envoi.remplace else "",
            entry_uuid=envoi.entry_uuid,
        )
        contexte = contexte_vihf(envoi.demande_par, envoi.etablissement, envoi.usager)
    except (ValueError, DMPRegleError) as exc:
        return _refuser(envoi, str(exc))
    try:
        resultat = client.fournir_documents(soumission, contexte, config)
    except DMPRefus as exc:
        return _refuser(envoi, exc.message, ",".join(exc.codes))
    except DMPErreurTechnique as exc:
        tentative = envoi.tentatives + 1
        with transaction.atomic():
            if tentative >= MAX_TENTATIVES:
                EnvoiDMP.objects.filter(pk=envoi.pk).update(
                    statut=StatutEnvoi.ERREUR, tentatives=tentative, motif=exc.message
                )
                _journal(envoi, "erreur", tentative=tentative)
                return "erreur"
            envoi.tentatives = tentative
            envoi.motif = exc.message
            envoi.prochain_essai = timezone.now() + delai_nouvel_essai(tentative)
            envoi.save(update_fields=["tentatives", "motif", "prochain_essai"])
            _journal(envoi, "nouvel_essai", tentative=tentative)
            tasks.planifier(envoi)
        return "nouvel_essai"
    marquer_envoye(envoi, deja_recu=resultat.deja_recu)
    return "envoye"


def reprendre_envois_perdus(now: datetime.datetime | None = None) -> int:
    """Enqueue again the envois whose task was lost (a worker killed mid-send): still "à
    envoyer" well after their due time. Sending them again is safe (idempotency key)."""
    from . import tasks

    now = now or timezone.now()
    count = 0
    for envoi in EnvoiDMP.objects.filter(
        statut=StatutEnvoi.A_ENVOYER, prochain_essai__lte=now - DELAI_REPRISE
    ):
        with transaction.atomic():
            envoi.prochain_essai = timezone.now()
            envoi.save(update_fields=["prochain_essai"])
            tasks.planifier(envoi)
        count += 1
    return count
