"""Projet personnalisé: opening, the steps (transition table), the draft's sections with
stale-save protection, signature (freezes a version), closure, and deadlines.

Access: the PPA is accompaniment data of category "educatif" (read by the person's team:
direction, chef de service, éducatif, psychologue, soignants, paramédicaux, médecin,
infirmier; not by the accueil, the DPO nor home-care workers). It is written by those who
also write "educatif" or "soins" data (the team that co-builds it, as for habits of life).
Medical data is not part of it. Every change is journaled with ids only (no content).
"""

from __future__ import annotations

import calendar
import copy
import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.projet import contenu as schema
from dui.projet.access import CATEGORIE, READ, WRITE_CATEGORIES, may_read, may_write
from dui.projet.models import (
    Etape,
    MotifCloture,
    MoyenSignature,
    ProjetPersonnalise,
    QualiteSignataire,
    TransitionProjet,
    VersionProjet,
)
from dui.usagers.access import ensure_writable

__all__ = ["CATEGORIE", "READ", "WRITE_CATEGORIES", "may_read", "may_write"]
from dui.usagers.models import MembreEquipe, MotifSortie, PriseEnCharge, Proche, Usager

PREMIER_PROJET_MOIS = 6
REVISION_MOIS = 12
# Steps in which the draft may be changed; in "mise en œuvre" the signed version is applied
# and a change starts with "suivi et actualisation".
EDITABLE = {Etape.RECUEIL, Etape.ANALYSE, Etape.CO_CONSTRUCTION, Etape.SUIVI}
SIGNABLE = {Etape.CO_CONSTRUCTION, Etape.SUIVI}

# (from, to): (button label, how the transition happens: "etape" | "signature" | "cloture").
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (Etape.RECUEIL, Etape.ANALYSE): ("Passer à l'analyse en équipe", "etape"),
    (Etape.ANALYSE, Etape.RECUEIL): ("Revenir au recueil", "etape"),
    (Etape.ANALYSE, Etape.CO_CONSTRUCTION): ("Passer à la co-construction", "etape"),
    (Etape.CO_CONSTRUCTION, Etape.ANALYSE): ("Revenir à l'analyse en équipe", "etape"),
    (Etape.CO_CONSTRUCTION, Etape.MISE_EN_OEUVRE): ("Signer le projet", "signature"),
    (Etape.MISE_EN_OEUVRE, Etape.SUIVI): ("Ouvrir le suivi et l'actualisation", "etape"),
    (Etape.SUIVI, Etape.RECUEIL): ("Refaire le recueil", "etape"),
    (Etape.SUIVI, Etape.CO_CONSTRUCTION): ("Reprendre la co-construction", "etape"),
    (Etape.SUIVI, Etape.MISE_EN_OEUVRE): ("Signer le projet actualisé", "signature"),
    **{
        (e, Etape.CLOTURE): ("Clôturer le projet", "cloture")
        for e in Etape.values
        if e != Etape.CLOTURE
    },
}


class ProjetError(Exception):
    """A refused change, with the French message shown to the person."""


class ProjetConflict(ProjetError):
    """Someone saved the project since the form was displayed: nothing is saved.

    `differences` compares the values saved by the other person (avant) with the values
    submitted (apres), field by field.
    """

    def __init__(self, projet: ProjetPersonnalise, differences: list[schema.Difference]) -> None:
        author = projet.modifie_par
        name = author.get_full_name() or author.email
        when = timezone.localtime(projet.modifie_le).strftime("%d/%m/%Y à %H:%M")
        super().__init__(
            f"Ce projet a été modifié par {name} le {when} pendant votre saisie : rien n'a "
            "été enregistré. Comparez ses valeurs et les vôtres ci-dessous, puis reprenez "
            "vos changements."
        )
        self.projet = projet
        self.differences = differences


# --- Rights --------------------------------------------------------------------------------


def reads_projets_in(user: Any, etablissement: Any) -> bool:
    """May list the établissement's projects and deadlines (reads its "educatif" data)."""
    if etablissement is None:
        return False
    rights = policy.droits(user).get(etablissement.pk)
    return bool(rights and CATEGORIE in rights.lecture and rights.role.perimetre == "etablissement")


