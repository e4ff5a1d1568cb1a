"""Run the DMP simulator on loopback (mutual TLS with the generated test PKI by default)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dui.interop.dmp.simulator import DMPSimulator
from dui.interop.pki import make_test_pki


class Command(BaseCommand):
    help = "Simulateur du DMP (IHE XDS.b : ITI-41, ITI-18, ITI-43) sur la boucle locale."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--port", type=int, default=8702)
        parser.add_argument("--http", action="store_true", help="sans TLS (déconseillé)")
        parser.add_argument(
            "--pki",
            default=str(Path(settings.VAR_DIR) / "simulateurs" / "pki"),
            help="dossier des certificats de test (créés s'ils manquent)",
        )
        parser.add_argument(
            "--sans-dmp", nargs="*", default=[], help="matricules INS sans DMP (refusés)"
        )
        parser.add_argument(
            "--opposition", nargs="*", default=[], help="matricules INS opposés au DMP"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        pki = make_test_pki(Path(options["pki"]))
        tls = {}
        if not options["http"]:
            tls = {
                "certfile": str(pki.server_cert),
                "keyfile": str(pki.server_key),
                "client_ca": str(pki.ca_cert),
            }
        # The VIHF is always checked against the test authority, even without TLS.
        server = DMPSimulator(("127.0.0.1", options["port"]), vihf_ca=str(pki.ca_cert), **tls)
        server.registre.sans_dmp.update(options["sans_dmp"])
        server.registre.oppositions.update(options["opposition"])
        self.stdout.write(
            f"Simulateur DMP : entrepôt {server.repository_url}, registre {server.registry_url}"
        )
        self.stdout.write(
            f"DUI_DMP_REPOSITORY_URL={server.repository_url} "
            f"DUI_DMP_REGISTRY_URL={server.registry_url} "
            f"DUI_DMP_CERT_FILE={pki.client_cert} DUI_DMP_KEY_FILE={pki.client_key} "
            f"DUI_DMP_CA_FILE={pki.ca_cert}"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write(
                f"Documents reçus : {server.registre.recus} ; "
                f"renvois déjà reçus : {server.registre.doublons}"
            )
            server.server_close()
