"""Changes to persons and their identity. Each function is one transaction with its journal
entry and its identity event; callers pass the version they displayed, and a stale one is
refused (no silent overwrite)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.interop.ins.matricule import INS_OIDS, parse_matricule
from dui.interop.ins.schemas import ResultatINSi
from dui.usagers.access import ensure_writable
from dui.usagers.identite import (
    IdentiteError,
    PrecisionDate,
    StatutIdentite,
    check_transition,
    is_high_trust,
    may_call_insi,
)
from dui.usagers.identitovigilance import Candidat, Niveau, Traits, find_duplicates
from dui.usagers.models import EvenementIdentite, SuspicionDoublon, Usager

STRICT_TRAITS = (
    "nom_naissance",
    "prenoms_naissance",
    "date_naissance",
    "sexe",
    "lieu_naissance_insee",
)
OTHER_TRAITS = ("nom_utilise", "prenom_utilise", "date_naissance_precision")


class DoublonPotentiel(IdentiteError):
    """Strong duplicate candidates: creation waits for the user to say they are different."""

    def __init__(self, candidats: list[Candidat]) -> None:
        super().__init__(
            "Cette personne ressemble fortement à une personne déjà connue. Vérifiez qu'il "
            "ne s'agit pas d'elle avant de créer un nouveau dossier."
        )
        self.candidats = candidats


def _label(field_name: str) -> str:
    return str(getattr(Usager._meta.get_field(field_name), "verbose_name", field_name))


class VersionConflict(IdentiteError):
    """Someone else changed the identity since the form was displayed."""

    def __init__(self, changed: list[str]) -> None:
        labels = ", ".join(str(_label(f)) for f in changed)
        changed_part = f" ({labels})" if labels else ""
        super().__init__(
            "Cette identité a été modifiée par quelqu'un d'autre entre-temps"
            f"{changed_part}. Rechargez la page pour voir la version actuelle ; rien n'a été "
            "enregistré."
        )
        self.changed = changed


def _normalize_traits(traits: dict[str, Any]) -> dict[str, Any]:
    clean = dict(traits)
    if "nom_naissance" in clean:
        clean["nom_naissance"] = " ".join(clean["nom_naissance"].split()).upper()
    if "prenoms_naissance" in clean:
        clean["prenoms_naissance"] = " ".join(clean["prenoms_naissance"].split())
    if "lieu_naissance_insee" in clean:
        clean["lieu_naissance_insee"] = clean["lieu_naissance_insee"].strip().upper()
    return clean


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _locked(usager: Usager, expected_version: int | None) -> Usager:
    current = Usager.objects.select_for_update().get(pk=usager.pk)
    if expected_version is not None and current.version != expected_version:
        changed = [
            f for f in (*STRICT_TRAITS, *OTHER_TRAITS) if getattr(current, f) != getattr(usager, f)
        ]
        raise VersionConflict(changed)
    ensure_writable(current)
    return current


def _event(
    usager: Usager,
    *,
    user: Any,
    type: str,
    statut_avant: str,
    motif: str = "",
    justificatif: str = "",
    details: dict[str, Any] | None = None,
) -> EvenementIdentite:
    return EvenementIdentite.objects.create(
        usager=usager,
        user=user,
        type=type,
        statut_avant=statut_avant,
        statut_apres=usager.statut_identite,
        justificatif=justificatif,
        haute_confiance=is_high_trust(justificatif) if justificatif else False,
        motif=motif,
        details=details or {},
    )


def _downgrade(current: Usager, cible: str, details: dict[str, Any]) -> list[str]:
    """Lower the status; without INSi behind it (provisoire, validée) the INS is withdrawn
    and kept only in the event's details. Returns the fields changed."""
    check_transition(current.statut_identite, cible, "declassement")
    current.statut_identite = cible
    if cible not in (StatutIdentite.PROVISOIRE, StatutIdentite.VALIDEE):
        return ["statut_identite"]
    details["ins_retire"] = current.matricule_ins
    current.matricule_ins = ""
    current.oid_ins = ""
    return ["statut_identite", "matricule_ins", "oid_ins"]


