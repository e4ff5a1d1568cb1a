"""The home-care cahier de liaison: partner services under convention, and the explicit
sharing of transmissions with the person and their aidants or with a partner.

Sharing is a disclosure of the note, so it needs the write right of the note's category
(models.POLICY_CATEGORIE), like writing it. It never widens what a professional reads: every
list and export here is also restricted to the categories the reader may read. What a
partner (or the person, through the future portal) may see is decided in one place,
`shared_with`: the notes actively shared with them, and for a partner only while its
convention is in force.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.accompagnement.models import (
    POLICY_CATEGORIE,
    DestinataireCahier,
    PartageTransmission,
    Partenaire,
    Transmission,
)
from dui.accompagnement.transmissions import TransmissionError
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.structures.models import Etablissement
from dui.structures.validators import check_finess, luhn_ok
from dui.usagers.access import ensure_writable
from dui.usagers.models import Usager

PARTENAIRE_FIELDS = (
    "nom",
    "finess",
    "siret",
    "convention_debut",
    "convention_fin",
    "contact_nom",
    "contact_telephone",
    "contact_email",
)
# La Poste's establishments have SIRETs that fail Luhn; their own rule is a digit sum
# multiple of 5.
LA_POSTE_SIREN = "356000000"


class LiaisonError(TransmissionError):
    """A refused change, with the French message shown to the person."""


# --- partners --------------------------------------------------------------------------------


def may_read_partners(user: Any, etablissement: Etablissement | None) -> bool:
    """The partner list is read by whoever lists the établissement's persons."""
    return policy.may_list_usagers(user, etablissement)


def may_manage_partners(user: Any, etablissement: Etablissement | None) -> bool:
    """Conventions are managed by those who write the établissement's administrative data
    (direction, chef de service, secrétariat)."""
    if etablissement is None:
        return False
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and "administratif" in d.ecriture)


def check_siret(raw: str) -> str:
    value = re.sub(r"\s", "", raw or "")
    if not re.fullmatch(r"\d{14}", value):
        raise LiaisonError("Un numéro SIRET comporte exactement 14 chiffres.")
    if value.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in value) % 5 == 0
    else:
        valid = luhn_ok(value)
    if not valid:
        raise LiaisonError("La clé de contrôle de ce numéro SIRET est incorrecte : vérifiez-le.")
    return value


def _clean_partenaire(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data.get(k) for k in PARTENAIRE_FIELDS}
    for k in ("nom", "finess", "siret", "contact_nom", "contact_telephone", "contact_email"):
        values[k] = (values[k] or "").strip()
    if not values["nom"]:
        raise LiaisonError("Indiquez le nom du partenaire.")
    if values["finess"]:
        try:
            check = check_finess(values["finess"])
        except ValidationError as error:
            raise LiaisonError(" ".join(error.messages)) from error
        if check.needs_confirmation:
            raise LiaisonError(check.message.split(" Confirmez")[0])
        values["finess"] = check.value
    if values["siret"]:
        values["siret"] = check_siret(values["siret"])
    if not (values["finess"] or values["siret"]):
        raise LiaisonError("Indiquez le numéro FINESS ou le numéro SIRET du partenaire.")
    if not isinstance(values["convention_debut"], datetime.date):
        raise LiaisonError("Indiquez la date de début de la convention.")
    fin = values["convention_fin"]
    if fin is not None and fin < values["convention_debut"]:
        raise LiaisonError("La fin de la convention est avant son début.")
    return values


