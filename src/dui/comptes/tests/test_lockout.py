"""Lockout after repeated failures, per account and per client address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dui.audit.models import AuditAction, Entree
from dui.comptes import lockout
from dui.comptes.models import LoginFailure
from dui.comptes.tests.login_helpers import (
    current_code,
    otp_step,
    password_step,
    totp_device,
    travel,
)

pytestmark = pytest.mark.django_db

WRONG = "Pas le bon mot de passe 42"


def _fail(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        password_step(client, email, WRONG)


def test_account_is_locked_even_with_the_right_password(client, collegue, settings):
    totp_device(collegue)
    _fail(client, collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT)
    response = password_step(client, collegue.email)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in html
    assert f"réessayez dans {settings.LOCKOUT_WINDOW_MINUTES} minutes" in html
    assert "_auth_user_id" not in client.session


def test_account_lock_applies_from_another_address(collegue, settings):
    _fail(Client(REMOTE_ADDR="198.51.100.1"), collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT)
    other = Client(REMOTE_ADDR="198.51.100.2")
    response = password_step(other, collegue.email)
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_lock_looks_the_same_for_an_unknown_account(client, collegue, settings):
    _fail(client, "inconnu@exemple.fr", settings.LOCKOUT_MAX_FAILURES_ACCOUNT)
    _fail(client, collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT)
    unknown = password_step(client, "inconnu@exemple.fr").content.decode()
    known = password_step(client, collegue.email).content.decode()
    assert lockout.locked_message(settings.LOCKOUT_WINDOW_MINUTES) in unknown
    assert lockout.locked_message(settings.LOCKOUT_WINDOW_MINUTES) in known


def test_lockout_is_journaled_once(client, collegue, settings):
    _fail(client, collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT)
    password_step(client, collegue.email)
    entry = Entree.objects.get(action=AuditAction.LOCKOUT)
    assert entry.actor_id == collegue.pk
    assert entry.details == {"scope": "account", "step": "password"}
    failed = Entree.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == settings.LOCKOUT_MAX_FAILURES_ACCOUNT + 1
    assert failed.order_by("-seq").first().details == {"step": "password", "reason": "locked"}


def test_address_is_locked_across_accounts(collegue, settings):
    settings.LOCKOUT_MAX_FAILURES_IP = 4
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(4):
        password_step(attacker, f"essai{n}@exemple.fr", WRONG)
    response = password_step(attacker, collegue.email)
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert Entree.objects.get(action=AuditAction.LOCKOUT).details["scope"] == "ip"
    # The account itself is not locked: the same person logs in from another address.
    elsewhere = Client(REMOTE_ADDR="203.0.113.8")
    totp_device(collegue)
    assert password_step(elsewhere, collegue.email).url == reverse("comptes:otp")


def test_lockout_expires_after_the_window(client, collegue, settings):
    totp_device(collegue)
    _fail(client, collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT)
    with travel(settings.LOCKOUT_WINDOW_MINUTES - 1):
        response = password_step(client, collegue.email)
        assert "réessayez dans 1 minute." in response.content.decode()
    with travel(settings.LOCKOUT_WINDOW_MINUTES + 1):
        response = password_step(client, collegue.email)
    assert response.status_code == 302
    assert response.url == reverse("comptes:otp")


def test_wrong_totp_codes_lock_the_account_and_end_the_session(client, collegue, settings):
    device = totp_device(collegue)
    password_step(client, collegue.email)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(settings.LOCKOUT_MAX_FAILURES_ACCOUNT):
        response = otp_step(client, wrong)
    assert response.url == reverse("comptes:login")
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=collegue.email, step="otp").count() == (
        settings.LOCKOUT_MAX_FAILURES_ACCOUNT
    )
    assert Entree.objects.get(action=AuditAction.LOCKOUT).details == {
        "scope": "account",
        "step": "otp",
    }
    assert "Trop de tentatives" in password_step(client, collegue.email).content.decode()


def test_password_and_totp_failures_add_up(client, collegue, settings):
    device = totp_device(collegue)
    _fail(client, collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT - 1)
    password_step(client, collegue.email)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = otp_step(client, wrong)
    assert response.url == reverse("comptes:login")
    assert lockout.locked_minutes(collegue.email, None) == settings.LOCKOUT_WINDOW_MINUTES


def test_full_login_clears_the_account_failures(client, collegue, settings):
    device = totp_device(collegue)
    _fail(client, collegue.email, settings.LOCKOUT_MAX_FAILURES_ACCOUNT - 1)
    password_step(client, collegue.email)
    otp_step(client, current_code(device))
    assert not LoginFailure.objects.filter(email=collegue.email).exists()


def test_failures_older_than_the_window_do_not_count(collegue, settings):
    for _ in range(settings.LOCKOUT_MAX_FAILURES_ACCOUNT - 1):
        lockout.failure_add(email=collegue.email, ip=None, step="password")
    with travel(settings.LOCKOUT_WINDOW_MINUTES + 1):
        assert lockout.failure_add(email=collegue.email, ip=None, step="password") == []
        assert lockout.locked_minutes(collegue.email, None) == 0