def _commit(
    current: Usager,
    fields: list[str],
    *,
    user: Any,
    request: HttpRequest | None,
    type: str,
    statut_avant: str,
    audit_details: dict[str, Any],
    **event: Any,
) -> None:
    """Save an identity change with its identity event and its journal entry."""
    _save(current, fields)
    _event(current, user=user, type=type, statut_avant=statut_avant, **event)
    audit.record(
        action=AuditAction.UPDATE,
        actor=user,
        request=request,
        obj=current,
        usager=current,
        details=audit_details,
    )


def _save(usager: Usager, fields: list[str]) -> None:
    usager.version += 1
    usager.full_clean(exclude=["organisme"])
    usager.save(update_fields=[*fields, "version"])


def usager_create(
    *,
    user: Any,
    organisme: Any,
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
) -> Usager:
    """Create a person with a provisoire identity, after the duplicate check.

    Strong candidates block the creation (DoublonPotentiel) unless their ids are in
    `differente_de`, i.e. the user confirmed they are other people (recorded with the
    reason); medium ones go to the identitovigilance review queue.
    """
    traits = _normalize_traits(
        {
            "nom_naissance": nom_naissance,
            "prenoms_naissance": prenoms_naissance,
            "date_naissance": date_naissance,
            "sexe": sexe,
            "lieu_naissance_insee": lieu_naissance_insee,
        }
    )
    candidats = find_duplicates(
        organisme_id=organisme.pk,
        traits=Traits(
            traits["nom_naissance"],
            traits["prenoms_naissance"],
            traits["date_naissance"],
            traits["sexe"],
            traits["lieu_naissance_insee"],
            nom_utilise,
        ),
    )
    blocking = [
        c for c in candidats if c.niveau == Niveau.FORT and c.usager.pk not in differente_de
    ]
    if blocking:
        raise DoublonPotentiel(blocking)
    if differente_de and not motif_differente.strip():
        raise IdentiteError("Indiquez pourquoi il s'agit d'une personne différente.")
    with transaction.atomic():
        usager = Usager(
            organisme=organisme,
            nom_utilise=nom_utilise.strip(),
            prenom_utilise=prenom_utilise.strip(),
            date_naissance_precision=date_naissance_precision,
            **traits,
        )
        usager.full_clean()
        usager.save()
        _event(usager, user=user, type=EvenementIdentite.Type.CREATION, statut_avant="")
        _record_suspicions(
            usager, candidats, user=user, differente_de=differente_de, motif=motif_differente
        )
        audit.record(
            action=AuditAction.CREATE,
            actor=user,
            request=request,
            obj=usager,
            usager=usager,
            details={
                "doublons_ecartes": sorted(differente_de),
                "doublons_signales": [c.usager.pk for c in candidats],
            },
        )
    return usager


def _record_suspicions(
    usager: Usager,
    candidats: list[Candidat],
    *,
    user: Any,
    differente_de: frozenset[int] = frozenset(),
    motif: str = "",
) -> None:
    """Queue each candidate pair once (in either direction); a pair already settled stays
    settled."""
    now = timezone.now()
    for c in candidats:
        if SuspicionDoublon.objects.filter(usager=c.usager, candidat=usager).exists():
            continue
        settled = c.usager.pk in differente_de
        values: dict[str, Any] = {
            "niveau": int(c.niveau),
            "score": c.score,
            "raisons": c.raisons,
            "detecte_par": user,
        }
        if settled:
            values |= {
                "statut": SuspicionDoublon.Statut.DIFFERENTES,
                "traite_par": user,
                "traite_le": now,
                "motif": motif,
            }
            SuspicionDoublon.objects.update_or_create(
                usager=usager, candidat=c.usager, defaults=values
            )
        else:
            SuspicionDoublon.objects.get_or_create(
                usager=usager, candidat=c.usager, defaults=values
            )


