"""manage.py demo_codes: current second-factor codes of the demo accounts."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.tests.shared_data import shared_data
from dui.demo import DEMO_DEVICE_NAME, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Every test here reads one demo generated once for the module (what a test writes is
    # still rolled back after it).
    with shared_data(django_db_blocker):
        run("demo", "--usagers", "10")
        yield


def test_demo_codes_prints_a_code_that_verifies_against_the_device(demo):
    out = run("demo_codes")

    email = f"idec@{DEMO_EMAIL_DOMAIN}"
    line = next(line for line in out.splitlines() if line.startswith(email + " "))
    code = re.search(r"\s(\d{6})\s+(\d+) s$", line)
    assert code is not None
    device = TOTPDevice.objects.get(user__email=email, name=DEMO_DEVICE_NAME)
    assert device.verify_token(code.group(1))
    assert 1 <= int(code.group(2)) <= 30


def test_demo_codes_shows_the_shared_password_and_the_etablissements(demo):
    out = run("demo_codes")

    assert DEMO_PASSWORD in out
    assert "EHPAD Le Clos des Tilleuls" in out


def test_demo_codes_lists_only_demo_devices(demo, collegue):
    TOTPDevice.objects.create(user=collegue, name="téléphone", confirmed=True)

    out = run("demo_codes")

    assert collegue.email not in out
    assert f"direction@{DEMO_EMAIL_DOMAIN}" in out


def test_demo_codes_logins_prints_no_code(demo):
    out = run("demo_codes", "--logins")

    assert f"intervenant@{DEMO_EMAIL_DOMAIN}" in out
    assert DEMO_PASSWORD in out
    assert not re.search(r"\b\d{6}\b", out)


def test_demo_codes_is_refused_in_production(demo, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        run("demo_codes")
