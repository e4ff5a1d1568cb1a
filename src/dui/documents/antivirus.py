"""A ready-made antivirus hook: ClamAV's daemon (clamd), INSTREAM command.

Enable with DOCUMENT_ANTIVIRUS = "dui.documents.antivirus.clamd" (env DUI_DOCUMENT_ANTIVIRUS)
and DOCUMENT_CLAMD_ADDRESS (env DUI_DOCUMENT_CLAMD_ADDRESS): "unix:///run/clamav/clamd.ctl"
(Debian's default socket) or "tcp://127.0.0.1:3310". The file is streamed to clamd in chunks;
clamd answers "stream: OK" or "stream: <signature> FOUND". Any other answer, or no answer
within the timeout, raises: services.verifier_fichier then refuses the file (fail closed).
"""

from __future__ import annotations

import os
import socket
import struct
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024
DEFAULT_ADDRESS = "unix:///run/clamav/clamd.ctl"
TIMEOUT_SECONDS = 30


class ClamdError(Exception):
    pass


def _address() -> str:
    value = getattr(settings, "DOCUMENT_CLAMD_ADDRESS", None)
    return value or os.environ.get("DUI_DOCUMENT_CLAMD_ADDRESS", "") or DEFAULT_ADDRESS


def _connect(address: str) -> socket.socket:
    parts = urlsplit(address)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(parts.path)
        return sock
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT_SECONDS)
    raise ClamdError(f"Adresse clamd invalide : {address!r}")


def clamd(data: bytes, nom_fichier: str) -> str | None:
    """Scan `data` with clamd: None when clean, the signature name when infected."""
    with _connect(_address()) as sock:
        # "z" prefix: NUL-terminated command and answer.
        sock.sendall(b"zINSTREAM\0")
        for offset in range(0, len(data), CHUNK):
            chunk = data[offset : offset + CHUNK]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            received = sock.recv(4096)
            if not received:
                break
            answer += received
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(": OK"):
        return None
    if text.endswith(" FOUND"):
        signature = text.split(":", 1)[-1].removesuffix(" FOUND").strip()
        return f"menace détectée ({signature})"
    raise ClamdError(f"Réponse inattendue de clamd : {text[:200]!r}")
