"""The journey from application to exit: applications (waiting list), admission, moves
between units and services, exit with its follow-up actions, archiving.

Each function is one transaction with its journal entry; the caller has checked the user's
rights (views, through the policy). Refusals raise ParcoursError (or IdentiteError from
ensure_writable) with a French message, and change nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.structures.models import Etablissement, Unite
from dui.usagers.access import ensure_writable
from dui.usagers.models import (
    Candidature,
    MotifSortie,
    MouvementUnite,
    PriseEnCharge,
    SuiviSortie,
    Usager,
)


class ParcoursError(Exception):
    """A journey change the rules refuse; the message is for people (French)."""


class CandidatureVersionConflict(ParcoursError):
    """Someone else changed the application since the form was displayed."""

    def __init__(self) -> None:
        super().__init__(
            "Cette candidature a été modifiée par quelqu'un d'autre entre-temps. Rechargez la "
            "page pour voir la version actuelle ; rien n'a été enregistré."
        )


# Follow-up actions owed after an exit: (action, days after the exit date for the due date).
SUIVIS_TOUTE_SORTIE: list[tuple[str, int]] = [
    (
        "Transmettre les documents de sortie (lettre de liaison, DLU) à la personne ou au "
        "service qui prend le relais",
        0,
    ),
    ("Informer le médecin traitant", 7),
    ("Restituer les effets personnels et documents", 30),
]
SUIVIS_PAR_MOTIF: dict[str, list[tuple[str, int]]] = {
    MotifSortie.AUTRE_ETABLISSEMENT: [("Prendre des nouvelles de la personne sous 1 mois", 30)],
    MotifSortie.RETOUR_DOMICILE: [("Prendre des nouvelles de la personne sous 1 mois", 30)],
    MotifSortie.HOSPITALISATION: [("Prendre des nouvelles de la personne sous 1 mois", 30)],
    MotifSortie.DECES: [("Informer la famille et les partenaires", 0)],
}


def suivis_par_defaut(motif: str) -> list[tuple[str, int]]:
    """The follow-up actions an exit for this motif calls for."""
    return [*SUIVIS_TOUTE_SORTIE, *SUIVIS_PAR_MOTIF.get(motif, [])]


def _locked_usager(usager: Usager) -> Usager:
    # Serializes changes of one person's journey (no two concurrent admissions).
    current = Usager.objects.select_for_update().get(pk=usager.pk)
    ensure_writable(current)
    return current


def _locked_candidature(candidature: Candidature, expected_version: int | None) -> Candidature:
    current = Candidature.objects.select_for_update().get(pk=candidature.pk)
    if expected_version is not None and current.version != expected_version:
        raise CandidatureVersionConflict()
    return current


def _save_candidature(candidature: Candidature, fields: list[str]) -> None:
    candidature.version += 1
    candidature.save(update_fields=[*fields, "version"])


def _same_organisme(usager: Usager, etablissement: Etablissement) -> None:
    if etablissement.organisme_id != usager.organisme_id:
        raise ParcoursError(
            "Ce service n'appartient pas à l'organisme gestionnaire qui suit la personne."
        )


# --- Applications (waiting list) ---------------------------------------------------------


def candidature_create(
    *,
    user: Any,
    usager: Usager,
    etablissement: Etablissement,
    source: str,
    type_souhaite: str = "",
    date_reception: datetime.date | None = None,
    priorite: int = Candidature.Priorite.NORMALE,
    reference_viatrajectoire: str = "",
    mdph_date_notification: datetime.date | None = None,
    mdph_decision_debut: datetime.date | None = None,
    mdph_decision_fin: datetime.date | None = None,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Candidature:
    """Record an application of the person to one service of their organisme.

    A person may apply to several services, but not twice at once to the same one.
    """
    with transaction.atomic():
        usager = _locked_usager(usager)
        _same_organisme(usager, etablissement)
        if source == Candidature.Source.VIATRAJECTOIRE and not reference_viatrajectoire:
            raise ParcoursError("Indiquez la référence ViaTrajectoire de la demande.")
        if mdph_decision_debut and mdph_decision_fin and mdph_decision_fin < mdph_decision_debut:
            raise ParcoursError("La fin de validité de la décision MDPH précède son début.")
        open_statuts = [
            Candidature.Statut.RECUE,
            Candidature.Statut.EN_ETUDE,
            Candidature.Statut.ACCEPTEE,
        ]
        if Candidature.objects.filter(
            usager=usager, etablissement=etablissement, statut__in=open_statuts
        ).exists():
            raise ParcoursError("Une candidature de cette personne à ce service est déjà en cours.")
        candidature = Candidature.objects.create(
            usager=usager,
            etablissement=etablissement,
            source=source,
            type_souhaite=type_souhaite,
            date_reception=date_reception or timezone.localdate(),
            priorite=priorite,
            reference_viatrajectoire=reference_viatrajectoire,
            mdph_date_notification=mdph_date_notification,
            mdph_decision_debut=mdph_decision_debut,
            mdph_decision_fin=mdph_decision_fin,
            commentaire=commentaire,
            cree_par=user,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=candidature,
            usager=usager,
            etablissement=etablissement,
            details={"source": source, "priorite": int(priorite)},
        )
    return candidature


def candidature_plan_contact(
    *,
    user: Any,
    candidature: Candidature,
    prevu_le: datetime.datetime,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> Candidature:
    """Plan (or re-plan) the first contact with the person; the application is then studied."""
    with transaction.atomic():
        _locked_usager(candidature.usager)
        candidature = _locked_candidature(candidature, expected_version)
        if not candidature.is_open:
            raise ParcoursError("Cette candidature est close : le contact ne peut plus être prévu.")
        candidature.premier_contact_prevu_le = prevu_le
        fields = ["premier_contact_prevu_le"]
        if candidature.statut == Candidature.Statut.RECUE:
            candidature.statut = Candidature.Statut.EN_ETUDE
            fields.append("statut")
        _save_candidature(candidature, fields)
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=candidature,
            usager_id=candidature.usager_id,
            etablissement_id=candidature.etablissement_id,
            details={"champ": "premier_contact_prevu_le", "statut": candidature.statut},
        )
    return candidature


def candidature_trace_contact(
    *,
    user: Any,
    candidature: Candidature,
    fait_le: datetime.datetime,
    compte_rendu: str,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> Candidature:
    """Trace the first contact: when it took place and its report."""
    with transaction.atomic():
        _locked_usager(candidature.usager)
        candidature = _locked_candidature(candidature, expected_version)
        if not compte_rendu.strip():
            raise ParcoursError("Le compte rendu du premier contact est obligatoire.")
        if fait_le > timezone.now():
            raise ParcoursError("Le premier contact ne peut pas être tracé dans le futur.")
        candidature.premier_contact_fait_le = fait_le
        candidature.premier_contact_compte_rendu = compte_rendu.strip()
        fields = ["premier_contact_fait_le", "premier_contact_compte_rendu"]
        if candidature.statut == Candidature.Statut.RECUE:
            candidature.statut = Candidature.Statut.EN_ETUDE
            fields.append("statut")
        _save_candidature(candidature, fields)
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=candidature,
            usager_id=candidature.usager_id,
            etablissement_id=candidature.etablissement_id,
            details={"champ": "premier_contact_fait_le", "statut": candidature.statut},
        )
    return candidature


# Decisions and the statuses they may be taken from.
DECISIONS: dict[str, set[str]] = {
    Candidature.Statut.ACCEPTEE: {Candidature.Statut.RECUE, Candidature.Statut.EN_ETUDE},
    Candidature.Statut.REFUSEE: {Candidature.Statut.RECUE, Candidature.Statut.EN_ETUDE},
    Candidature.Statut.DESISTEMENT: {
        Candidature.Statut.RECUE,
        Candidature.Statut.EN_ETUDE,
        Candidature.Statut.ACCEPTEE,
    },
}


def candidature_decide(
    *,
    user: Any,
    candidature: Candidature,
    decision: str,
    motif: str = "",
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> Candidature:
    """Accept (waiting list), refuse (reason required) or record a withdrawal."""
    with transaction.atomic():
        _locked_usager(candidature.usager)
        candidature = _locked_candidature(candidature, expected_version)
        if decision not in DECISIONS:
            raise ParcoursError("Décision inconnue.")
        if candidature.statut not in DECISIONS[decision]:
            raise ParcoursError(
                f"Une candidature « {candidature.get_statut_display()} » ne peut pas passer à "
                f"« {Candidature.Statut(decision).label} »."
            )
        if decision == Candidature.Statut.REFUSEE and not motif.strip():
            raise ParcoursError("Le motif du refus est obligatoire.")
        avant = candidature.statut
        candidature.statut = decision
        candidature.motif_decision = motif.strip()
        candidature.decision_le = timezone.now()
        candidature.decision_par = user
        _save_candidature(candidature, ["statut", "motif_decision", "decision_le", "decision_par"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=candidature,
            usager_id=candidature.usager_id,
            etablissement_id=candidature.etablissement_id,
            details={"decision": decision, "statut_avant": avant},
        )
    return candidature


# --- Stays ---------------------------------------------------------------------------------


def _overlapping_stays(usager: Usager, etablissement: Etablissement, date: datetime.date) -> Any:
    return PriseEnCharge.objects.filter(usager=usager, etablissement=etablissement).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=date)
    )


def _admit(
    *,
    user: Any,
    usager: Usager,
    etablissement: Etablissement,
    unite: Unite | None,
    type: str,
    date_admission: datetime.date,
    candidature: Candidature | None,
) -> PriseEnCharge:
    _same_organisme(usager, etablissement)
    if unite is not None and unite.etablissement_id != etablissement.pk:
        raise ParcoursError("Cette unité n'appartient pas à l'établissement choisi.")
    if _overlapping_stays(usager, etablissement, date_admission).exists():
        raise ParcoursError(
            "Cette personne a déjà un accompagnement en cours dans cet établissement à cette "
            "date : enregistrez d'abord sa sortie, ou un transfert d'unité."
        )
    if candidature is not None:
        candidature = Candidature.objects.select_for_update().get(pk=candidature.pk)
        if candidature.usager_id != usager.pk or candidature.etablissement_id != etablissement.pk:
            raise ParcoursError("Cette candidature ne concerne pas cette personne et ce service.")
        if candidature.statut != Candidature.Statut.ACCEPTEE:
            raise ParcoursError("Seule une candidature acceptée peut donner lieu à une admission.")
        candidature.statut = Candidature.Statut.ADMISE
        _save_candidature(candidature, ["statut"])
    return PriseEnCharge.objects.create(
        usager=usager,
        etablissement=etablissement,
        unite=unite,
        type=type,
        date_debut=date_admission,
        candidature=candidature,
        admis_par=user,
    )


def prise_en_charge_admettre(
    *,
    user: Any,
    usager: Usager,
    etablissement: Etablissement,
    unite: Unite | None,
    type: str,
    date_admission: datetime.date,
    candidature: Candidature | None = None,
    request: HttpRequest | None = None,
) -> PriseEnCharge:
    """Admit the person in an établissement (and unit); the accepted application, if any,
    becomes "admise". Stays in several services at once are allowed, two overlapping stays
    in the same établissement are not."""
    with transaction.atomic():
        usager = _locked_usager(usager)
        sejour = _admit(
            user=user,
            usager=usager,
            etablissement=etablissement,
            unite=unite,
            type=type,
            date_admission=date_admission,
            candidature=candidature,
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=sejour,
            usager=usager,
            etablissement=etablissement,
            details={
                "type": type,
                "unite_id": unite.pk if unite else None,
                "candidature_id": candidature.pk if candidature else None,
            },
        )
    return sejour


def _locked_open_stay(sejour: PriseEnCharge) -> PriseEnCharge:
    current = PriseEnCharge.objects.select_for_update().get(pk=sejour.pk)
    if current.date_fin is not None:
        raise ParcoursError("Cet accompagnement est déjà clos.")
    return current


def prise_en_charge_changer_unite(
    *,
    user: Any,
    sejour: PriseEnCharge,
    unite: Unite | None,
    date: datetime.date,
    motif: str = "",
    request: HttpRequest | None = None,
) -> MouvementUnite:
    """Move the person to another unit of the same établissement during the stay."""
    with transaction.atomic():
        _locked_usager(sejour.usager)
        sejour = _locked_open_stay(sejour)
        if unite is not None and unite.etablissement_id != sejour.etablissement_id:
            raise ParcoursError("Cette unité n'appartient pas à l'établissement du séjour.")
        if (unite.pk if unite else None) == sejour.unite_id:
            raise ParcoursError("La personne est déjà dans cette unité.")
        if date < sejour.date_debut:
            raise ParcoursError("La date du transfert ne peut pas précéder la date d'admission.")
        mouvement = MouvementUnite.objects.create(
            prise_en_charge=sejour,
            date=date,
            unite_avant_id=sejour.unite_id,
            unite_apres=unite,
            motif=motif.strip(),
            par=user,
        )
        sejour.unite = unite
        sejour.save(update_fields=["unite"])
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=mouvement,
            usager_id=sejour.usager_id,
            etablissement_id=sejour.etablissement_id,
            details={
                "prise_en_charge_id": sejour.pk,
                "unite_avant_id": mouvement.unite_avant_id,
                "unite_apres_id": mouvement.unite_apres_id,
            },
        )
    return mouvement


def _exit(
    *,
    user: Any,
    sejour: PriseEnCharge,
    date_sortie: datetime.date,
    motif: str,
    destination: str,
    commentaire: str,
) -> list[SuiviSortie]:
    if motif not in MotifSortie.values:
        raise ParcoursError("Motif de sortie inconnu.")
    if date_sortie < sejour.date_debut:
        raise ParcoursError("La date de sortie ne peut pas précéder la date d'admission.")
    sejour.date_fin = date_sortie
    sejour.motif_sortie = motif
    sejour.destination_sortie = destination.strip()
    sejour.commentaire_sortie = commentaire.strip()
    sejour.sorti_par = user
    sejour.save(
        update_fields=[
            "date_fin",
            "motif_sortie",
            "destination_sortie",
            "commentaire_sortie",
            "sorti_par",
        ]
    )
    return SuiviSortie.objects.bulk_create(
        SuiviSortie(
            prise_en_charge=sejour,
            libelle=libelle,
            echeance=date_sortie + datetime.timedelta(days=delai),
        )
        for libelle, delai in suivis_par_defaut(motif)
    )


def prise_en_charge_sortir(
    *,
    user: Any,
    sejour: PriseEnCharge,
    date_sortie: datetime.date,
    motif: str,
    destination: str = "",
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> PriseEnCharge:
    """Record the exit (date, motif, destination) and create the follow-up actions it calls
    for (SUIVIS_TOUTE_SORTIE and SUIVIS_PAR_MOTIF)."""
    with transaction.atomic():
        _locked_usager(sejour.usager)
        sejour = _locked_open_stay(sejour)
        suivis = _exit(
            user=user,
            sejour=sejour,
            date_sortie=date_sortie,
            motif=motif,
            destination=destination,
            commentaire=commentaire,
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=sejour,
            usager_id=sejour.usager_id,
            etablissement_id=sejour.etablissement_id,
            details={"sortie": date_sortie.isoformat(), "motif": motif, "suivis": len(suivis)},
        )
    return sejour


def prise_en_charge_transferer_service(
    *,
    user: Any,
    sejour: PriseEnCharge,
    etablissement: Etablissement,
    unite: Unite | None,
    type: str,
    date: datetime.date,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> PriseEnCharge:
    """Transfer to another service of the organisme: exit "transfert interne" here and
    admission there on the same date, both or neither."""
    with transaction.atomic():
        usager = _locked_usager(sejour.usager)
        sejour = _locked_open_stay(sejour)
        if etablissement.pk == sejour.etablissement_id:
            raise ParcoursError(
                "Pour changer d'unité dans le même établissement, faites un transfert d'unité."
            )
        _exit(
            user=user,
            sejour=sejour,
            date_sortie=date,
            motif=MotifSortie.TRANSFERT_INTERNE,
            destination=etablissement.nom,
            commentaire=commentaire,
        )
        nouveau = _admit(
            user=user,
            usager=usager,
            etablissement=etablissement,
            unite=unite,
            type=type,
            date_admission=date,
            candidature=None,
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=sejour,
            usager=usager,
            etablissement_id=sejour.etablissement_id,
            details={"sortie": date.isoformat(), "motif": MotifSortie.TRANSFERT_INTERNE},
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=nouveau,
            usager=usager,
            etablissement=etablissement,
            details={"type": type, "transfert_de": sejour.pk},
        )
    return nouveau


def suivi_sortie_mark_done(
    *,
    user: Any,
    suivi: SuiviSortie,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> SuiviSortie:
    """Trace that a post-exit follow-up action was done: who, when, comment."""
    with transaction.atomic():
        _locked_usager(suivi.prise_en_charge.usager)
        suivi = (
            SuiviSortie.objects.select_for_update()
            .select_related("prise_en_charge")
            .get(pk=suivi.pk)
        )
        if suivi.fait_le is not None:
            raise ParcoursError("Cette action est déjà tracée comme faite.")
        suivi.fait_le = timezone.now()
        suivi.fait_par = user
        suivi.commentaire = commentaire.strip()
        suivi.save(update_fields=["fait_le", "fait_par", "commentaire"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=suivi,
            usager_id=suivi.prise_en_charge.usager_id,
            etablissement_id=suivi.prise_en_charge.etablissement_id,
            details={"prise_en_charge_id": suivi.prise_en_charge_id},
        )
    return suivi


def open_stays_in_organisme(usager: Usager) -> Any:
    """Stays of the person not yet ended (today included) in any service of the organisme."""
    today = timezone.localdate()
    return PriseEnCharge.objects.filter(
        usager=usager, etablissement__organisme_id=usager.organisme_id
    ).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=today))


def usager_archive(*, user: Any, usager: Usager, request: HttpRequest | None = None) -> Usager:
    """Archive the record once no service of the organisme supports the person any more:
    it stays readable (and journaled) but can no longer be changed."""
    with transaction.atomic():
        usager = _locked_usager(usager)
        if open_stays_in_organisme(usager).exists():
            raise ParcoursError(
                "Cette personne est encore accompagnée par un service de l'organisme : "
                "enregistrez d'abord sa sortie."
            )
        usager.archive_le = timezone.now()
        usager.archive_par = user
        usager.save(update_fields=["archive_le", "archive_par"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=usager,
            usager=usager,
            details={"archive": True},
        )
    return usager
