"""Password change, password reset by e-mail, recovery codes and authenticator reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.models import AuditAction, Entree
from dui.comptes.tests.factories import PASSWORD
from dui.comptes.tests.login_helpers import password_step, totp_device

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Une phrase de passe bien longue 2026"


def _reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("comptes:password_reset"), {"email": email})
    assert response.url == reverse("comptes:password_reset_done")
    match = re.search(r"https?://[^/\s]+(/mot-de-passe/nouveau/\S+/)", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


def test_password_reset_sends_a_french_email(client, collegue):
    _reset_link(client, collegue.email)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [collegue.email]
    assert message.subject == "Dossier usager : réinitialisation de votre mot de passe"
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien" in message.body
    event = Entree.objects.get(action=AuditAction.SECURITY).details
    assert event == {"event": "password_reset_requested"}


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("comptes:password_reset"), {"email": "nul@exemple.fr"})
    assert response.url == reverse("comptes:password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court1!", "Ce mot de passe est trop court"),
        ("motdepasse12", "Ce mot de passe est trop courant"),
        ("password1234", "Ce mot de passe est trop courant"),
    ],
)
def test_password_reset_refuses_short_or_common_password(client, collegue, password, message):
    link = _reset_link(client, collegue.email)
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    collegue.refresh_from_db()
    assert collegue.check_password(PASSWORD)


def test_after_a_reset_the_second_factor_is_still_required(client, collegue):
    totp_device(collegue)
    link = _reset_link(client, collegue.email)
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("comptes:password_reset_complete")
    assert "_auth_user_id" not in client.session
    assert password_step(client, collegue.email, NEW_PASSWORD).url == reverse("comptes:otp")
    assert client.get(reverse("usagers:list")).url == reverse("comptes:otp")
    events = Entree.objects.filter(action=AuditAction.SECURITY).values_list(
        "details__event", flat=True
    )
    assert "password_reset_done" in list(events)


def test_reset_link_works_once(client, collegue):
    link = _reset_link(client, collegue.email)
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = Client().get(link)
    assert "Ce lien n'est plus valable" in response.content.decode()


def test_password_change_keeps_this_session_and_is_journaled(login, collegue):
    client = login(collegue)
    response = client.post(
        reverse("comptes:mon_compte"),
        {
            "action": "password",
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.url == reverse("comptes:mon_compte")
    assert client.get(reverse("ui:home")).status_code == 200
    collegue.refresh_from_db()
    assert collegue.check_password(NEW_PASSWORD)
    assert Entree.objects.get(action=AuditAction.SECURITY).details == {"event": "password_changed"}


def test_password_change_refuses_a_common_password(login, collegue):
    client = login(collegue)
    response = client.post(
        reverse("comptes:mon_compte"),
        {
            "action": "password",
            "old_password": PASSWORD,
            "new_password1": "azerty123456",
            "new_password2": "azerty123456",
        },
    )
    assert response.status_code == 200
    assert "trop courant" in response.content.decode()
    collegue.refresh_from_db()
    assert collegue.check_password(PASSWORD)
    assert not Entree.objects.filter(action=AuditAction.SECURITY).exists()


def test_regenerated_recovery_codes_replace_the_old_ones(login, collegue):
    client = login(collegue)
    old = StaticDevice.objects.create(user=collegue, name="secours", confirmed=True)
    StaticToken.objects.create(device=old, token="aaaabbbb")
    response = client.post(reverse("comptes:mon_compte"), {"action": "recovery_codes"})
    assert response.url == reverse("comptes:recovery_codes")
    page = client.get(response.url).content.decode()
    tokens = set(StaticToken.objects.filter(device__user=collegue).values_list("token", flat=True))
    assert len(tokens) == 10
    assert "aaaabbbb" not in tokens
    assert all(f"{t[:4]}-{t[4:]}" in page for t in tokens)
    assert Entree.objects.get(action=AuditAction.SECURITY).details == {
        "event": "recovery_codes_generated",
        "count": 10,
    }


def test_authenticator_reset_requires_the_current_password(login, collegue):
    client = login(collegue)
    response = client.post(
        reverse("comptes:mon_compte"), {"action": "reset_otp", "password": "pas le bon"}
    )
    assert response.status_code == 200
    assert "Mot de passe incorrect." in response.content.decode()
    assert TOTPDevice.objects.filter(user=collegue).exists()


def test_authenticator_reset_sends_to_enrolment(login, collegue):
    client = login(collegue)
    response = client.post(
        reverse("comptes:mon_compte"), {"action": "reset_otp", "password": PASSWORD}
    )
    assert response.url == reverse("comptes:otp_enrol")
    assert not TOTPDevice.objects.filter(user=collegue, confirmed=True).exists()
    assert client.get(reverse("usagers:list")).url == reverse("comptes:otp_enrol")
    assert Entree.objects.get(action=AuditAction.SECURITY).details == {"event": "otp_reset"}


def test_account_page_needs_a_verified_session(client, collegue):
    totp_device(collegue)
    password_step(client, collegue.email)
    assert client.get(reverse("comptes:mon_compte")).url == reverse("comptes:otp")
