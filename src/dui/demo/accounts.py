"""The demo accounts and their current second-factor codes (demo mode only).

Used by `manage.py demo_codes` and, in demo mode, by the login page: a newcomer tries every
role without a phone. Only TOTP devices named "demo" are listed, never a real enrolment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.demo import DEMO_DEVICE_NAME, DEMO_PASSWORD
from dui.demo.generator import refuse_in_production


@dataclass(frozen=True)
class DemoAccount:
    email: str
    nom: str
    roles: tuple[str, ...]
    etablissements: tuple[str, ...]
    device: TOTPDevice

    @property
    def role_label(self) -> str:
        return ", ".join(self.roles)


def current_code(device: TOTPDevice, at: float | None = None) -> tuple[str, int]:
    """The device's TOTP code now (or at `at`) and the seconds it stays valid."""
    now = time.time() if at is None else at
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    seconds_left = device.step - int(now - device.t0) % device.step
    return str(totp.token()).zfill(device.digits), seconds_left


def demo_accounts() -> list[DemoAccount]:
    """Every active account holding a confirmed "demo" device, with its roles and places."""
    refuse_in_production()
    devices = (
        TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME, confirmed=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("user__affectations__role", "user__affectations__etablissement")
        .order_by("user__email")
    )
    accounts = []
    for device in devices:
        user = device.user
        affectations = [a for a in user.affectations.all() if a.actif]
        affectations.sort(key=lambda a: a.etablissement.nom)
        roles = tuple(dict.fromkeys(a.role.libelle for a in affectations))
        accounts.append(
            DemoAccount(
                email=user.email,
                nom=user.get_full_name(),
                roles=roles,
                etablissements=tuple(a.etablissement.nom for a in affectations),
                device=device,
            )
        )
    return accounts


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def logins_text() -> str:
    """The demo logins without codes, as `make run` prints them at start."""
    accounts = demo_accounts()
    if not accounts:
        return "Aucun compte de démonstration : lancez « manage.py demo »."
    rows = [(a.email, a.role_label, " / ".join(a.etablissements)) for a in accounts]
    return "\n".join(
        [
            "Comptes de démonstration (données fictives) :",
            _table(rows, ("E-mail", "Profil", "Établissement(s)")),
            f"Mot de passe commun : {DEMO_PASSWORD}",
            "Second facteur : « manage.py demo_codes » affiche les codes à 6 chiffres.",
        ]
    )


def codes_text(at: float | None = None) -> str:
    """The demo accounts with their current TOTP code and the seconds it remains valid."""
    accounts = demo_accounts()
    if not accounts:
        return "Aucun compte de démonstration : lancez « manage.py demo »."
    rows = []
    for account in accounts:
        code, seconds_left = current_code(account.device, at)
        rows.append(
            (
                account.email,
                account.role_label,
                " / ".join(account.etablissements),
                code,
                f"{seconds_left} s",
            )
        )
    return "\n".join(
        [
            _table(rows, ("E-mail", "Profil", "Établissement(s)", "Code", "Encore")),
            f"Mot de passe commun : {DEMO_PASSWORD}",
            "Chaque code ne sert qu'une fois ; relancez la commande pour un code neuf.",
        ]
    )