def coordinates_in(user: Any, etablissement: Any) -> bool:
    """Those who coordinate projects: read them and write educational, administrative or
    medical data (chef de service, direction, éducatif, psychologue, médecin, IDEC)."""
    if not reads_projets_in(user, etablissement):
        return False
    rights = policy.droits(user)[etablissement.pk]
    return bool(rights.ecriture & {"educatif", "administratif", "medical"})


# --- Deadlines -----------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def echeance_de(projet: ProjetPersonnalise) -> datetime.date | None:
    """First project: admission + 6 months; then last signature + 12 months."""
    if projet.is_closed:
        return None
    if projet.derniere_signature_le is not None:
        return add_months(projet.derniere_signature_le, REVISION_MOIS)
    return add_months(projet.prise_en_charge.date_debut, PREMIER_PROJET_MOIS)


@dataclass
class LigneEcheance:
    usager: Usager
    sejour: PriseEnCharge
    projet: ProjetPersonnalise | None
    echeance: datetime.date
    en_retard: bool

    @property
    def libelle(self) -> str:
        if self.projet is None:
            return "Premier projet à élaborer"
        if self.projet.derniere_signature_le is None:
            return "Premier projet à signer"
        return "Révision annuelle"


def _open_stays(etablissement: Any, today: datetime.date) -> QuerySet[PriseEnCharge]:
    return PriseEnCharge.objects.filter(etablissement=etablissement, date_debut__lte=today).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=today)
    )


def _due_querysets(
    etablissement: Any, today: datetime.date, horizon: int, unite_id: int | None = None
) -> tuple[QuerySet[ProjetPersonnalise], QuerySet[PriseEnCharge]]:
    limite = today + datetime.timedelta(days=horizon)
    stays = _open_stays(etablissement, today)
    if unite_id is not None:
        stays = stays.filter(unite_id=unite_id)
    projets = ProjetPersonnalise.objects.filter(
        etablissement=etablissement, echeance__lte=limite, prise_en_charge__in=stays
    ).exclude(etape=Etape.CLOTURE)
    # Admitted more than (6 months - horizon) ago and no project in progress.
    sans_projet = stays.filter(
        date_debut__lte=add_months(limite, -PREMIER_PROJET_MOIS),
    ).exclude(
        Exists(
            ProjetPersonnalise.objects.filter(usager=OuterRef("usager")).exclude(
                etape=Etape.CLOTURE
            )
        )
    )
    return projets, sans_projet


def projets_a_echeance(
    etablissement: Any,
    *,
    today: datetime.date | None = None,
    horizon: int = 60,
    unite_id: int | None = None,
) -> list[LigneEcheance]:
    """Projects due within `horizon` days or overdue, and stays past 6 months without a
    project, earliest deadline first (callers check `reads_projets_in`)."""
    today = today or timezone.localdate()
    projets, sans_projet = _due_querysets(etablissement, today, horizon, unite_id)
    # Only what the list shows: the projects' content and the persons' other traits are
    # not loaded (hundreds of rows in a large établissement).
    personne = ("nom_naissance", "prenoms_naissance", "date_naissance")
    lignes = [
        LigneEcheance(p.usager, p.prise_en_charge, p, p.echeance, p.echeance < today)
        for p in projets.select_related("usager", "prise_en_charge__unite").only(
            "etape",
            "echeance",
            "derniere_signature_le",
            "usager",
            "prise_en_charge",
            "prise_en_charge__date_debut",
            "prise_en_charge__unite__nom",
            *(f"usager__{f}" for f in personne),
        )
        if p.echeance is not None
    ]
    for s in sans_projet.select_related("usager", "unite").only(
        "date_debut", "usager", "unite__nom", *(f"usager__{f}" for f in personne)
    ):
        due = add_months(s.date_debut, PREMIER_PROJET_MOIS)
        lignes.append(LigneEcheance(s.usager, s, None, due, due < today))
    lignes.sort(key=lambda ligne: (ligne.echeance, ligne.usager.nom_naissance, ligne.usager.pk))
    return lignes


def projets_a_echeance_count(
    etablissement: Any, *, today: datetime.date | None = None, horizon: int = 60
) -> int:
    today = today or timezone.localdate()
    projets, sans_projet = _due_querysets(etablissement, today, horizon)
    # One query for the home page: both parts counted in one UNION ALL.
    return (
        projets.order_by()
        .values_list("usager_id")
        .union(sans_projet.order_by().values_list("usager_id"), all=True)
        .count()
    )


