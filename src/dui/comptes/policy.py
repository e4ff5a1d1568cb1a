"""The one authorization policy: every "may this user do this on that?" is answered here.

Views and APIs call `allows`/`require`; querysets of personal data filter through
`usager_scope` (via `Usager.objects.visible_to(user)`), so a list never shows what a detail
page would refuse. Results are cached on the user object, which lives for one request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from dui.comptes.models import AccesExceptionnel, Affectation, Categorie, Habilitation, Role
from dui.structures.models import Etablissement


@dataclass
class Droits:
    """What one user may do in one établissement."""

    etablissement_id: int
    role: Role
    lecture: set[str] = field(default_factory=set)
    ecriture: set[str] = field(default_factory=set)


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def droits(user: Any) -> dict[int, Droits]:
    """The user's rights per établissement id (active assignments only), cached per request."""
    if not _is_authenticated(user):
        return {}
    cached = getattr(user, "_dui_droits", None)
    if cached is not None:
        return cached
    affectations = list(
        Affectation.objects.filter(user=user, actif=True, etablissement__actif=True).select_related(
            "role"
        )
    )
    result = {a.etablissement_id: Droits(a.etablissement_id, a.role) for a in affectations}
    role_ids = {a.role_id for a in affectations}
    rows = Habilitation.objects.filter(role_id__in=role_ids).filter(
        Q(etablissement__isnull=True) | Q(etablissement_id__in=list(result))
    )
    defaults: dict[tuple[int, str], Habilitation] = {}
    overrides: dict[tuple[int, int, str], Habilitation] = {}
    for h in rows:
        if h.etablissement_id is None:
            defaults[(h.role_id, h.categorie)] = h
        else:
            overrides[(h.role_id, h.etablissement_id, h.categorie)] = h
    for etab_id, d in result.items():
        for categorie in Categorie.values:
            effective = overrides.get((d.role.id, etab_id, categorie)) or defaults.get(
                (d.role.id, categorie)
            )
            if effective and effective.lecture:
                d.lecture.add(categorie)
            if effective and effective.ecriture:
                d.ecriture.add(categorie)
    user._dui_droits = result
    return result


def forget(user: Any) -> None:
    """Drop cached rights (after a change of assignment within the same request)."""
    for attr in ("_dui_droits", "_dui_etablissements"):
        if hasattr(user, attr):
            delattr(user, attr)


def etablissement_ids(user: Any) -> list[int]:
    return list(droits(user))


def etablissements(user: Any) -> list[Etablissement]:
    """The user's établissements (with their organisme), loaded once per request: the current
    établissement middleware takes the current one from this list and the page shell shows it
    in the switcher, so both share one query."""
    ids = etablissement_ids(user)
    cached = getattr(user, "_dui_etablissements", None)
    # Reloaded whenever the rights changed since (policy.forget drops both caches anyway).
    if cached is None or {e.pk for e in cached} != set(ids):
        cached = list(Etablissement.objects.filter(id__in=ids).select_related("organisme"))
        if _is_authenticated(user):
            user._dui_etablissements = cached
    return list(cached)


def _scope_ids(user: Any, perimetre: str) -> list[int]:
    return [
        etab_id
        for etab_id, d in droits(user).items()
        if d.role.perimetre == perimetre and Categorie.ADMINISTRATIF in d.lecture
    ]


def usager_scope(user: Any) -> Q:
    """Q on Usager selecting the persons the user may open.

    Seeing a person at all is reading administrative data. Staff see the persons of their
    établissements (any stay, past ones included, for follow-up after exit); home-care workers
    only the persons whose team they belong to; an open break-glass access adds one person.
    """
    from dui.usagers.models import Candidature, MembreEquipe, PriseEnCharge

    if not _is_authenticated(user):
        return Q(pk__in=[])
    # Correlated EXISTS, not `pk IN (subquery)`: ORed IN-subqueries make PostgreSQL hash every
    # stay of the établissements on each query, whereas EXISTS probes the index per candidate
    # row (see docs/performance.md).
    person = OuterRef("pk")
    scope = Q(pk__in=[])
    etab_ids = _scope_ids(user, Role.Perimetre.ETABLISSEMENT)
    if etab_ids:
        scope |= Q(
            Exists(PriseEnCharge.objects.filter(usager=person, etablissement_id__in=etab_ids))
        )
        # A person who applied to the établissement is in its scope too (waiting list).
        scope |= Q(Exists(Candidature.objects.filter(usager=person, etablissement_id__in=etab_ids)))
    assigned_ids = _scope_ids(user, Role.Perimetre.ASSIGNES)
    if assigned_ids:
        scope |= Q(
            Exists(
                MembreEquipe.objects.filter(
                    MembreEquipe.active_q(),
                    usager=person,
                    user=user,
                    etablissement_id__in=assigned_ids,
                )
            )
        )
    scope |= Q(
        Exists(
            AccesExceptionnel.objects.filter(usager=person, user=user, expire_le__gt=timezone.now())
        )
    )
    return scope


