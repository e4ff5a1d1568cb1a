"""Lockout after repeated login failures, counted per account (e-mail) and per client address.

Failures are counted for any typed e-mail, existing or not, so a lock never tells whether an
account exists. Attempts refused while locked are not counted: the lock ends on its own once
the window has passed over the failures that caused it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from dui.comptes.models import LoginFailure


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _window_start(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)


def _unlock_at(filters: dict[str, object], limit: int, now: datetime) -> datetime | None:
    """When the limit-th most recent failure in the window leaves it, or None if not locked."""
    if limit <= 0:
        return None
    recent = (
        LoginFailure.objects.filter(at__gte=_window_start(now), **filters)
        .order_by("-at")
        .values_list("at", flat=True)[limit - 1 : limit]
    )
    for at in recent:
        return at + timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    return None


def locked_minutes(email: str, ip: str | None) -> int:
    """Minutes before a login may be tried again for this e-mail and address (0: not locked)."""
    now = timezone.now()
    candidates = [_unlock_at({"email": normalize_email(email)}, _account_limit(), now)]
    if ip:
        candidates.append(_unlock_at({"ip": ip}, settings.LOCKOUT_MAX_FAILURES_IP, now))
    unlock = max((c for c in candidates if c is not None), default=None)
    if unlock is None or unlock <= now:
        return 0
    return max(1, math.ceil((unlock - now).total_seconds() / 60))


def _account_limit() -> int:
    return int(settings.LOCKOUT_MAX_FAILURES_ACCOUNT)


def failure_add(*, email: str, ip: str | None, step: str) -> list[str]:
    """Count one failure; return the scopes ("account", "ip") that this failure just locked."""
    now = timezone.now()
    email = normalize_email(email)
    LoginFailure.objects.create(email=email, ip=ip, at=now, step=step)
    since = _window_start(now)
    newly_locked = []
    if LoginFailure.objects.filter(email=email, at__gte=since).count() == _account_limit():
        newly_locked.append("account")
    if ip and (
        LoginFailure.objects.filter(ip=ip, at__gte=since).count()
        == settings.LOCKOUT_MAX_FAILURES_IP
    ):
        newly_locked.append("ip")
    return newly_locked


def failures_clear(*, email: str) -> int:
    """Forget the failures of an account (after a full login, or when an admin unlocks it)."""
    deleted, _ = LoginFailure.objects.filter(email=normalize_email(email)).delete()
    return deleted


def locked_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Trop de tentatives de connexion. Par sécurité, la connexion est suspendue : "
        f"réessayez dans {minutes} {unit}."
    )
