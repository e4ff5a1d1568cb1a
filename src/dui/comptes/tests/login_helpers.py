"""Helpers shared by the login, OTP, lockout, session and password tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.tests.factories import PASSWORD


def totp_device(user, name: str = "telephone") -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def password_step(client: Client, email: str, password: str = PASSWORD, **params):
    url = reverse("comptes:login")
    if "next" in params:
        url += f"?next={params.pop('next')}"
    return client.post(url, {"email": email, "password": password})


def otp_step(client: Client, code: str):
    return client.post(reverse("comptes:otp"), {"code": code})


@contextmanager
def travel(minutes: float) -> Iterator[None]:
    """Move Django's clock `minutes` ahead (sessions, lockout and audit use timezone.now)."""
    target = timezone.now() + timedelta(minutes=minutes)
    with mock.patch("django.utils.timezone.now", return_value=target):
        yield
