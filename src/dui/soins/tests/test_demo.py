"""The demo hook gives the first EHPAD residents treatments, traces, a care plan."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.comptes.models import Professionnel
from dui.demo import CONTENT_HOOKS
from dui.soins.demo import populate
from dui.soins.models import ActeSoin, Administration, ObservationMedicale, SoinPlanifie
from dui.soins.queries import traitements_en_cours
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db


def test_demo_soins(organisme, etab, prise_en_charge):
    etab.categorie = "500"
    etab.save()
    second = PriseEnChargeFactory(etablissement=etab).usager
    make_pro(etab, "infirmier")
    medecin = make_pro(etab, "medecin")
    Professionnel.objects.create(user=medecin, profession="medecin")
    populate(organisme, random.Random(3), timezone.localdate())
    first = traitements_en_cours(prise_en_charge.usager)
    assert [t.medicament for t in first] == [
        "Amlodipine",
        "Atorvastatine",
        "Metformine",
        "Paracétamol",
    ]
    assert first[2].posologie == "1 cp matin et soir" and first[3].si_besoin
    assert len(traitements_en_cours(second)) == 5
    traces = Administration.objects.filter(usager=prise_en_charge.usager)
    assert traces.count() == 4 and traces.filter(statut="non_donne", motif="refus").count() == 1
    assert SoinPlanifie.objects.filter(usager=second).count() == 2
    assert ActeSoin.objects.count() == 2 and ObservationMedicale.objects.count() == 2
    assert "dui.soins.demo.populate" in CONTENT_HOOKS