# --- Reading -------------------------------------------------------------------------------


def projet_courant(usager: Usager) -> ProjetPersonnalise | None:
    return (
        ProjetPersonnalise.objects.filter(usager=usager)
        .exclude(etape=Etape.CLOTURE)
        .select_related("referent", "prise_en_charge", "modifie_par")
        .first()
    )


def transitions_possibles(projet: ProjetPersonnalise) -> list[tuple[str, str]]:
    """(target step, button label) of the plain step changes from the current step."""
    return [
        (vers, label)
        for (de, vers), (label, via) in TRANSITIONS.items()
        if de == projet.etape and via == "etape"
    ]


def participants_choices(
    projet: ProjetPersonnalise, user: Any = None
) -> dict[str, list[tuple[int, str]]]:
    """Proches (active) and professionals (active team members, the référent and `user`,
    the professional filling in the form, so that a project can always get a référent)."""
    proches = [
        (p.pk, _proche_libelle(p)) for p in Proche.objects.filter(usager=projet.usager, actif=True)
    ]
    membres = MembreEquipe.objects.filter(
        MembreEquipe.active_q(), usager=projet.usager, etablissement=projet.etablissement
    ).select_related("user")
    pros = {m.user.pk: m.user.get_full_name() or m.user.email for m in membres}
    for pro in (projet.referent, user):
        if pro is not None:
            pros.setdefault(pro.pk, pro.get_full_name() or pro.email)
    return {"proches": proches, "professionnels": sorted(pros.items(), key=lambda x: x[1])}


def _proche_libelle(p: Proche) -> str:
    name = f"{p.prenom} {p.nom}".strip()
    roles = []
    if p.is_representant_legal:
        roles.append("représentant légal")
    if p.lien:
        roles.append(p.lien)
    return f"{name} ({', '.join(roles)})" if roles else name


# --- Changes -------------------------------------------------------------------------------


def _locked(projet: ProjetPersonnalise) -> ProjetPersonnalise:
    return (
        # Lock the project row only: the référent is an outer join (nullable).
        ProjetPersonnalise.objects.select_for_update(of=("self",))
        .select_related("modifie_par", "prise_en_charge", "referent")
        .get(pk=projet.pk)
    )


def _check_version(
    current: ProjetPersonnalise, expected_version: int, mine: list[tuple[str, str]], key: str
) -> None:
    if current.version != expected_version:
        theirs = _flat_of(current.contenu, key, current)
        raise ProjetConflict(current, schema.compare_rows(theirs, mine))


def _flat_of(
    contenu: dict[str, Any], key: str, projet: ProjetPersonnalise
) -> list[tuple[str, str]]:
    if key == "participants":
        names = ", ".join(p.get("libelle", "") for p in contenu.get("participants") or [])
        referent = projet.referent.get_full_name() if projet.referent else ""
        return [(schema.PARTICIPANTS_LABEL, names), ("Référent", referent)]
    if key == "etape":
        return [("Étape", Etape(projet.etape).label)]
    return schema.flatten_section(key, schema.section_of(contenu, key))


def _touch(projet: ProjetPersonnalise, actor: Any) -> None:
    projet.version += 1
    projet.modifie_par = actor
    projet.modifie_le = timezone.now()


def _transition(
    projet: ProjetPersonnalise, vers: str, actor: Any, commentaire: str, request: Any
) -> None:
    de = projet.etape
    projet.etape = vers
    TransitionProjet.objects.create(
        projet=projet, de=de, vers=vers, par=actor, commentaire=commentaire.strip()
    )
    audit.record(
        action=AuditAction.UPDATE,
        actor=actor,
        request=request,
        obj=projet,
        usager_id=projet.usager_id,
        etablissement_id=projet.etablissement_id,
        details={"transition": f"{de}→{vers}", "version": projet.version},
    )


def _open_stay_for(user: Any, usager: Usager) -> PriseEnCharge | None:
    today = timezone.localdate()
    return (
        PriseEnCharge.objects.filter(
            usager=usager, etablissement_id__in=policy.etablissement_ids(user)
        )
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=today))
        .order_by("-date_debut", "-pk")
        .first()
    )


