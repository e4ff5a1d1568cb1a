"""Reads of the journal shared by the DPO screens and the CSV export."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dui.audit.models import AuditAction, Entree
from dui.comptes import policy

# Account events that concern a user rather than an établissement.
SECURITY_ACTIONS = [
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOGOUT,
    AuditAction.LOCKOUT,
    AuditAction.SECURITY,
]


def journal_scope(user: Any) -> Q:
    """Entries a DPO may read: those of the établissements where they hold the journal right,
    the accesses to persons supported there (break-glass from elsewhere included), and the
    login and security events of the users assigned there."""
    from dui.comptes.models import Affectation
    from dui.usagers.models import PriseEnCharge

    etab_ids = policy.journal_etablissement_ids(user)
    if not etab_ids:
        return Q(pk__in=[])
    persons = PriseEnCharge.objects.filter(etablissement_id__in=etab_ids).values("usager_id")
    staff = Affectation.objects.filter(etablissement_id__in=etab_ids).values("user_id")
    return (
        Q(etablissement_id__in=etab_ids)
        | Q(usager_id__in=persons)
        | Q(action__in=SECURITY_ACTIONS, actor_id__in=staff)
    )


@dataclass(frozen=True)
class JournalFilters:
    usager_id: int | None = None
    actor_id: int | None = None
    du: datetime.date | None = None
    au: datetime.date | None = None
    action: str = ""
    break_glass_only: bool = False

    def as_details(self) -> dict[str, Any]:
        """The filters for the journal entry of the consultation (ids and dates only)."""
        return {
            "usager_id": self.usager_id,
            "actor_id": self.actor_id,
            "du": self.du.isoformat() if self.du else None,
            "au": self.au.isoformat() if self.au else None,
            "action": self.action or None,
            "acces_exceptionnels": self.break_glass_only,
        }


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def journal_entries(user: Any, filters: JournalFilters) -> QuerySet[Entree]:
    """The entries the user may read that match the filters, newest first."""
    qs = Entree.objects.filter(journal_scope(user))
    if filters.usager_id is not None:
        qs = qs.filter(usager_id=filters.usager_id)
    if filters.actor_id is not None:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.du is not None:
        qs = qs.filter(at__gte=_day_start(filters.du))
    if filters.au is not None:
        qs = qs.filter(at__lt=_day_start(filters.au + datetime.timedelta(days=1)))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.break_glass_only:
        qs = qs.filter(break_glass=True)
    return qs.order_by("-seq")


@dataclass
class Labels:
    """Names to show for the ids of a batch of entries, fetched in three queries."""

    actors: dict[int, str]
    usagers: dict[int, str]
    etablissements: dict[int, str]


def labels_for(user: Any, entries: Iterable[Entree]) -> Labels:
    from dui.comptes.models import User
    from dui.structures.models import Etablissement
    from dui.usagers.models import Usager

    entries = list(entries)
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    usager_ids = {e.usager_id for e in entries if e.usager_id is not None}
    etab_ids = {e.etablissement_id for e in entries if e.etablissement_id is not None}
    actors = (
        {
            u.pk: u.get_full_name() or u.email
            for u in User.objects.filter(pk__in=actor_ids).only("pk", "nom", "prenom", "email")
        }
        if actor_ids
        else {}
    )
    # Names only of the persons the DPO may see; the others show as a number.
    usagers = (
        {
            u.pk: u.display_name
            for u in Usager.objects.visible_to(user)
            .filter(pk__in=usager_ids)
            .only("pk", "nom_naissance", "prenoms_naissance")
        }
        if usager_ids
        else {}
    )
    etablissements = (
        dict(Etablissement.objects.filter(pk__in=etab_ids).values_list("pk", "nom"))
        if etab_ids
        else {}
    )
    return Labels(actors, usagers, etablissements)


@dataclass
class Row:
    entry: Entree
    actor: str
    usager: str
    etablissement: str


def rows(entries: list[Entree], labels: Labels) -> list[Row]:
    result = []
    for e in entries:
        actor = labels.actors.get(e.actor_id or 0, "")
        if not actor:
            actor = e.actor_label or ("—" if e.actor_id is None else f"Compte n° {e.actor_id}")
        usager = ""
        if e.usager_id is not None:
            usager = labels.usagers.get(e.usager_id, f"Personne n° {e.usager_id}")
        etab = labels.etablissements.get(e.etablissement_id or 0, "")
        result.append(Row(e, actor, usager, etab))
    return result


def iter_rows(user: Any, qs: QuerySet[Entree], batch_size: int = 1000) -> Iterator[Row]:
    """Every row of a (possibly huge) queryset, in constant memory, names included."""
    batch: list[Entree] = []
    for entry in qs.iterator(chunk_size=batch_size):
        batch.append(entry)
        if len(batch) == batch_size:
            yield from rows(batch, labels_for(user, batch))
            batch = []
    if batch:
        yield from rows(batch, labels_for(user, batch))
