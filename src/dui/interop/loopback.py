"""The server part every simulator shares: loopback only, optional (mutual) TLS with the test
PKI, and a thread that stops quickly."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP(S) server that refuses to listen anywhere but on loopback.

    With `certfile` it speaks TLS; with `client_ca` too, it requires a client certificate
    signed by that authority (mutual TLS, as the national services with a structure
    certificate)."""

    daemon_threads = True
    nom = "simulateur"  # in the refusal message: "Le <nom> n'écoute que sur la boucle locale."

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        certfile: str = "",
        keyfile: str = "",
        client_ca: str = "",
    ) -> None:
        if address[0] not in LOOPBACK:
            raise ValueError(f"Le {self.nom} n'écoute que sur la boucle locale.")
        super().__init__(address, handler)
        self.tls = bool(certfile)
        if certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certfile, keyfile or None)
            if client_ca:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(client_ca)
            self.socket = context.wrap_socket(self.socket, server_side=True)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host!s}:{port}"

    def start_in_thread(self) -> threading.Thread:
        # A short poll so that shutdown() returns within 50 ms (the default waits up to
        # 0.5 s, paid by every test that stops a simulator).
        thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.nom.replace(" ", "-"),
            daemon=True,
        )
        thread.start()
        return thread

    def stop(self) -> None:
        """Shut the server down and close its socket (idempotent): its port then refuses
        connections."""
        if getattr(self, "_stopped", False):
            return
        self.shutdown()
        self.server_close()
        self._stopped = True
