"""The clamd hook against a loopback stand-in speaking clamd's INSTREAM protocol."""

from __future__ import annotations

import socketserver
import struct
import threading

import pytest

from dui.documents import antivirus, services
from dui.documents.models import Document
from dui.documents.tests import factories as f

pytestmark = pytest.mark.django_db

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _FakeClamd(socketserver.BaseRequestHandler):
    """Reads a zINSTREAM command and its chunks; answers like clamd does."""

    received: list[bytes] = []

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            size = struct.unpack("!L", self._read(4))[0]
            if size == 0:
                break
            data += self._read(size)
        type(self).received.append(data)
        if data == b"garble":
            self.request.sendall(b"stream: something odd\0")
        elif EICAR in data:
            self.request.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def _read(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += self.request.recv(n - len(out))
        return out


@pytest.fixture
def clamd(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeClamd)
    # Short poll: shutdown() then returns within 50 ms instead of up to 0.5 s.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    settings.DOCUMENT_ANTIVIRUS = "dui.documents.antivirus.clamd"
    settings.DOCUMENT_CLAMD_ADDRESS = f"tcp://127.0.0.1:{server.server_address[1]}"
    _FakeClamd.received = []
    yield _FakeClamd
    server.shutdown()
    server.server_close()


def _upload(user, usager, data, name="a.txt"):
    return services.televerser(
        user, usager, data=data, nom_fichier=name, type_code="57833-6", titre="x"
    )


def test_clean_file_is_streamed_whole_and_stored(clamd, referent, usager):
    big = f.PDF + b"0" * (3 * antivirus.CHUNK + 5)
    _upload(referent, usager, big, "a.pdf")
    assert clamd.received == [big]
    assert Document.objects.count() == 1


def test_infected_file_is_refused(clamd, referent, usager):
    with pytest.raises(services.DocumentError, match="EICAR_HDB-1"):
        _upload(referent, usager, EICAR)
    assert not Document.objects.exists()


def test_unexpected_answer_or_no_daemon_refuses(clamd, referent, usager, settings):
    with pytest.raises(services.DocumentError, match="analyse antivirus n'a pas pu"):
        _upload(referent, usager, b"garble")
    settings.DOCUMENT_CLAMD_ADDRESS = "unix:///nonexistent/clamd.ctl"
    with pytest.raises(services.DocumentError, match="analyse antivirus n'a pas pu"):
        _upload(referent, usager, f.TEXTE)
    assert not Document.objects.exists()
