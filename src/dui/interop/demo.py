"""In demo mode, the national services are the project's own simulators, started by `serve`
so that a newcomer can try every journey (INSi qualification…) with no certificate.

Each simulator runs in a thread of the web process on a free loopback port; the settings
and the environment (inherited by the task worker) point the real clients at it.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from dui.interop.ins.simulator import INSiSimulator
from dui.interop.pki import make_test_pki


def start_demo_simulators() -> list[str]:
    """Start the simulators of the services that are not configured; describe each."""
    if not settings.DEMO_MODE:
        return []
    started = []
    if not settings.INSI.get("URL"):
        pki = make_test_pki(Path(settings.VAR_DIR) / "simulateurs" / "pki")
        server = INSiSimulator(
            ("127.0.0.1", 0),
            certfile=str(pki.server_cert),
            keyfile=str(pki.server_key),
            client_ca=str(pki.ca_cert),
        )
        server.start_in_thread()
        values = {
            "URL": server.url,
            "CERT_FILE": str(pki.client_cert),
            "KEY_FILE": str(pki.client_key),
            "CA_FILE": str(pki.ca_cert),
        }
        settings.INSI.update(values)
        for key, value in values.items():
            os.environ[f"DUI_INSI_{key}"] = value
        started.append(f"Simulateur INSi (démo) : {server.url}")
    if not (getattr(settings, "DMP", None) or os.environ.get("DUI_DMP_REPOSITORY_URL")):
        started.append(_start_dmp())
    return started


def _start_dmp() -> str:
    """The DMP simulator; the DMP client reads DUI_DMP_* (inherited by the task worker)."""
    from dui.interop.dmp.simulator import DMPSimulator

    pki = make_test_pki(Path(settings.VAR_DIR) / "simulateurs" / "pki")
    server = DMPSimulator(
        ("127.0.0.1", 0),
        certfile=str(pki.server_cert),
        keyfile=str(pki.server_key),
        client_ca=str(pki.ca_cert),
    )
    server.start_in_thread()
    values = {
        "REPOSITORY_URL": server.repository_url,
        "REGISTRY_URL": server.registry_url,
        "CERT_FILE": str(pki.client_cert),
        "KEY_FILE": str(pki.client_key),
        "CA_FILE": str(pki.ca_cert),
    }
    for key, value in values.items():
        os.environ[f"DUI_DMP_{key}"] = value
    return f"Simulateur DMP (démo) : {server.base_url}"
