"""Login and account-security operations, each journaled in its own transaction.

Passwords, TOTP codes and recovery codes are never written to the journal or the logs.
"""

from __future__ import annotations

import secrets
from typing import Any

import django_otp
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.models import AuditAction
from dui.audit.services import client_ip, record
from dui.comptes import lockout
from dui.comptes.models import User

RECOVERY_DEVICE_NAME = "secours"
RECOVERY_CODES_COUNT = 10
TOTP_DEVICE_NAME = "application"


def _security(request: HttpRequest, user: User, event: str, **details: Any) -> None:
    record(
        action=AuditAction.SECURITY,
        actor=user,
        request=request,
        details={"event": event, **details},
    )


def connexion_fail(
    *, request: HttpRequest, email: str, step: str, user: User | None = None
) -> list[str]:
    """Count a failed login step (password or otp) and journal it; lock if over the limit.

    Returns the scopes ("account", "ip") that this failure just locked.
    """
    email = lockout.normalize_email(email)
    if user is None:
        user = User.objects.filter(email=email).first()
    ip = client_ip(request)
    with transaction.atomic():
        newly_locked = lockout.failure_add(email=email, ip=ip, step=step)
        record(
            action=AuditAction.LOGIN_FAILED,
            actor=user,
            actor_label=email,
            request=request,
            details={"step": step},
        )
        for scope in newly_locked:
            record(
                action=AuditAction.LOCKOUT,
                actor=user,
                actor_label=email,
                request=request,
                details={"scope": scope, "step": step},
            )
    return newly_locked


def connexion_refuse_locked(*, request: HttpRequest, email: str, step: str) -> None:
    """Journal an attempt refused because the account or the address is locked."""
    email = lockout.normalize_email(email)
    with transaction.atomic():
        record(
            action=AuditAction.LOGIN_FAILED,
            actor=User.objects.filter(email=email).first(),
            actor_label=email,
            request=request,
            details={"step": step, "reason": "locked"},
        )


def otp_device_verify(*, user: User, token: str) -> Device | None:
    """The user's confirmed device that accepts `token` (TOTP code or recovery code), if any.

    A recovery code is deleted by its device when it is accepted, so it works once only.
    """
    token = "".join(token.split()).replace("-", "").lower()
    if not token:
        return None
    kinds: tuple[type[Device], ...] = (TOTPDevice,) if token.isdigit() else (StaticDevice,)
    for kind in kinds:
        for device in kind.objects.devices_for_user(user, confirmed=True):
            verified = django_otp.verify_token(user, device.persistent_id, token)
            if verified is not None:
                return verified
    return None


def connexion_complete(*, request: HttpRequest, user: User, device: Device) -> None:
    """Mark the session verified by `device`, forget the account's failures, journal LOGIN."""
    with transaction.atomic():
        django_otp.login(request, device)
        lockout.failures_clear(email=user.email)
        record(
            action=AuditAction.LOGIN,
            actor=user,
            request=request,
            details={"method": "recovery_code" if isinstance(device, StaticDevice) else "totp"},
        )
    # A new session key once fully logged in: a key seen before the second factor is useless.
    request.session.cycle_key()


def deconnexion(*, request: HttpRequest) -> None:
    """Journal LOGOUT and end this session."""
    if request.user.is_authenticated:
        with transaction.atomic():
            record(action=AuditAction.LOGOUT, request=request)
    logout(request)


def totp_device_pending_get(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first call and reused on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_device_confirm(
    *, request: HttpRequest, user: User, device: TOTPDevice, token: str
) -> list[str] | None:
    """Confirm a pending TOTP device with a code from the app; create the recovery codes.

    Returns the new recovery codes (to show once), or None if the code is wrong.
    """
    token = "".join(token.split())
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not token.isdigit() or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _recovery_codes_replace(user)
        django_otp.login(request, device)
        lockout.failures_clear(email=user.email)
        _security(request, user, "otp_enrolled")
        _security(request, user, "recovery_codes_generated", count=len(codes))
        record(action=AuditAction.LOGIN, actor=user, request=request, details={"method": "totp"})
    request.session.cycle_key()
    return codes


def codes_secours_regenerate(*, request: HttpRequest, user: User) -> list[str]:
    """Replace the user's recovery codes by 10 new ones (the old ones stop working)."""
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        _security(request, user, "recovery_codes_generated", count=len(codes))
    return codes


def authentificateur_reset(*, request: HttpRequest, user: User) -> None:
    """Delete every second-factor device of the user; the session must enrol again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _security(request, user, "otp_reset")
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    user.otp_device = None  # type: ignore[attr-defined]


def mot_de_passe_change(*, request: HttpRequest, form: PasswordChangeForm) -> None:
    """Save a validated password change and keep this session open."""
    with transaction.atomic():
        user = form.save()
        _security(request, user, "password_changed")
    update_session_auth_hash(request, user)


def mot_de_passe_reset_record(*, request: HttpRequest, user: User, event: str) -> None:
    """Journal a password-reset step (event: password_reset_requested / password_reset_done)."""
    with transaction.atomic():
        record(
            action=AuditAction.SECURITY,
            actor=user,
            request=request,
            details={"event": event},
        )


def sessions_end_all(*, request: HttpRequest, user: User) -> None:
    """End every session of the user, this one included, by rotating its session token."""
    with transaction.atomic():
        user.session_token = secrets.token_hex(16)
        user.save(update_fields=["session_token"])
        _security(request, user, "logout_everywhere")
    logout(request)