def identite_update_traits(
    *,
    user: Any,
    usager: Usager,
    expected_version: int,
    motif: str = "",
    request: HttpRequest | None = None,
    **changes: Any,
) -> Usager:
    """Correct identity traits. A strict trait of an identity that came from INSi or was
    checked on a document cannot change silently: the identity goes back to provisoire,
    and the INS is kept only in the history."""
    unknown = set(changes) - set(STRICT_TRAITS) - set(OTHER_TRAITS)
    if unknown:
        raise ValueError(f"Traits inconnus : {sorted(unknown)}")
    changes = _normalize_traits(changes)
    with transaction.atomic():
        current = _locked(usager, expected_version)
        changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changed:
            return current
        strict_changed = [k for k in changed if k in STRICT_TRAITS]
        before = current.statut_identite
        details: dict[str, Any] = {
            k: [_json(getattr(current, k)), _json(v)] for k, v in changed.items()
        }
        for k, v in changed.items():
            setattr(current, k, v)
        fields = list(changed)
        if strict_changed and before != StatutIdentite.PROVISOIRE:
            if not motif.strip():
                raise IdentiteError(
                    "Modifier un trait d'une identité "
                    f"{StatutIdentite(before).label.lower().removeprefix('identité ')} "
                    "la fait repasser en identité provisoire : indiquez le motif."
                )
            fields += _downgrade(current, StatutIdentite.PROVISOIRE, details)
        _save(current, fields)
        _event(
            current,
            user=user,
            type=EvenementIdentite.Type.TRAITS,
            statut_avant=before,
            motif=motif,
            details=details,
        )
        _record_suspicions(
            current,
            find_duplicates(
                organisme_id=current.organisme_id,
                traits=Traits.of(current),
                exclude_id=current.pk,
            ),
            user=user,
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=current,
            usager=current,
            details={"fields": sorted(changed)},
        )
    return current