def projet_ouvrir(
    *, actor: Any, usager: Usager, request: HttpRequest | None = None
) -> ProjetPersonnalise:
    """Open the person's project at the "recueil" step, attached to their open stay."""
    with transaction.atomic():
        ensure_writable(usager)
        if not may_write(actor, usager):
            raise ProjetError("Vous n'êtes pas habilité à ouvrir le projet personnalisé.")
        sejour = _open_stay_for(actor, usager)
        if sejour is None:
            raise ProjetError(
                "La personne n'a pas d'accompagnement en cours dans votre établissement : "
                "le projet personnalisé ne peut pas être ouvert."
            )
        referent = (
            MembreEquipe.objects.filter(
                MembreEquipe.active_q(),
                usager=usager,
                etablissement=sejour.etablissement,
                is_referent=True,
            )
            .select_related("user")
            .first()
        )
        projet = ProjetPersonnalise(
            usager=usager,
            prise_en_charge=sejour,
            etablissement=sejour.etablissement,
            referent=referent.user if referent else None,
            contenu={s.key: schema.empty_section(s.key) for s in schema.SECTIONS},
            ouvert_par=actor,
            modifie_par=actor,
        )
        projet.echeance = echeance_de(projet)
        try:
            with transaction.atomic():
                projet.save()
        except IntegrityError:
            raise ProjetError(
                "Un projet personnalisé est déjà en cours pour cette personne."
            ) from None
        TransitionProjet.objects.create(projet=projet, de="", vers=Etape.RECUEIL, par=actor)
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=projet,
            usager=usager,
            etablissement_id=projet.etablissement_id,
            details={"etape": projet.etape, "prise_en_charge_id": sejour.pk},
        )
    return projet


def _refusal(de: str, vers: str) -> str | None:
    """The French reason a plain step change is refused, None when allowed."""
    if de == Etape.CLOTURE:
        return "Ce projet est clôturé : il ne change plus d'étape. Ouvrez un nouveau projet."
    if vers not in Etape.values:
        return "Étape inconnue."
    if de == vers:
        return f"Le projet est déjà à l'étape « {Etape(vers).label} »."
    allowed = TRANSITIONS.get((de, vers))
    if allowed is None:
        return (
            f"Passage impossible de l'étape « {Etape(de).label} » à l'étape "
            f"« {Etape(vers).label} »."
        )
    if allowed[1] == "signature":
        return (
            "Le projet passe en mise en œuvre quand il est signé par la personne (ou son "
            "représentant) et par le référent : utilisez « Signer le projet »."
        )
    if allowed[1] == "cloture":
        return "La clôture se fait avec « Clôturer le projet » (date et motif)."
    return None