def partenaire_save(
    *,
    actor: Any,
    etablissement: Etablissement,
    data: dict[str, Any],
    partenaire: Partenaire | None = None,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Partenaire:
    """Create a partner of the établissement, or change one (stale save refused)."""
    if not may_manage_partners(actor, etablissement):
        raise LiaisonError("Vous n'êtes pas habilité à gérer les partenaires.")
    values = _clean_partenaire(data)
    with transaction.atomic():
        if partenaire is None:
            partenaire = Partenaire.objects.create(etablissement=etablissement, **values)
            changed = sorted(values)
            action = AuditAction.CREATE
        else:
            current = Partenaire.objects.select_for_update().get(
                pk=partenaire.pk, etablissement=etablissement
            )
            if version is None or current.version != version:
                raise LiaisonError(
                    "Ce partenaire a été modifié entre-temps par quelqu'un d'autre : "
                    "rechargez la page pour voir la version actuelle."
                )
            changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
            for k, v in values.items():
                setattr(current, k, v)
            current.version += 1
            current.save()
            partenaire = current
            action = AuditAction.UPDATE
        audit.record(
            action=action,
            actor=actor,
            request=request,
            obj=partenaire,
            etablissement=etablissement,
            details={"champs": changed},
        )
    return partenaire


def partenaires_sous_convention(
    etablissement_ids: list[int], jour: datetime.date | None = None
) -> QuerySet[Partenaire]:
    jour = jour or timezone.localdate()
    return Partenaire.objects.filter(
        etablissement_id__in=etablissement_ids, convention_debut__lte=jour
    ).exclude(convention_fin__lt=jour)


# --- sharing ---------------------------------------------------------------------------------


def _require_write(actor: Any, transmission: Transmission) -> None:
    data = POLICY_CATEGORIE[transmission.categorie]
    if not policy.allows(actor, f"usager.{data}.write", transmission.usager):
        raise LiaisonError(
            "Seul un professionnel habilité à écrire dans cette catégorie peut partager "
            "ou retirer cette transmission."
        )


def _refresh_flag(transmission: Transmission) -> None:
    """Transmission.partage_cahier_liaison says "shared with someone now" (badge, lists)."""
    shared = transmission.partages.filter(retire_le__isnull=True).exists()
    if shared != transmission.partage_cahier_liaison:
        Transmission.objects.filter(pk=transmission.pk).update(partage_cahier_liaison=shared)
        transmission.partage_cahier_liaison = shared


def _share(
    actor: Any,
    transmission: Transmission,
    destinataire: str,
    partenaire: Partenaire | None,
    request: HttpRequest | None,
) -> PartageTransmission:
    """Create one sharing row and journal it (caller holds the transaction and the checks)."""
    if destinataire == DestinataireCahier.PARTENAIRE:
        if partenaire is None:
            raise LiaisonError("Choisissez le service partenaire.")
        if partenaire.etablissement_id != transmission.etablissement_id:
            raise LiaisonError("Ce partenaire n'a pas de convention avec cet établissement.")
        if not partenaire.sous_convention(timezone.localdate()):
            raise LiaisonError("La convention avec ce partenaire n'est pas en cours.")
    elif destinataire == DestinataireCahier.PERSONNE:
        partenaire = None
    else:
        raise LiaisonError("Destinataire inconnu.")
    active = transmission.partages.filter(
        retire_le__isnull=True, destinataire=destinataire, partenaire=partenaire
    )
    if active.exists():
        raise LiaisonError("Cette transmission est déjà partagée avec ce destinataire.")
    partage = PartageTransmission.objects.create(
        transmission=transmission,
        destinataire=destinataire,
        partenaire=partenaire,
        partage_par=actor,
    )
    audit.record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=partage,
        usager_id=transmission.usager_id,
        etablissement_id=transmission.etablissement_id,
        details={
            "transmission": transmission.pk,
            "destinataire": destinataire,
            "partenaire": partenaire.pk if partenaire else None,
        },
    )
    return partage


def transmission_share(
    *,
    actor: Any,
    transmission: Transmission,
    destinataire: str,
    partenaire: Partenaire | None = None,
    request: HttpRequest | None = None,
) -> PartageTransmission:
    """Share a transmission in the cahier de liaison with the person and their aidants, or
    with a partner service under convention."""
    with transaction.atomic():
        transmission = (
            Transmission.objects.select_for_update()
            .select_related("usager")
            .get(pk=transmission.pk)
        )
        ensure_writable(transmission.usager)
        _require_write(actor, transmission)
        if transmission.corrigee_le is not None:
            raise LiaisonError("Cette transmission a été corrigée : partagez sa correction.")
        partage = _share(actor, transmission, destinataire, partenaire, request)
        _refresh_flag(transmission)
    return partage


