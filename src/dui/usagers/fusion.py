"""Merging two records of the same person, and undoing a merge.

Every row that points to the duplicate (in any app, now or later) moves to the kept record;
the moves are stored on the Fusion so that an undo puts exactly those rows back. Identity
history, duplicate suspicions and merges themselves stay where they are.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.usagers.access import ensure_writable
from dui.usagers.identite import IdentiteError
from dui.usagers.models import EvenementIdentite, Fusion, SuspicionDoublon, Usager

# Links that describe a record itself rather than the person's data.
_KEPT_IN_PLACE = {
    "usagers.usager.fusionne_dans",
    "usagers.evenementidentite.usager",
    "usagers.suspiciondoublon.usager",
    "usagers.suspiciondoublon.candidat",
    "usagers.fusion.garde",
    "usagers.fusion.doublon",
}


def _links() -> list[tuple[type[models.Model], str, str]]:
    found = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.ForeignKey) and f.related_model is Usager:
                key = f"{model._meta.label_lower}.{f.name}"
                if key not in _KEPT_IN_PLACE:
                    found.append((model, f.name, key))
    return found


# Public name: the identitovigilance screens show what a merge would move.
links = _links


def _move(model: type[models.Model], field: str, pks: list[Any], target: Usager) -> list[Any]:
    """Point rows to `target`; rows that a unique constraint forbids to move stay behind."""
    try:
        with transaction.atomic():
            model._default_manager.filter(pk__in=pks).update(**{field: target})
        return pks
    except IntegrityError:
        moved = []
        for pk in pks:
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=pk).update(**{field: target})
                moved.append(pk)
            except IntegrityError:
                continue
        return moved


def usagers_merge(
    *, user: Any, garde: Usager, doublon: Usager, motif: str, request: HttpRequest | None = None
) -> Fusion:
    """Merge `doublon` into `garde` (same organisme); every move is journaled."""
    if garde.pk == doublon.pk:
        raise IdentiteError("Choisissez deux dossiers différents.")
    if garde.organisme_id != doublon.organisme_id:
        raise IdentiteError("On ne fusionne que des dossiers du même organisme gestionnaire.")
    if not motif.strip():
        raise IdentiteError("Indiquez le motif de la fusion.")
    with transaction.atomic():
        locked = {
            u.pk: u
            for u in Usager.objects.select_for_update().filter(pk__in=[garde.pk, doublon.pk])
        }
        garde, doublon = locked[garde.pk], locked[doublon.pk]
        if garde.fusionne_dans_id or doublon.fusionne_dans_id:
            raise IdentiteError("L'un des deux dossiers a déjà été fusionné.")
        # The kept record receives data, so it must be open; an archived duplicate may go.
        ensure_writable(garde)
        fusion = Fusion.objects.create(
            garde=garde, doublon=doublon, fusionne_par=user, motif=motif.strip()
        )
        moves: dict[str, list[Any]] = {}
        for model, field, key in _links():
            pks = list(
                model._default_manager.filter(**{field: doublon}).values_list("pk", flat=True)
            )
            if not pks:
                continue
            moved = _move(model, field, pks, garde)
            moves[key] = moved
            audit.record(
                action=AuditAction.UPDATE,
                actor=user,
                request=request,
                obj=fusion,
                usager=garde,
                details={
                    "fusion": fusion.pk,
                    "relation": key,
                    "deplaces": moved,
                    "restes": sorted(set(pks) - set(moved)),
                },
            )
        fusion.deplacements = moves
        fusion.save(update_fields=["deplacements"])
        doublon.fusionne_dans = garde
        doublon.version += 1
        doublon.save(update_fields=["fusionne_dans", "version"])
        SuspicionDoublon.objects.filter(
            models.Q(usager=garde, candidat=doublon) | models.Q(usager=doublon, candidat=garde)
        ).update(
            statut=SuspicionDoublon.Statut.FUSIONNE,
            traite_par=user,
            traite_le=timezone.now(),
            motif=motif.strip(),
        )
        for u in (garde, doublon):
            EvenementIdentite.objects.create(
                usager=u,
                user=user,
                type=EvenementIdentite.Type.TRAITS,
                statut_avant=u.statut_identite,
                statut_apres=u.statut_identite,
                motif=f"Fusion n° {fusion.pk} : {motif.strip()}",
                details={"fusion": fusion.pk, "garde": garde.pk, "doublon": doublon.pk},
            )
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=fusion,
            usager=doublon,
            details={"fusion": fusion.pk, "fusionne_dans": garde.pk},
        )
    return fusion


def fusion_undo(
    *, user: Any, fusion: Fusion, motif: str, request: HttpRequest | None = None
) -> Fusion:
    """Put back exactly the rows the merge moved, and reopen the duplicate record."""
    if not motif.strip():
        raise IdentiteError("Indiquez le motif de l'annulation.")
    with transaction.atomic():
        fusion = Fusion.objects.select_for_update().get(pk=fusion.pk)
        if fusion.annulee_le is not None:
            raise IdentiteError("Cette fusion a déjà été annulée.")
        later = Fusion.objects.filter(doublon_id=fusion.garde_id, annulee_le__isnull=True).first()
        if later is not None:
            raise IdentiteError(
                f"Le dossier conservé a depuis été fusionné (fusion n° {later.pk}) : "
                "annulez d'abord cette fusion-là."
            )
        models_by_key = {key: (model, field) for model, field, key in _links()}
        for key, pks in fusion.deplacements.items():
            model, field = models_by_key[key]
            model._default_manager.filter(pk__in=pks, **{field: fusion.garde_id}).update(
                **{field: fusion.doublon_id}
            )
            audit.record(
                action=AuditAction.UPDATE,
                actor=user,
                request=request,
                obj=fusion,
                usager=fusion.doublon,
                details={"annulation_fusion": fusion.pk, "relation": key, "replaces": pks},
            )
        Usager.objects.filter(pk=fusion.doublon_id).update(
            fusionne_dans=None, version=models.F("version") + 1
        )
        SuspicionDoublon.objects.filter(
            models.Q(usager=fusion.garde, candidat=fusion.doublon)
            | models.Q(usager=fusion.doublon, candidat=fusion.garde)
        ).update(statut=SuspicionDoublon.Statut.A_TRAITER, traite_par=None, traite_le=None)
        fusion.annulee_le = timezone.now()
        fusion.annulee_par = user
        fusion.save(update_fields=["annulee_le", "annulee_par"])
        for u in (fusion.garde, fusion.doublon):
            EvenementIdentite.objects.create(
                usager=u,
                user=user,
                type=EvenementIdentite.Type.TRAITS,
                statut_avant=u.statut_identite,
                statut_apres=u.statut_identite,
                motif=f"Annulation de la fusion n° {fusion.pk} : {motif.strip()}",
                details={"annulation_fusion": fusion.pk},
            )
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=fusion,
            usager=fusion.garde,
            details={"annulation_fusion": fusion.pk},
        )
    return fusion