def projet_transition(
    *,
    actor: Any,
    projet: ProjetPersonnalise,
    vers: str,
    expected_version: int,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> ProjetPersonnalise:
    """Move the project to another step along the transition table (journaled)."""
    with transaction.atomic():
        ensure_writable(projet.usager)
        if not may_write(actor, projet.usager):
            raise ProjetError("Vous n'êtes pas habilité à modifier ce projet personnalisé.")
        current = _locked(projet)
        refusal = _refusal(current.etape, vers)
        if refusal:
            raise ProjetError(refusal)
        _check_version(current, expected_version, [("Étape", Etape(vers).label)], "etape")
        _touch(current, actor)
        _transition(current, vers, actor, commentaire, request)
        current.save()
    return current


def _ensure_editable(current: ProjetPersonnalise) -> None:
    if current.etape == Etape.CLOTURE:
        raise ProjetError("Ce projet est clôturé : il ne peut plus être modifié.")
    if current.etape not in EDITABLE:
        raise ProjetError(
            "Le projet signé est en cours de mise en œuvre : ouvrez l'étape « Suivi et "
            "actualisation » pour le réviser."
        )


def _check_links(contenu: dict[str, Any], section: str, cleaned: Any) -> None:
    """Actions point to objectives by number: both sides must stay consistent."""
    objectifs = cleaned if section == "objectifs" else schema.section_of(contenu, "objectifs")
    actions = cleaned if section == "actions" else schema.section_of(contenu, "actions")
    numeros = {str(i) for i in range(1, len(objectifs) + 1)}
    for i, action in enumerate(actions, start=1):
        ref = str(action.get("objectif", "")).strip()
        if ref and ref not in numeros:
            if section == "objectifs":
                raise ProjetError(
                    f"L'action {i} est rattachée à l'objectif n° {ref} : modifiez d'abord "
                    "les actions avant de retirer cet objectif."
                )
            raise ProjetError(
                f"Action {i} : l'objectif n° {ref} n'existe pas (le projet compte "
                f"{len(objectifs)} objectif(s))."
            )


def section_save(
    *,
    actor: Any,
    projet: ProjetPersonnalise,
    section: str,
    values: Any,
    expected_version: int,
    request: HttpRequest | None = None,
) -> ProjetPersonnalise:
    """Replace one section of the draft. A stale form (someone saved since it was shown)
    raises ProjetConflict with both sets of values; nothing is written."""
    cleaned = schema.clean_section(section, values)
    with transaction.atomic():
        ensure_writable(projet.usager)
        if not may_write(actor, projet.usager):
            raise ProjetError("Vous n'êtes pas habilité à modifier ce projet personnalisé.")
        current = _locked(projet)
        _ensure_editable(current)
        _check_version(current, expected_version, schema.flatten_section(section, cleaned), section)
        _check_links(current.contenu, section, cleaned)
        if schema.section_of(current.contenu, section) == cleaned:
            return current
        current.contenu = {**current.contenu, section: cleaned}
        _touch(current, actor)
        current.save()
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager_id=current.usager_id,
            etablissement_id=current.etablissement_id,
            details={
                "section": section,
                "elements": len(cleaned) if isinstance(cleaned, list) else None,
                "version": current.version,
                "brouillon": current.numero_brouillon,
            },
        )
    return current


def participants_save(
    *,
    actor: Any,
    projet: ProjetPersonnalise,
    personne: bool,
    proche_ids: list[int],
    professionnel_ids: list[int],
    autres: str,
    referent_id: int | None,
    expected_version: int,
    request: HttpRequest | None = None,
) -> ProjetPersonnalise:
    """Who takes part in the project (traced by name in the draft) and its référent."""
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        ensure_writable(projet.usager)
        if not may_write(actor, projet.usager):
            raise ProjetError("Vous n'êtes pas habilité à modifier ce projet personnalisé.")
        current = _locked(projet)
        _ensure_editable(current)
        choices = participants_choices(current, actor)
        proches = dict(choices["proches"])
        pros = dict(choices["professionnels"])
        if any(i not in proches for i in proche_ids):
            raise ProjetError("Ce proche n'est pas dans l'entourage de la personne.")
        referent = None
        if referent_id is not None:
            referent = get_user_model().objects.filter(pk=referent_id).first()
            if referent is None or not may_write(referent, current.usager):
                raise ProjetError(
                    "Le référent doit être un professionnel qui peut modifier le projet de "
                    "la personne."
                )
            pros.setdefault(referent.pk, referent.get_full_name() or referent.email)
        if any(i not in pros for i in professionnel_ids):
            raise ProjetError("Ce professionnel ne fait pas partie de l'équipe de la personne.")
        participants: list[dict[str, Any]] = []
        if personne:
            participants.append({"type": "personne", "libelle": "La personne"})
        representants = set(
            Proche.objects.filter(pk__in=proche_ids, is_representant_legal=True).values_list(
                "pk", flat=True
            )
        )
        for i in proche_ids:
            kind = "representant" if i in representants else "proche"
            participants.append({"type": kind, "id": i, "libelle": proches[i]})
        for i in professionnel_ids:
            participants.append({"type": "professionnel", "id": i, "libelle": pros[i]})
        if autres.strip():
            participants.append({"type": "autre", "libelle": autres.strip()})
        mine = [
            (schema.PARTICIPANTS_LABEL, ", ".join(p["libelle"] for p in participants)),
            ("Référent", referent.get_full_name() if referent else ""),
        ]
        _check_version(current, expected_version, mine, "participants")
        if current.contenu.get("participants") == participants and (
            current.referent_id == (referent.pk if referent else None)
        ):
            return current
        current.contenu = {**current.contenu, "participants": participants}
        current.referent = referent
        _touch(current, actor)
        current.save()
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager_id=current.usager_id,
            etablissement_id=current.etablissement_id,
            details={
                "section": "participants",
                "participants": len(participants),
                "referent_id": current.referent_id,
                "version": current.version,
            },
        )
    return current


