"""The HMAC chain that makes the journal tamper-evident."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "usager_id",
    "etablissement_id",
    "ip",
    "break_glass",
    "reason",
    "details",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(
        {name: _canonical(fields[name]) for name in CHAINED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    message = f"{prev_hash}|{payload}".encode()
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int | None
    message: str


def iter_breaks(
    entries: Iterable[Any], *, expected_seq: int = 1, prev_hash: str = GENESIS
) -> Iterator[Break]:
    """Walk entries in seq order and yield every place where the chain does not hold.

    `expected_seq` and `prev_hash` describe the entry before the first one, to verify a tail.
    Constant memory: entries may come from a database iterator.
    """
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                missing = (
                    f"n° {expected_seq}"
                    if entry.seq == expected_seq + 1
                    else f"n° {expected_seq} à {entry.seq - 1}"
                )
                yield Break(entry.seq, f"entrée(s) manquante(s) : {missing}")
            else:
                yield Break(entry.seq, "numéro en double ou hors séquence")
        if entry.prev_hash != prev_hash:
            yield Break(
                entry.seq,
                "le lien avec l'entrée précédente est rompu (suppression ou insertion)",
            )
        fields = {name: getattr(entry, name) for name in CHAINED_FIELDS}
        if not hmac.compare_digest(entry.hash, entry_hash(entry.prev_hash, fields)):
            yield Break(entry.seq, "contenu modifié ou entrée insérée (empreinte invalide)")
        prev_hash = entry.hash
        expected_seq = entry.seq + 1


def verify(entries: Any, *, expected_seq: int = 1, prev_hash: str = GENESIS) -> list[Break]:
    """Every break of the chain in `entries` (in seq order), as a list."""
    return list(iter_breaks(entries, expected_seq=expected_seq, prev_hash=prev_hash))