def identite_record_insi(
    *,
    user: Any,
    usager: Usager,
    resultat: ResultatINSi,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Usager:
    """Record the answer of an INSi search the user accepted after comparing the traits.

    CR 00: the INS and INSi's traits replace the local ones; provisoire → récupérée, validée
    → qualifiée. Other codes are recorded in the history and change nothing else.
    """
    if not may_call_insi(usager):
        raise IdentiteError(
            "Une identité douteuse ou fictive ne peut pas être recherchée auprès de l'INSi."
        )
    with transaction.atomic():
        current = _locked(usager, expected_version)
        before = current.statut_identite
        current.ins_interroge_le = timezone.now()
        fields = ["ins_interroge_le"]
        details: dict[str, Any] = {"code_cr": resultat.code_cr}
        if resultat.trouve and resultat.traits is not None and resultat.ins is not None:
            try:
                parse_matricule(resultat.ins.matricule)
            except ValidationError as exc:
                raise IdentiteError(
                    "L'INSi a renvoyé un matricule dont la clé est invalide : l'identité "
                    "n'est pas modifiée. Signalez-le au référent en identitovigilance."
                ) from exc
            if resultat.ins.oid not in INS_OIDS:
                raise IdentiteError("L'INSi a renvoyé un OID d'identifiant inconnu.")
            target = {
                StatutIdentite.PROVISOIRE: StatutIdentite.RECUPEREE,
                StatutIdentite.VALIDEE: StatutIdentite.QUALIFIEE,
            }.get(StatutIdentite(before), StatutIdentite(before))
            check_transition(before, target, "insi")
            t = resultat.traits
            new = {
                "nom_naissance": t.nom_naissance,
                "prenoms_naissance": t.liste_prenoms,
                "date_naissance": t.date_naissance,
                "sexe": t.sexe,
                "lieu_naissance_insee": t.lieu_naissance,
                "matricule_ins": resultat.ins.matricule,
                "oid_ins": resultat.ins.oid,
            }
            details["traits"] = {
                k: [_json(getattr(current, k)), _json(v)]
                for k, v in new.items()
                if getattr(current, k) != v
            }
            details["historique"] = [h.matricule for h in resultat.historique]
            for k, v in new.items():
                setattr(current, k, v)
            current.date_naissance_precision = PrecisionDate.JOUR
            current.statut_identite = target
            fields += [*new, "date_naissance_precision", "statut_identite"]
        _commit(
            current,
            fields,
            user=user,
            request=request,
            type=EvenementIdentite.Type.INSI,
            statut_avant=before,
            motif=resultat.libelle_cr,
            details=details,
            audit_details={"insi": resultat.code_cr},
        )
    return current


def identite_check_document(
    *,
    user: Any,
    usager: Usager,
    justificatif: str,
    expected_version: int | None = None,
    motif: str = "",
    request: HttpRequest | None = None,
) -> Usager:
    """Record the identity document checked. A high-trust one validates the identity
    (provisoire → validée, récupérée → qualifiée); a lower-trust one is only recorded."""
    with transaction.atomic():
        current = _locked(usager, expected_version)
        before = current.statut_identite
        fields = ["justificatif"]
        current.justificatif = justificatif
        if is_high_trust(justificatif):
            if current.identite_douteuse or current.identite_fictive:
                raise IdentiteError(
                    "Levez d'abord l'attribut « douteuse » ou « fictive » avant de valider "
                    "l'identité."
                )
            target = {
                StatutIdentite.PROVISOIRE: StatutIdentite.VALIDEE,
                StatutIdentite.RECUPEREE: StatutIdentite.QUALIFIEE,
            }.get(StatutIdentite(before), StatutIdentite(before))
            check_transition(before, target, "justificatif")
            current.statut_identite = target
            fields.append("statut_identite")
        _commit(
            current,
            fields,
            user=user,
            request=request,
            type=EvenementIdentite.Type.JUSTIFICATIF,
            statut_avant=before,
            justificatif=justificatif,
            motif=motif,
            audit_details={"justificatif": justificatif},
        )
    return current


def identite_set_attributes(
    *,
    user: Any,
    usager: Usager,
    douteuse: bool,
    fictive: bool,
    homonyme: bool,
    motif: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Usager:
    """Set the RNIV attributes. Douteuse or fictive sends the identity back to provisoire."""
    if douteuse and fictive:
        raise IdentiteError("Une identité ne peut pas être à la fois douteuse et fictive.")
    if not motif.strip():
        raise IdentiteError("Indiquez le motif de ce changement d'attributs.")
    with transaction.atomic():
        current = _locked(usager, expected_version)
        before = current.statut_identite
        details: dict[str, Any] = {
            "douteuse": [current.identite_douteuse, douteuse],
            "fictive": [current.identite_fictive, fictive],
            "homonyme": [current.homonyme, homonyme],
        }
        current.identite_douteuse = douteuse
        current.identite_fictive = fictive
        current.homonyme = homonyme
        fields = ["identite_douteuse", "identite_fictive", "homonyme"]
        if (douteuse or fictive) and before != StatutIdentite.PROVISOIRE:
            fields += _downgrade(current, StatutIdentite.PROVISOIRE, details)
        _commit(
            current,
            fields,
            user=user,
            request=request,
            type=EvenementIdentite.Type.ATTRIBUTS,
            statut_avant=before,
            motif=motif,
            details=details,
            audit_details={"attributs": sorted(k for k, v in details.items() if k != "ins_retire")},
        )
    return current


def identite_downgrade(
    *,
    user: Any,
    usager: Usager,
    cible: str,
    motif: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Usager:
    """Lower the status (e.g. INSi no longer confirms the INS, document found to be false)."""
    if not motif.strip():
        raise IdentiteError("Indiquez le motif du déclassement.")
    with transaction.atomic():
        current = _locked(usager, expected_version)
        before = current.statut_identite
        details: dict[str, Any] = {}
        fields = _downgrade(current, cible, details)
        _commit(
            current,
            fields,
            user=user,
            request=request,
            type=EvenementIdentite.Type.DECLASSEMENT,
            statut_avant=before,
            motif=motif,
            details=details,
            audit_details={"declassement": cible},
        )
    return current
