"""Changes to organismes gestionnaires, établissements and units, each one journaled.

Authorization is the caller's job (views go through `structures.access`); these functions
re-check what the data itself must satisfy (FINESS well-formed, confirmed when its key fails,
unique) so that no entry point can store a bad number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from dui import audit
from dui.audit.models import AuditAction
from dui.structures.models import Etablissement, OrganismeGestionnaire, Unite
from dui.structures.validators import check_finess

ORGANISME_FIELDS = ("raison_sociale", "finess", "adresse")
ETABLISSEMENT_FIELDS = (
    "nom",
    "finess",
    "categorie",
    "capacite_places",
    "adresse",
    "code_postal",
    "commune",
)
UNITE_FIELDS = ("nom", "type", "capacite_places")
ADMINISTRATEUR_ROLE = "administrateur"


class StructureError(Exception):
    """A change refused for a reason the user can fix; `message` is in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FinessConfirmationRequise(StructureError):
    """The number is well-formed but its key fails (or is Corsican): confirm it first."""


class FinessDejaUtilise(StructureError):
    """Another structure of the same kind already has this number."""


def finess_resolve(
    raw: str,
    *,
    confirmed: bool,
    current_finess: str = "",
    current_confirmed: bool = False,
) -> tuple[str, bool]:
    """The normalized FINESS and the `finess_cle_confirmee` flag to store with it.

    Raises ValidationError when malformed and FinessConfirmationRequise when the key check
    warns and nobody confirmed it (a number confirmed earlier and unchanged stays confirmed).
    """
    check = check_finess(raw)
    if not check.needs_confirmation:
        return check.value, False
    if confirmed or (check.value == current_finess and current_confirmed):
        return check.value, True
    raise FinessConfirmationRequise(check.message)


def _ensure_unique_finess(model: type[Any], finess: str, exclude_pk: int | None) -> None:
    qs = model.objects.filter(finess=finess)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        kind = "un autre organisme" if model is OrganismeGestionnaire else "un autre établissement"
        raise FinessDejaUtilise(f"Ce numéro FINESS est déjà enregistré pour {kind}.")


def _apply(obj: Any, values: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    """Set the allowed values that differ; return the names of the changed fields."""
    changed = []
    for name in allowed:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


def _details(changed: list[str], finess_confirmed_now: bool) -> dict[str, Any]:
    details: dict[str, Any] = {"fields": changed}
    if finess_confirmed_now:
        details["finess_cle_confirmee"] = True
        details["finess_confirmation"] = "clé FINESS confirmée par l'administrateur"
    return details


def organisme_update(
    *,
    actor: Any,
    organisme: OrganismeGestionnaire,
    values: Mapping[str, Any],
    finess_confirme: bool = False,
    request: HttpRequest | None = None,
) -> list[str]:
    """Change an organisme gestionnaire's name, FINESS juridique or address; return the
    changed field names (nothing is journaled when nothing changed)."""
    with transaction.atomic():
        organisme = OrganismeGestionnaire.objects.select_for_update().get(pk=organisme.pk)
        values = dict(values)
        confirmed_now = False
        if "finess" in values:
            values["finess"], flag = finess_resolve(
                values["finess"],
                confirmed=finess_confirme,
                current_finess=organisme.finess,
                current_confirmed=organisme.finess_cle_confirmee,
            )
            _ensure_unique_finess(OrganismeGestionnaire, values["finess"], organisme.pk)
            confirmed_now = flag and (
                values["finess"] != organisme.finess or not organisme.finess_cle_confirmee
            )
            values["finess_cle_confirmee"] = flag
        changed = _apply(organisme, values, (*ORGANISME_FIELDS, "finess_cle_confirmee"))
        if changed:
            organisme.save(update_fields=changed)
            audit.record(
                action=AuditAction.UPDATE,
                actor=actor,
                request=request,
                obj=organisme,
                details=_details(changed, confirmed_now),
            )
        return changed


def etablissement_create(
    *,
    actor: Any,
    organisme: OrganismeGestionnaire,
    values: Mapping[str, Any],
    finess_confirme: bool = False,
    request: HttpRequest | None = None,
) -> Etablissement:
    """Create an établissement in `organisme`; its creator becomes its administrator so they
    keep managing it."""
    from dui.comptes.models import Affectation, Role

    with transaction.atomic():
        values = dict(values)
        finess, flag = finess_resolve(values.pop("finess"), confirmed=finess_confirme)
        _ensure_unique_finess(Etablissement, finess, None)
        etablissement = Etablissement(organisme=organisme, finess=finess, finess_cle_confirmee=flag)
        _apply(etablissement, values, ETABLISSEMENT_FIELDS)
        etablissement.save()
        fields = ["organisme", *[f for f in ETABLISSEMENT_FIELDS if f in values], "finess"]
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=etablissement,
            etablissement=etablissement,
            details=_details(sorted(set(fields)), flag),
        )
        if actor is not None:
            affectation = Affectation.objects.create(
                user=actor,
                etablissement=etablissement,
                role=Role.objects.get(code=ADMINISTRATEUR_ROLE),
            )
            audit.record(
                action=AuditAction.ADMIN,
                actor=actor,
                request=request,
                obj=affectation,
                etablissement=etablissement,
                details={"fields": ["user", "role"], "role": ADMINISTRATEUR_ROLE},
            )
        return etablissement