def _usager_etablissement_ids(user: Any, usager: Any) -> set[int]:
    """Établissements through which the user reaches this person (for category rights)."""
    from dui.usagers.models import Candidature, MembreEquipe, PriseEnCharge

    cache = getattr(user, "_dui_usager_etabs", None)
    if cache is None:
        cache = user._dui_usager_etabs = {}
    if usager.pk in cache:
        return cache[usager.pk]
    reach: set[int] = set()
    etab_ids = _scope_ids(user, Role.Perimetre.ETABLISSEMENT)
    if etab_ids:
        # Stays and applications in one query (a UNION): every record page asks this.
        stays = (
            PriseEnCharge.objects.filter(usager=usager, etablissement_id__in=etab_ids)
            .order_by()
            .values_list("etablissement_id", flat=True)
        )
        applications = (
            Candidature.objects.filter(usager=usager, etablissement_id__in=etab_ids)
            .order_by()
            .values_list("etablissement_id", flat=True)
        )
        reach |= set(stays.union(applications))
    assigned_ids = _scope_ids(user, Role.Perimetre.ASSIGNES)
    if assigned_ids:
        reach |= set(
            MembreEquipe.objects.filter(
                MembreEquipe.active_q(),
                usager=usager,
                user=user,
                etablissement_id__in=assigned_ids,
            ).values_list("etablissement_id", flat=True)
        )
    cache[usager.pk] = reach
    return reach


def break_glass_active(user: Any, usager: Any) -> bool:
    if not _is_authenticated(user):
        return False
    return AccesExceptionnel.objects.filter(
        user=user, usager=usager, expire_le__gt=timezone.now()
    ).exists()


def is_break_glass_access(user: Any, usager: Any) -> bool:
    """True when the user reaches this person only through an open break-glass access."""
    return not _usager_etablissement_ids(user, usager) and break_glass_active(user, usager)


def may_list_usagers(user: Any, etablissement: Etablissement | None) -> bool:
    """May the user list the persons of this établissement (read administrative data)?"""
    if etablissement is None:
        return False
    d = droits(user).get(etablissement.pk)
    return bool(d and Categorie.ADMINISTRATIF in d.lecture)


def _droits_aupres(user: Any, usager: Any) -> list[Droits]:
    """The user's rights in the établissements through which they reach this person;
    break-glass grants the user's own habilitations, wherever they come from."""
    rights = droits(user)
    reach = _usager_etablissement_ids(user, usager)
    if not reach and break_glass_active(user, usager):
        reach = set(rights)
    return [rights[e] for e in sorted(reach) if e in rights]


def usager_categories(user: Any, usager: Any, *, write: bool = False) -> set[str]:
    """Data categories of this person the user may read (or write)."""
    result: set[str] = set()
    for d in _droits_aupres(user, usager):
        result |= d.ecriture if write else d.lecture
    return result


def usager_roles(user: Any, usager: Any) -> list[Role]:
    """The user's roles with this person (e.g. to state who signed as what)."""
    return [d.role for d in _droits_aupres(user, usager)]


def is_sante_for(user: Any, usager: Any, *, reading: str | None = None) -> bool:
    """Whether the user reaches this person as a health professional (Role.is_sante), in a
    role that also reads the category `reading` when given."""
    return any(
        d.role.is_sante and (reading is None or reading in d.lecture)
        for d in _droits_aupres(user, usager)
    )


def may_print_dlu(user: Any, usager: Any) -> bool:
    """The DLU and the fiche de transfert leave the établissement with the person, medical
    data included: printed by a health professional who reads the person's soins data in
    that role (the night nurse or aide-soignant who calls the SAMU), not by the direction,
    a chef de service or home-care workers without a health role."""
    return is_sante_for(user, usager, reading=Categorie.SOINS)


