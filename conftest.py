"""Shared test fixtures: personas, verified logins, and a network limited to loopback.

Personas (STYLE.md): `referent` follows the person `usager` in `etab`; `collegue` works in
the same établissement; `autre_etab_pro` works in another établissement of the same
organisme; `admin` administers `etab`; `dpo` reads the journal of `etab`.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes import policy
from dui.comptes.middleware import RENEWED_KEY
from dui.comptes.middleware import SESSION_KEY as ETABLISSEMENT_KEY
from dui.comptes.models import Role
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory

_real_connect = socket.socket.connect


def _loopback_only(self, address):  # type: ignore[no-untyped-def]
    if isinstance(address, tuple) and self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise OSError(f"Réseau bloqué pendant les tests : {host}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    # Uploaded files (photos…) never land in the checkout's var/ during tests.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def make_pro(etablissement, role_code: str, **user_kwargs):
    """A user assigned to `etablissement` with the ready-made role `role_code`."""
    user = UserFactory(**user_kwargs)
    AffectationFactory(
        user=user, etablissement=etablissement, role=Role.objects.get(code=role_code)
    )
    return user


def verify_session(client: Client, user) -> Client:
    """Log `user` in with a confirmed TOTP device, as after a successful second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    # As after the first page: renewed, current établissement chosen (a fresh instance, so
    # that no cached rights stick to `user`). Query counts then do not depend on whether the
    # request under test is the first of the session.
    session[RENEWED_KEY] = int(timezone.now().timestamp())
    ids = policy.etablissement_ids(type(user).objects.get(pk=user.pk))
    if ids:
        session[ETABLISSEMENT_KEY] = ids[0]
    session.save()
    return client


@pytest.fixture
def organisme(db):
    return OrganismeFactory()


@pytest.fixture
def etab(organisme):
    return EtablissementFactory(organisme=organisme, nom="EHPAD Les Tilleuls")


@pytest.fixture
def autre_etab(organisme):
    return EtablissementFactory(organisme=organisme, nom="IME Les Sources", categorie="183")


@pytest.fixture
def prise_en_charge(etab):
    return PriseEnChargeFactory(etablissement=etab)


@pytest.fixture
def usager(prise_en_charge):
    return prise_en_charge.usager


@pytest.fixture
def referent(etab, usager):
    user = make_pro(etab, "infirmier", prenom="Rita", nom="Référente")
    MembreEquipeFactory(usager=usager, user=user, etablissement=etab, is_referent=True)
    return user


@pytest.fixture
def collegue(etab):
    return make_pro(etab, "soignant", prenom="Colin", nom="Collègue")


@pytest.fixture
def autre_etab_pro(autre_etab):
    return make_pro(autre_etab, "infirmier", prenom="Anna", nom="Ailleurs")


@pytest.fixture
def admin(etab):
    return make_pro(etab, "administrateur", prenom="Adam", nom="Admin")


@pytest.fixture
def dpo(etab):
    return make_pro(etab, "dpo", prenom="Dora", nom="DPO")


@pytest.fixture
def login():
    """login(user) -> a Client with a verified (password + TOTP) session."""

    def _login(user, client: Client | None = None) -> Client:
        return verify_session(client or Client(), user)

    return _login