def projet_signer(
    *,
    actor: Any,
    projet: ProjetPersonnalise,
    expected_version: int,
    personne_qualite: str,
    representant_id: int | None,
    personne_signe_le: datetime.date,
    personne_moyen: str,
    referent_moyen: str = MoyenSignature.AUTHENTIFICATION,
    request: HttpRequest | None = None,
) -> VersionProjet:
    """The référent records both signatures: the draft is frozen as version n, the project
    goes to "mise en œuvre", the next revision will be version n + 1."""
    today = timezone.localdate()
    with transaction.atomic():
        ensure_writable(projet.usager)
        current = _locked(projet)
        if current.etape not in SIGNABLE:
            if current.etape == Etape.CLOTURE:
                raise ProjetError("Ce projet est clôturé : il ne peut plus être signé.")
            raise ProjetError(
                "Le projet se signe à l'étape « Co-construction » ou « Suivi et actualisation »."
            )
        if current.referent_id is None:
            raise ProjetError("Désignez d'abord le référent du projet (rubrique Participants).")
        if current.referent_id != actor.pk or not may_write(actor, current.usager):
            name = current.referent.get_full_name() if current.referent else ""
            raise ProjetError(f"Seul le référent du projet ({name}) peut le signer.")
        if not schema.section_of(current.contenu, "objectifs"):
            raise ProjetError("Le projet doit comporter au moins un objectif pour être signé.")
        if personne_moyen not in MoyenSignature.values or personne_moyen == "authentification":
            raise ProjetError("Indiquez comment la personne (ou son représentant) a signé.")
        if referent_moyen not in MoyenSignature.values:
            raise ProjetError("Moyen de signature du référent inconnu.")
        if personne_signe_le > today:
            raise ProjetError("La date de signature ne peut pas être dans le futur.")
        if personne_signe_le < timezone.localtime(current.ouvert_le).date():
            raise ProjetError("La date de signature ne peut pas précéder l'ouverture du projet.")
        if personne_qualite == QualiteSignataire.PERSONNE:
            personne_nom = current.usager.display_name
        elif personne_qualite == QualiteSignataire.REPRESENTANT:
            representant = Proche.objects.filter(
                pk=representant_id or 0,
                usager=current.usager,
                is_representant_legal=True,
                actif=True,
            ).first()
            if representant is None:
                raise ProjetError(
                    "Choisissez le représentant légal qui a signé (renseigné dans l'entourage)."
                )
            personne_nom = f"{representant.prenom} {representant.nom}".strip()
        else:
            raise ProjetError("Indiquez qui a signé pour la personne.")
        _check_version(current, expected_version, [], "etape")
        # The habits of life collected at the recueil are frozen with the version.
        current.contenu = {
            **current.contenu,
            "habitudes": schema.habitudes_snapshot(current.usager),
        }
        version = VersionProjet.objects.create(
            projet=current,
            numero=current.numero_brouillon,
            contenu=copy.deepcopy(current.contenu),
            etape=current.etape,
            personne_qualite=personne_qualite,
            personne_nom=personne_nom,
            personne_signe_le=personne_signe_le,
            personne_moyen=personne_moyen,
            referent=actor,
            referent_nom=actor.get_full_name() or actor.email,
            referent_signe_le=today,
            referent_moyen=referent_moyen,
        )
        current.numero_brouillon += 1
        current.derniere_signature_le = max(personne_signe_le, today)
        _touch(current, actor)
        _transition(
            current, Etape.MISE_EN_OEUVRE, actor, f"Version {version.numero} signée", request
        )
        current.echeance = echeance_de(current)
        current.save()
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=version,
            usager_id=current.usager_id,
            etablissement_id=current.etablissement_id,
            details={
                "projet_id": current.pk,
                "numero": version.numero,
                "personne_qualite": personne_qualite,
                "personne_moyen": personne_moyen,
                "referent_moyen": referent_moyen,
            },
        )
    return version


