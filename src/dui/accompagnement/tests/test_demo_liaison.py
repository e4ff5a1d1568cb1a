"""The demo hook fills the EHPAD's handover and a home-care cahier de liaison."""

from __future__ import annotations

import datetime
import random

import pytest

from conftest import make_pro
from dui.accompagnement import liaison
from dui.accompagnement.demo_liaison import populate
from dui.accompagnement.models import PartageTransmission, Partenaire, Transmission
from dui.demo import CONTENT_HOOKS
from dui.structures.tests.factories import EtablissementFactory
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory

pytestmark = pytest.mark.django_db


def test_demo_liaison(organisme):
    ehpad = EtablissementFactory(organisme=organisme, categorie="500")
    sad = EtablissementFactory(organisme=organisme, categorie="460")
    make_pro(ehpad, "soignant")
    for _ in range(3):
        PriseEnChargeFactory(etablissement=ehpad)
    make_pro(sad, "chef_service")
    intervenant = make_pro(sad, "intervenant_domicile")
    person = PriseEnChargeFactory(etablissement=sad).usager
    MembreEquipeFactory(usager=person, user=intervenant, etablissement=sad)

    populate(organisme, random.Random(1), datetime.date.today())

    assert Transmission.objects.filter(etablissement=ehpad, is_urgent=True).count() == 1
    assert Partenaire.objects.filter(etablissement=sad).count() == 2
    assert Transmission.objects.filter(usager=person).count() == 3
    assert PartageTransmission.objects.filter(retire_le__isnull=False).count() == 1
    ssiad = Partenaire.objects.get(nom="SSIAD Lyon Est")
    assert len(liaison.shared_with(person, ssiad)) == 1  # the other one was withdrawn
    assert len(liaison.shared_with(person, None)) == 3
    assert "dui.accompagnement.demo_liaison.populate" in CONTENT_HOOKS
