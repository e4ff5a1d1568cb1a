"""MTOM/XOP packaging (W3C XOP, SOAP 1.2 MTOM): the SOAP envelope as the root part of a
multipart/related message, each document as a binary part referenced by xop:Include."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from dui.interop.dmp.xml import MalformedMessage

SOAP_CONTENT_TYPE = "application/soap+xml"


@dataclass
class MessageMTOM:
    envelope: bytes
    attachments: dict[str, bytes] = field(default_factory=dict)  # Content-ID (no <>) -> bytes


def new_content_id(label: str = "doc") -> str:
    return f"{label}-{uuid.uuid4().hex}@dossier-usager"


def build(envelope: bytes, attachments: dict[str, bytes], *, action: str) -> tuple[bytes, str]:
    """(body, Content-Type header) of an MTOM message."""
    boundary = f"MIMEBoundary_{uuid.uuid4().hex}"
    root_id = new_content_id("root")
    parts = [
        (
            f"--{boundary}\r\n"
            f'Content-Type: application/xop+xml; charset=UTF-8; type="{SOAP_CONTENT_TYPE}"\r\n'
            "Content-Transfer-Encoding: binary\r\n"
            f"Content-ID: <{root_id}>\r\n\r\n"
        ).encode()
        + envelope
        + b"\r\n"
    ]
    for cid, data in attachments.items():
        parts.append(
            (
                f"--{boundary}\r\n"
                "Content-Type: application/octet-stream\r\n"
                "Content-Transfer-Encoding: binary\r\n"
                f"Content-ID: <{cid}>\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="<{root_id}>"; start-info="{SOAP_CONTENT_TYPE}"; action="{action}"'
    )
    return body, content_type


def _param(content_type: str, name: str) -> str:
    match = re.search(rf'{name}\s*=\s*("([^"]*)"|[^;\s]+)', content_type, re.IGNORECASE)
    if not match:
        return ""
    return match.group(2) if match.group(2) is not None else match.group(1)


def parse(body: bytes, content_type: str) -> MessageMTOM:
    """Read a plain SOAP message or an MTOM one; attachments keyed by Content-ID."""
    if not content_type.lower().startswith("multipart/related"):
        return MessageMTOM(body)
    boundary = _param(content_type, "boundary")
    if not boundary:
        raise MalformedMessage("multipart sans boundary")
    start = _param(content_type, "start").strip("<>")
    delimiter = b"--" + boundary.encode()
    chunks = body.split(delimiter)
    envelope: bytes | None = None
    first: bytes | None = None
    attachments: dict[str, bytes] = {}
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise MalformedMessage("partie MIME sans en-têtes")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        cid = headers.get("content-id", "").strip("<>")
        if first is None:
            first = content
        if (start and cid == start) or (not start and envelope is None):
            envelope = content
        else:
            attachments[cid] = content
    envelope = envelope if envelope is not None else first
    if envelope is None:
        raise MalformedMessage("message MTOM sans enveloppe SOAP")
    return MessageMTOM(envelope, attachments)