def etablissement_update(
    *,
    actor: Any,
    etablissement: Etablissement,
    values: Mapping[str, Any],
    finess_confirme: bool = False,
    request: HttpRequest | None = None,
) -> list[str]:
    """Change an établissement's identity, category, capacity or address; return the changed
    field names."""
    with transaction.atomic():
        etablissement = Etablissement.objects.select_for_update().get(pk=etablissement.pk)
        values = dict(values)
        confirmed_now = False
        if "finess" in values:
            values["finess"], flag = finess_resolve(
                values["finess"],
                confirmed=finess_confirme,
                current_finess=etablissement.finess,
                current_confirmed=etablissement.finess_cle_confirmee,
            )
            _ensure_unique_finess(Etablissement, values["finess"], etablissement.pk)
            confirmed_now = flag and (
                values["finess"] != etablissement.finess or not etablissement.finess_cle_confirmee
            )
            values["finess_cle_confirmee"] = flag
        changed = _apply(etablissement, values, (*ETABLISSEMENT_FIELDS, "finess_cle_confirmee"))
        if changed:
            etablissement.save(update_fields=changed)
            audit.record(
                action=AuditAction.UPDATE,
                actor=actor,
                request=request,
                obj=etablissement,
                etablissement=etablissement,
                details=_details(changed, confirmed_now),
            )
        return changed


def _ensure_unique_unite(etablissement: Etablissement, nom: str, exclude_pk: int | None) -> None:
    qs = Unite.objects.filter(etablissement=etablissement, nom__iexact=nom)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise StructureError("Une unité porte déjà ce nom dans cet établissement.")


def unite_create(
    *,
    actor: Any,
    etablissement: Etablissement,
    values: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Unite:
    """Create a unit (wing, group, sector) in an établissement."""
    with transaction.atomic():
        _ensure_unique_unite(etablissement, values["nom"], None)
        unite = Unite(etablissement=etablissement)
        fields = _apply(unite, values, UNITE_FIELDS)
        unite.save()
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=unite,
            etablissement=etablissement,
            details={"fields": sorted({"etablissement", "nom", *fields})},
        )
        return unite


def unite_update(
    *,
    actor: Any,
    unite: Unite,
    values: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> list[str]:
    """Rename a unit or change its type or capacity; return the changed field names."""
    with transaction.atomic():
        unite = Unite.objects.select_for_update().select_related("etablissement").get(pk=unite.pk)
        if "nom" in values:
            _ensure_unique_unite(unite.etablissement, values["nom"], unite.pk)
        changed = _apply(unite, values, UNITE_FIELDS)
        if changed:
            unite.save(update_fields=changed)
            audit.record(
                action=AuditAction.UPDATE,
                actor=actor,
                request=request,
                obj=unite,
                etablissement=unite.etablissement,
                details={"fields": changed},
            )
        return changed