def transmission_unshare(
    *,
    actor: Any,
    partage: PartageTransmission,
    motif: str,
    request: HttpRequest | None = None,
) -> PartageTransmission:
    """Stop sharing: the row stays, with who withdrew it, when and why."""
    if not motif.strip():
        raise LiaisonError("Indiquez le motif du retrait.")
    with transaction.atomic():
        partage = (
            PartageTransmission.objects.select_for_update()
            .select_related("transmission__usager")
            .get(pk=partage.pk)
        )
        transmission = partage.transmission
        ensure_writable(transmission.usager)
        _require_write(actor, transmission)
        if partage.retire_le is not None:
            raise LiaisonError("Ce partage a déjà été retiré.")
        partage.retire_le = timezone.now()
        partage.retire_par = actor
        partage.motif_retrait = motif.strip()
        partage.save(update_fields=["retire_le", "retire_par", "motif_retrait"])
        _refresh_flag(transmission)
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=partage,
            usager_id=transmission.usager_id,
            etablissement_id=transmission.etablissement_id,
            reason=partage.motif_retrait,
            details={"transmission": transmission.pk, "retrait": True},
        )
    return partage


def share_on_write(
    actor: Any,
    transmission: Transmission,
    request: HttpRequest | None,
    carry_from: Transmission | None = None,
) -> None:
    """On writing a note ticked "cahier de liaison": share it with the person and aidants,
    and on a correction, with every recipient the corrected note was still shared with."""
    recipients: list[tuple[str, Partenaire | None]] = []
    if carry_from is not None:
        today = timezone.localdate()
        for p in carry_from.partages.filter(retire_le__isnull=True).select_related("partenaire"):
            if p.partenaire is None or p.partenaire.sous_convention(today):
                recipients.append((p.destinataire, p.partenaire))
    if not recipients:
        recipients = [(DestinataireCahier.PERSONNE, None)]
    for destinataire, partenaire in recipients:
        _share(actor, transmission, destinataire, partenaire, request)


# --- reading ---------------------------------------------------------------------------------


def _partages_prefetch() -> Prefetch:
    return Prefetch(
        "partages",
        queryset=PartageTransmission.objects.select_related(
            "partenaire", "partage_par", "retire_par"
        ),
    )


def cahier(usager: Usager, categories: list[str]) -> QuerySet[Transmission]:
    """The person's transmissions ever shared (active or withdrawn), readable categories
    only, each with its sharing history."""
    ever = PartageTransmission.objects.filter(transmission=OuterRef("pk"))
    return (
        Transmission.objects.filter(usager=usager, categorie__in=categories)
        .filter(Exists(ever))
        .select_related("auteur")
        .prefetch_related(_partages_prefetch())
    )


def shared_with(
    usager: Usager, partenaire: Partenaire | None, jour: datetime.date | None = None
) -> QuerySet[Transmission]:
    """What the recipient may see: the notes actively shared with the person and aidants
    (partenaire None) or with this partner while its convention is in force."""
    active = PartageTransmission.objects.filter(transmission=OuterRef("pk"), retire_le__isnull=True)
    if partenaire is None:
        active = active.filter(destinataire=DestinataireCahier.PERSONNE)
    else:
        if not partenaire.sous_convention(jour or timezone.localdate()):
            return Transmission.objects.none()
        active = active.filter(destinataire=DestinataireCahier.PARTENAIRE, partenaire=partenaire)
    return (
        Transmission.objects.filter(usager=usager, corrigee_le__isnull=True)
        .filter(Exists(active))
        .select_related("auteur")
        .order_by("-cree_le", "-pk")
    )


def export_for(
    user: Any, usager: Usager, partenaire: Partenaire | None, categories: list[str]
) -> list[Transmission]:
    """The printed cahier for one recipient, as this professional may print it: what the
    recipient may see AND what the professional may read (sharing never widens it)."""
    return list(shared_with(usager, partenaire).filter(categorie__in=categories))


def render_export_pdf(
    usager: Usager,
    partenaire: Partenaire | None,
    transmissions: list[Transmission],
    *,
    author: Any,
) -> bytes:
    from django.template.loader import render_to_string

    from dui.ui import pdf as ui_pdf
    from dui.usagers.synthese import PRINT_CSS

    html = render_to_string(
        "accompagnement/cahier_liaison_print.html",
        {
            "usager": usager,
            "partenaire": partenaire,
            "transmissions": transmissions,
            "author": author,
            "printed_at": timezone.localtime(),
        },
    )
    return ui_pdf.render_pdf(html, stylesheets=(PRINT_CSS,))
