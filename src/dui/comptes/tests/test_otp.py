"""Second factor: TOTP codes, recovery codes, enrolment and the demo-mode code."""

from __future__ import annotations

import re
from base64 import b32encode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.models import AuditAction, Entree
from dui.comptes.models import LoginFailure
from dui.comptes.tests.login_helpers import current_code, otp_step, password_step, totp_device

pytestmark = pytest.mark.django_db


def _wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def test_wrong_totp_is_refused_and_counted(client, collegue):
    device = totp_device(collegue)
    password_step(client, collegue.email)
    response = otp_step(client, _wrong_code(device))
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert client.get(reverse("usagers:list")).url == reverse("comptes:otp")
    failure = LoginFailure.objects.get()
    assert (failure.email, failure.step, failure.ip) == (collegue.email, "otp", "127.0.0.1")
    entry = Entree.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.details == {"step": "otp"}
    assert entry.actor_id == collegue.pk


def test_otp_page_requires_password_step_first(client):
    response = client.get(reverse("comptes:otp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("comptes:login"))


def test_otp_form_is_accessible(client, collegue):
    totp_device(collegue)
    password_step(client, collegue.email)
    html = client.get(reverse("comptes:otp")).content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert '<label for="id_code">' in html


def _recovery_code(user) -> str:
    device = StaticDevice.objects.create(user=user, name="secours", confirmed=True)
    return StaticToken.objects.create(device=device, token=StaticToken.random_token()).token


def test_recovery_code_works_once_only(client, collegue):
    totp_device(collegue)
    code = _recovery_code(collegue)
    password_step(client, collegue.email)
    response = otp_step(client, f"{code[:4]}-{code[4:]}".upper())
    assert response.url == reverse("ui:home")
    assert Entree.objects.get(action=AuditAction.LOGIN).details == {"method": "recovery_code"}

    client.post(reverse("comptes:logout"))
    password_step(client, collegue.email)
    response = otp_step(client, code)
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert client.get(reverse("ui:home")).url == reverse("comptes:otp")


def _demo_user_on_otp_page(client, user):
    device = totp_device(user, name="demo")
    password_step(client, user.email)
    return device, client.get(reverse("comptes:otp")).content.decode()


def test_demo_code_shown_in_demo_mode(client, collegue, settings):
    settings.DEMO_MODE = True
    device, html = _demo_user_on_otp_page(client, collegue)
    shown = re.search(
        r"Mode démo — code actuel : <span class=\"code\">(\d{3}) (\d{3})</span>", html
    )
    assert shown is not None
    code = shown.group(1) + shown.group(2)
    # The shown code is a real, current code of the device: it completes the login.
    assert otp_step(client, code).url == reverse("ui:home")
    assert TOTPDevice.objects.get(pk=device.pk).last_t > 0


def test_demo_code_hidden_when_demo_mode_is_off(client, collegue, settings):
    settings.DEMO_MODE = False
    device, html = _demo_user_on_otp_page(client, collegue)
    assert "Mode démo" not in html
    assert current_code(device) not in html.replace(" ", "")


def test_demo_code_hidden_for_a_device_not_named_demo(client, collegue, settings):
    settings.DEMO_MODE = True
    totp_device(collegue, name="telephone")
    password_step(client, collegue.email)
    assert "Mode démo — code actuel" not in client.get(reverse("comptes:otp")).content.decode()


def test_enrolment_shows_qr_svg_and_grouped_secret_and_reuses_device(client, collegue):
    password_step(client, collegue.email)
    first = client.get(reverse("comptes:otp_enrol")).content.decode()
    second = client.get(reverse("comptes:otp_enrol")).content.decode()
    device = TOTPDevice.objects.get(user=collegue)
    assert not device.confirmed
    svg = re.search(r"<svg.*?</svg>", first, re.S)
    assert svg is not None
    assert "style=" not in svg.group(0)
    assert not re.search(r"<script(?![^>]*\bsrc=)", first)
    secret = re.search(r'<code class="secret">((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})</code>', first)
    assert secret is not None
    assert secret.group(1).replace(" ", "") == b32encode(device.bin_key).decode()
    assert svg.group(0) in second and secret.group(0) in second


def test_enrolment_confirms_device_and_shows_recovery_codes_once(client, collegue):
    password_step(client, collegue.email)
    client.get(reverse("comptes:otp_enrol"))
    device = TOTPDevice.objects.get(user=collegue)
    response = client.post(reverse("comptes:otp_enrol"), {"code": current_code(device)})
    assert response.url == reverse("comptes:recovery_codes")

    page = client.get(reverse("comptes:recovery_codes")).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4})-([a-z2-7]{4})</code></li>", page)
    stored = set(StaticToken.objects.filter(device__user=collegue).values_list("token", flat=True))
    assert len(shown) == 10
    assert {a + b for a, b in shown} == stored
    assert f'<a class="button" href="{reverse("ui:home")}">J\'ai noté mes codes</a>' in page

    again = client.get(reverse("comptes:recovery_codes"))
    assert again.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("usagers:list")).status_code == 200
    events = list(
        Entree.objects.filter(action=AuditAction.SECURITY, actor_id=collegue.pk)
        .order_by("seq")
        .values_list("details__event", flat=True)
    )
    assert events == ["otp_enrolled", "recovery_codes_generated"]


def test_wrong_enrolment_code_confirms_nothing(client, collegue):
    password_step(client, collegue.email)
    client.get(reverse("comptes:otp_enrol"))
    device = TOTPDevice.objects.get(user=collegue)
    response = client.post(reverse("comptes:otp_enrol"), {"code": _wrong_code(device)})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=collegue).exists()
    assert client.get(reverse("ui:home")).url == reverse("comptes:otp_enrol")


def test_enrolment_is_refused_to_a_user_who_already_has_a_device(client, collegue):
    totp_device(collegue)
    password_step(client, collegue.email)
    response = client.get(reverse("comptes:otp_enrol"))
    assert response.url == reverse("comptes:otp")
    assert TOTPDevice.objects.filter(user=collegue).count() == 1
