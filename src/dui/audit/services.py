"""Writing to the journal: one entry per call, chained under a lock."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from dui.audit.chain import GENESIS, entry_hash
from dui.audit.models import AuditAction, Entree

# Any constant works: it only has to be the same for every process writing the journal.
_CHAIN_LOCK_ID = 0x0D01_A0D1


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUSTED_PROXIES and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= settings.TRUSTED_PROXIES:
            return hops[-settings.TRUSTED_PROXIES]
    return request.META.get("REMOTE_ADDR") or None


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
    # SQLite: transactions are BEGIN IMMEDIATE (settings), which already serializes writers.


def record(
    *,
    action: str | AuditAction,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: Any = None,
    usager: Any = None,
    usager_id: int | None = None,
    etablissement: Any = None,
    etablissement_id: int | None = None,
    reason: str = "",
    break_glass: bool = False,
    details: dict[str, Any] | None = None,
    actor_label: str = "",
    object_type: str = "",
) -> Entree:
    """Append one entry to the journal (inside the caller's transaction if there is one).

    `details` must not hold personal data: ids and counts, not names. `object_type` names
    the kind of object when there is no single `obj` (a list, a search, an export).
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if usager is not None:
        usager_id = usager.pk
    if etablissement is not None:
        etablissement_id = etablissement.pk
    if etablissement_id is None and request is not None:
        etablissement_id = getattr(request, "etablissement_id", None)
    fields: dict[str, Any] = {
        "at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": actor_label or (getattr(actor, "email", "") if actor is not None else ""),
        "action": str(action),
        "object_type": obj._meta.label_lower if obj is not None else object_type,
        "object_id": str(obj.pk) if obj is not None else "",
        "usager_id": usager_id,
        "etablissement_id": etablissement_id,
        "ip": client_ip(request),
        "break_glass": break_glass,
        "reason": reason,
        "details": details or {},
    }
    with transaction.atomic():
        _lock_chain()
        last = Entree.objects.order_by("-seq").only("seq", "hash").first()
        fields["seq"] = (last.seq + 1) if last else 1
        prev_hash = last.hash if last else GENESIS
        entry = Entree(prev_hash=prev_hash, hash=entry_hash(prev_hash, fields), **fields)
        entry.save()
    return entry
