"""The demo hook gives the first EHPAD residents a validated DLU, one overdue for review."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.demo import CONTENT_HOOKS
from dui.dlu import queries, services
from dui.dlu.demo import populate
from dui.dlu.models import DLU
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db


def test_demo_dlu(organisme, etab, prise_en_charge):
    others = [PriseEnChargeFactory(etablissement=etab).usager for _ in range(3)]
    medecin = make_pro(etab, "medecin")
    populate(organisme, random.Random(3), timezone.localdate())
    assert DLU.objects.filter(statut="valide").count() == 3
    persons = [prise_en_charge.usager, *others]
    with_dlu = [u for u in persons if queries.dlu_courant(u) is not None]
    assert len(with_dlu) == 3
    # The one without a DLU and the overdue one are in the review list.
    assert len(services.a_revoir(etab, medecin)) == 2
    assert "dui.dlu.demo.populate" in CONTENT_HOOKS
    assert CONTENT_HOOKS.index("dui.dlu.demo.populate") > CONTENT_HOOKS.index(
        "dui.soins.demo.populate"
    )
