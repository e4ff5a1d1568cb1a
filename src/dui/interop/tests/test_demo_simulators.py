"""Demo mode points the INSi client at a simulator started in-process; never otherwise."""

import datetime
import os

from dui.interop.demo import start_demo_simulators
from dui.interop.ins import client
from dui.interop.ins.schemas import TraitsRecherche


def test_demo_mode_starts_an_insi_simulator_the_real_client_reaches(
    settings, tmp_path, monkeypatch
):
    settings.DEMO_MODE = True
    settings.VAR_DIR = tmp_path
    settings.INSI = {"URL": ""}
    for key in ("URL", "CERT_FILE", "KEY_FILE", "CA_FILE"):
        monkeypatch.setenv(f"DUI_INSI_{key}", "")  # restored after the test
    for key in ("REPOSITORY_URL", "REGISTRY_URL", "CERT_FILE", "KEY_FILE", "CA_FILE"):
        monkeypatch.setenv(f"DUI_DMP_{key}", "")
    lines = start_demo_simulators()
    assert lines and lines[0].startswith("Simulateur INSi (démo) : https://127.0.0.1:")
    assert os.environ["DUI_INSI_URL"] == settings.INSI["URL"]
    result = client.rechercher_par_traits(
        TraitsRecherche("Petit", "Claude", "F", datetime.date(1935, 3, 18))
    )
    assert result.code_cr == "00"


def test_outside_demo_mode_nothing_starts(settings):
    settings.DEMO_MODE = False
    assert start_demo_simulators() == []


def test_a_configured_insi_is_left_alone(settings):
    settings.DEMO_MODE = True
    settings.INSI = {"URL": "https://insi.exemple/lps"}
    settings.DMP = {"REPOSITORY_URL": "https://dmp.exemple/repository"}
    assert start_demo_simulators() == []


def test_demo_mode_starts_a_dmp_simulator_the_real_client_reaches(settings, tmp_path, monkeypatch):
    from dui.interop.dmp import client
    from dui.interop.tests.dmp_support import INS_A, OID_TEST, STRUCTURE, cda, contexte

    settings.DEMO_MODE = True
    settings.VAR_DIR = tmp_path
    settings.INSI = {"URL": "https://insi.exemple/lps"}
    monkeypatch.delattr(settings, "DMP", raising=False)
    for key in ("REPOSITORY_URL", "REGISTRY_URL", "CERT_FILE", "KEY_FILE", "CA_FILE"):
        monkeypatch.setenv(f"DUI_DMP_{key}", "")  # restored after the test
    lines = start_demo_simulators()
    assert lines and lines[0].startswith("Simulateur DMP (démo) : https://127.0.0.1:")
    config = client.DMPConfig.from_settings()
    ids = client.Identifiants(INS_A, OID_TEST, "IPP42", f"1.2.250.1.71.4.2.2.{STRUCTURE}")
    soumission = client.soumission_pour(cda(), ids, config=config)
    assert client.fournir_documents(soumission, contexte(), config).deja_recu is False