def may_set_seuils(user: Any, etablissement: Etablissement | None) -> bool:
    """Vital-sign thresholds are a clinical setting of the whole établissement: set by its
    administrators or by its health professionals who write soins data (médecin, IDE,
    soignants, paramédicaux)."""
    if etablissement is None:
        return False
    if may_administer(user, etablissement):
        return True
    d = droits(user).get(etablissement.pk)
    return bool(d and d.role.is_sante and Categorie.SOINS in d.ecriture)


def may_view_usager(user: Any, usager: Any) -> bool:
    return Categorie.ADMINISTRATIF in usager_categories(user, usager)


def may_administer(user: Any, etablissement: Etablissement | None = None) -> bool:
    rights = droits(user)
    if etablissement is not None:
        d = rights.get(etablissement.pk)
        return bool(d and d.role.may_administer)
    return any(d.role.may_administer for d in rights.values())


def may_read_journal(user: Any, etablissement: Etablissement | None = None) -> bool:
    rights = droits(user)
    if etablissement is not None:
        d = rights.get(etablissement.pk)
        return bool(d and d.role.may_read_journal)
    return any(d.role.may_read_journal for d in rights.values())


def journal_etablissement_ids(user: Any) -> list[int]:
    return [etab_id for etab_id, d in droits(user).items() if d.role.may_read_journal]


def administered_etablissement_ids(user: Any) -> list[int]:
    return [etab_id for etab_id, d in droits(user).items() if d.role.may_administer]


def may_manage_identities(user: Any, organisme_id: int | None = None) -> bool:
    """Identitovigilance referent: settles suspected duplicates and merges records of the
    organisme (of any organisme where the user has the right, when none is given)."""
    ids = [i for i, d in droits(user).items() if d.role.may_manage_identities]
    if not ids:
        return False
    if organisme_id is None:
        return True
    # The user's établissements are already loaded for this request (page shell).
    return any(e.organisme_id == organisme_id for e in etablissements(user) if e.pk in ids)


def may_break_glass(user: Any, usager: Any | None = None) -> bool:
    rights = droits(user)
    if not any(d.role.may_break_glass for d in rights.values()):
        return False
    if usager is None:
        return True
    # Only within the user's own organisme gestionnaire (établissements loaded once per request).
    ids = {i for i, d in rights.items() if d.role.may_break_glass}
    return any(e.organisme_id == usager.organisme_id for e in etablissements(user) if e.pk in ids)


def allows(user: Any, permission: str, obj: Any = None) -> bool:
    """Answer "may `user` do `permission` on `obj`?" for every view and API.

    Permissions: etablissement.view, etablissement.admin, comptes.admin, journal.view,
    usagers.list, soins.seuils (obj: établissement), usager.view, usager.<categorie>.read,
    usager.<categorie>.write, usager.sante (reached as a health professional), dlu.print,
    break_glass, identitovigilance (obj: organisme gestionnaire).
    """
    if not _is_authenticated(user):
        return False
    if permission == "etablissement.view":
        return obj is not None and obj.pk in droits(user)
    if permission in {"etablissement.admin", "comptes.admin"}:
        return may_administer(user, obj)
    if permission == "journal.view":
        return may_read_journal(user, obj)
    if permission == "identitovigilance":
        return may_manage_identities(user, obj.pk if obj is not None else None)
    if permission == "break_glass":
        return may_break_glass(user, obj)
    if permission == "usagers.list":
        return may_list_usagers(user, obj)
    if permission == "usager.view":
        return may_view_usager(user, obj)
    if permission == "usager.sante":
        return is_sante_for(user, obj)
    if permission == "dlu.print":
        return may_print_dlu(user, obj)  # its health role reads soins: so does the user
    if permission == "soins.seuils":
        return may_set_seuils(user, obj)
    if permission.startswith("usager."):
        _, categorie, mode = permission.split(".")
        if categorie not in Categorie.values or mode not in {"read", "write"}:
            raise ValueError(f"Permission inconnue : {permission}")
        return categorie in usager_categories(user, obj, write=mode == "write")
    raise ValueError(f"Permission inconnue : {permission}")


def require(user: Any, permission: str, obj: Any = None) -> None:
    """Raise Http404 when refused, so the existence of out-of-scope objects does not leak."""
    if not allows(user, permission, obj):
        raise Http404("Introuvable ou non autorisé.")
