"""Run the INSi simulator on loopback (mutual TLS with a generated test PKI by default)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dui.interop.ins.simulator import INSiSimulator
from dui.interop.pki import make_test_pki


class Command(BaseCommand):
    help = "Simulateur du téléservice INSi (SOAP 1.2) sur la boucle locale."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--port", type=int, default=8701)
        parser.add_argument("--http", action="store_true", help="sans TLS (déconseillé)")
        parser.add_argument(
            "--pki",
            default=str(Path(settings.VAR_DIR) / "simulateurs" / "pki"),
            help="dossier des certificats de test (créés s'ils manquent)",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        tls: dict[str, str] = {}
        if not options["http"]:
            pki = make_test_pki(Path(options["pki"]))
            tls = {
                "certfile": str(pki.server_cert),
                "keyfile": str(pki.server_key),
                "client_ca": str(pki.ca_cert),
            }
        server = INSiSimulator(("127.0.0.1", options["port"]), **tls)
        self.stdout.write(
            f"Simulateur INSi : {server.url} ({len(server.register.identities)} identités)"
        )
        if tls:
            self.stdout.write(
                f"Certificat client : {pki.client_cert} / {pki.client_key} ; AC : {pki.ca_cert}\n"
                f"DUI_INSI_URL={server.url} DUI_INSI_CERT_FILE={pki.client_cert} "
                f"DUI_INSI_KEY_FILE={pki.client_key} DUI_INSI_CA_FILE={pki.ca_cert}"
            )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
