"""The person's photo: checked on upload, served only through the policy, journaled."""

from __future__ import annotations

import base64
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest

from dui import audit
from dui.audit.models import AuditAction
from dui.usagers.access import ensure_writable
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

MAX_BYTES = 2 * 1024 * 1024
# Decided from the content, never from the name or the browser's claim.
_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def content_type(data: bytes) -> str | None:
    return next((t for magic, t in _SIGNATURES.items() if data.startswith(magic)), None)


def usager_set_photo(
    *, user: Any, usager: Usager, fichier: UploadedFile | None, request: HttpRequest | None = None
) -> Usager:
    """Replace (or remove, with None) the person's photo: JPEG or PNG, 2 Mo at most."""
    data = b""
    if fichier is not None:
        if fichier.size is None or fichier.size > MAX_BYTES:
            raise IdentiteError("La photo dépasse 2 Mo : réduisez-la avant de l'envoyer.")
        data = fichier.read()
        if content_type(data) is None:
            raise IdentiteError("La photo doit être une image JPEG ou PNG.")
    with transaction.atomic():
        current = Usager.objects.select_for_update().get(pk=usager.pk)
        ensure_writable(current)
        old = current.photo.name if current.photo else ""
        if fichier is None:
            current.photo = ""
        else:
            from django.core.files.base import ContentFile

            current.photo.save("photo", ContentFile(data), save=False)
        current.save(update_fields=["photo"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=user,
            request=request,
            obj=current,
            usager=current,
            details={"fields": ["photo"], "retiree": fichier is None},
        )
        if old:
            # The old file goes once the new state is committed (nothing lost on rollback).
            storage = current.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
    return current


def photo_bytes(usager: Usager) -> tuple[bytes, str] | None:
    if not usager.photo:
        return None
    with usager.photo.open("rb") as handle:
        data = handle.read()
    kind = content_type(data)
    return (data, kind) if kind else None


def photo_data_uri(usager: Usager) -> str:
    """The photo inlined for the PDF (the renderer fetches nothing from outside)."""
    found = photo_bytes(usager)
    if found is None:
        return ""
    data, kind = found
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"