def _close(
    current: ProjetPersonnalise,
    *,
    actor: Any,
    motif: str,
    date: datetime.date,
    commentaire: str,
    request: Any,
) -> None:
    current.cloture_le = date
    current.motif_cloture = motif
    _touch(current, actor)
    _transition(current, Etape.CLOTURE, actor, commentaire, request)
    current.echeance = None
    current.save()


def projet_cloturer(
    *,
    actor: Any,
    projet: ProjetPersonnalise,
    motif: str,
    date: datetime.date,
    expected_version: int,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> ProjetPersonnalise:
    """Close the project (exit, transfer…); its signed versions stay readable."""
    with transaction.atomic():
        ensure_writable(projet.usager)
        if not may_write(actor, projet.usager):
            raise ProjetError("Vous n'êtes pas habilité à clôturer ce projet personnalisé.")
        current = _locked(projet)
        if current.etape == Etape.CLOTURE:
            raise ProjetError("Ce projet est déjà clôturé.")
        if motif not in MotifCloture.values:
            raise ProjetError("Indiquez le motif de la clôture.")
        if date > timezone.localdate():
            raise ProjetError("La date de clôture ne peut pas être dans le futur.")
        if date < timezone.localtime(current.ouvert_le).date():
            raise ProjetError("La date de clôture ne peut pas précéder l'ouverture du projet.")
        _check_version(current, expected_version, [("Étape", Etape.CLOTURE.label)], "etape")
        _close(
            current,
            actor=actor,
            motif=motif,
            date=date,
            commentaire=commentaire,
            request=request,
        )
    return current


_MOTIFS_SORTIE: dict[str, str] = {
    MotifSortie.TRANSFERT_INTERNE: MotifCloture.TRANSFERT,
    MotifSortie.AUTRE_ETABLISSEMENT: MotifCloture.TRANSFERT,
    MotifSortie.DECES: MotifCloture.DECES,
}


def close_on_exit(sejour: PriseEnCharge) -> ProjetPersonnalise | None:
    """Called when a stay gets its exit date (inside the exit's transaction): the project
    attached to that stay is closed, by whoever recorded the exit."""
    projet = (
        ProjetPersonnalise.objects.select_for_update()
        .filter(prise_en_charge=sejour)
        .exclude(etape=Etape.CLOTURE)
        .first()
    )
    if projet is None or sejour.date_fin is None:
        return None
    _close(
        projet,
        actor=sejour.sorti_par or projet.modifie_par,
        motif=_MOTIFS_SORTIE.get(sejour.motif_sortie, str(MotifCloture.SORTIE)),
        date=sejour.date_fin,
        commentaire="Clôture automatique à la sortie",
        request=None,
    )
    return projet


def journal_print(
    *, actor: Any, version: VersionProjet, request: HttpRequest | None = None
) -> None:
    audit.record(
        action=AuditAction.PRINT,
        actor=actor,
        request=request,
        obj=version,
        usager_id=version.projet.usager_id,
        break_glass=policy.is_break_glass_access(actor, version.projet.usager),
        details={"document": "projet_personnalise", "numero": version.numero},
    )


def archiver_version(
    *, actor: Any, version: VersionProjet, request: HttpRequest | None = None
) -> Any:
    """Store a signed version in the person's documents (the person's PDF, and its CDA when
    it validates) as the next version of the project's document, so that it can be shared
    (DMP). Raises ProjetError with a French message when it cannot be generated."""
    from dui.documents.models import Document
    from dui.documents.services import DocumentError
    from dui.documents.types import PROJET_PERSONNALISE
    from dui.interop import cda
    from dui.interop.cda.generation import CDAError, enregistrer

    projet = version.projet
    document = (
        Document.objects.filter(
            usager=projet.usager,
            type_code=PROJET_PERSONNALISE,
            prise_en_charge=projet.prise_en_charge,
            retire_le__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    try:
        generated = cda.generer(
            "projet_personnalise", projet.usager, actor, version=version, document=document
        )
        return enregistrer(
            generated, user=actor, usager=projet.usager, document=document, request=request
        )
    except (CDAError, DocumentError) as error:
        raise ProjetError(
            f"Le projet est signé, mais son document n'a pas pu être enregistré : {error}"
        ) from error
