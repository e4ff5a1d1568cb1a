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
    assert start_demo_simulators() == []
