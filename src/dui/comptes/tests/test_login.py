"""Login: password first, then the second factor, before any personal page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dui.audit.models import AuditAction, Entree
from dui.comptes.tests.factories import PASSWORD, UserFactory
from dui.comptes.tests.login_helpers import current_code, otp_step, password_step, totp_device

pytestmark = pytest.mark.django_db


def test_login_form_has_labels_and_autocomplete(client):
    response = client.get(reverse("comptes:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_email">Adresse e-mail</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_password_alone_reaches_no_personal_page(client, referent):
    totp_device(referent)
    response = password_step(client, referent.email)
    assert response.status_code == 302
    assert response.url == reverse("comptes:otp")
    for url in (reverse("usagers:list"), reverse("ui:home"), reverse("comptes:mon_compte")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("comptes:otp"), url


def test_user_without_device_is_sent_to_enrolment(client, collegue):
    response = password_step(client, collegue.email)
    assert response.url == reverse("comptes:otp_enrol")
    assert client.get(reverse("usagers:list")).url == reverse("comptes:otp_enrol")


def test_email_is_case_insensitive(client, collegue):
    totp_device(collegue)
    response = password_step(client, collegue.email.upper())
    assert response.url == reverse("comptes:otp")


def test_wrong_password_and_unknown_email_get_the_same_message(client, collegue):
    wrong = password_step(client, collegue.email, "Pas le bon mot de passe 1")
    unknown = password_step(client, "personne@exemple.fr")
    assert wrong.status_code == unknown.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_full_login_opens_home_and_rotates_session_key(client, collegue):
    device = totp_device(collegue)
    password_step(client, collegue.email)
    key_after_password = client.session.session_key
    response = otp_step(client, current_code(device))
    assert response.status_code == 302
    assert response.url == reverse("ui:home")
    assert client.session.session_key != key_after_password
    assert client.get(reverse("ui:home")).status_code == 200


def test_login_is_journaled_after_second_factor_only(client, collegue):
    device = totp_device(collegue)
    password_step(client, collegue.email)
    assert not Entree.objects.filter(action=AuditAction.LOGIN).exists()
    otp_step(client, current_code(device))
    entry = Entree.objects.get(action=AuditAction.LOGIN)
    assert entry.actor_id == collegue.pk
    assert entry.details == {"method": "totp"}
    assert entry.ip == "127.0.0.1"


def test_failed_password_is_journaled_without_the_password(client, collegue):
    password_step(client, collegue.email, "Secret essayé 12345")
    entry = Entree.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor_id == collegue.pk
    assert entry.details == {"step": "password"}
    assert "Secret essayé" not in str(entry.details) + entry.reason + entry.actor_label


def test_safe_next_is_followed_through_both_steps(client, referent, usager):
    device = totp_device(referent)
    target = reverse("usagers:detail", args=[usager.pk])
    password_step(client, referent.email, next=target)
    response = otp_step(client, current_code(device))
    assert response.url == target


def test_next_to_another_site_is_ignored(client, collegue):
    device = totp_device(collegue)
    password_step(client, collegue.email, next="https://pirate.example/vol")
    response = otp_step(client, current_code(device))
    assert response.url == reverse("ui:home")


def test_inactive_user_cannot_log_in(client):
    user = UserFactory(is_active=False)
    response = password_step(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(login, collegue):
    client = login(collegue)
    assert client.get(reverse("comptes:logout")).status_code == 405
    assert client.get(reverse("ui:home")).status_code == 200


def test_logout_ends_session_and_is_journaled(login, collegue):
    client = login(collegue)
    response = client.post(reverse("comptes:logout"))
    assert response.url == reverse("comptes:login")
    assert client.get(reverse("ui:home")).status_code == 302
    assert Entree.objects.get(action=AuditAction.LOGOUT).actor_id == collegue.pk


def test_verified_user_visiting_login_goes_home(login, collegue):
    client: Client = login(collegue)
    response = client.get(reverse("comptes:login"))
    assert response.url == reverse("ui:home")
