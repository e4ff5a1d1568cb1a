"""A running INSi simulator (mutual TLS over loopback) that settings.INSI points at, for the
identity views and tasks tests. Also a few helpers to build qualified identities."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dui.interop.ins.matricule import OID_INS_NIR_TEST, cle
from dui.interop.ins.simulator import IdentiteSimulee, INSiSimulator, synthetic_register
from dui.interop.pki import TestPKI
from dui.usagers.identite import StatutIdentite


@contextmanager
def running_insi(settings: Any, pki: TestPKI) -> Iterator[INSiSimulator]:
    server = INSiSimulator(
        ("127.0.0.1", 0),
        certfile=str(pki.server_cert),
        keyfile=str(pki.server_key),
        client_ca=str(pki.ca_cert),
    )
    server.start_in_thread()
    settings.INSI = {
        "URL": server.url,
        "CERT_FILE": str(pki.client_cert),
        "KEY_FILE": str(pki.client_key),
        "CA_FILE": str(pki.ca_cert),
        "IDAM": "SIMUL",
        "TIMEOUT_SECONDS": 5,
    }
    try:
        yield server
    finally:
        stop(server)


def stop(server: INSiSimulator) -> None:
    """Shut the simulator down (idempotent): its port then refuses connections."""
    server.stop()


def simulated(nom: str, date: str) -> IdentiteSimulee:
    """The synthetic register's identity with this birth name (as INSi writes it) and date."""
    wanted = datetime.date.fromisoformat(date)
    return next(
        i
        for i in synthetic_register()
        if i.traits.nom_naissance == nom and i.traits.date_naissance == wanted
    )


def valid_matricule(body13: str) -> str:
    return f"{body13}{cle(body13):02d}"


def qualify(usager: Any, identite: IdentiteSimulee | None = None, matricule: str = "") -> Any:
    """Make `usager` a qualified identity (test set-up, not a journey)."""
    if identite is not None:
        t = identite.traits
        usager.nom_naissance = t.nom_naissance
        usager.prenoms_naissance = t.liste_prenoms
        usager.date_naissance = t.date_naissance
        usager.sexe = t.sexe
        usager.lieu_naissance_insee = t.lieu_naissance
        matricule = matricule or identite.ins.matricule
    usager.statut_identite = StatutIdentite.QUALIFIEE
    usager.matricule_ins = matricule or valid_matricule("2410569123012")
    usager.oid_ins = OID_INS_NIR_TEST
    usager.justificatif = "PA"
    usager.save()
    return usager


def pki_dir(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("pki"))
