"""The demo hook gives a few persons evaluations over time (charts), SERAFIN-PH in the IME."""

from __future__ import annotations

import datetime
import random

import pytest

from conftest import make_pro
from dui.accompagnement import services
from dui.accompagnement.demo_evaluations import populate
from dui.accompagnement.models import Evaluation, Grille
from dui.demo import CONTENT_HOOKS
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db


def test_demo_evaluations(organisme, etab, autre_etab, prise_en_charge):
    make_pro(etab, "infirmier")
    make_pro(etab, "administrateur")
    make_pro(autre_etab, "educatif")  # autre_etab is an IME
    ime_stay = PriseEnChargeFactory(etablissement=autre_etab)
    populate(organisme, random.Random(1), datetime.date.today())
    usager = prise_en_charge.usager
    morse = services.history(usager, "morse")
    assert [e.resultat["score"] for e in morse] == [90, 65, 40]
    assert all(e.date >= prise_en_charge.date_debut for e in morse)
    serafin = services.history(ime_stay.usager, "serafin")
    assert [e.resultat["score"] for e in serafin] == [4, 3]
    admin_grid = Grille.objects.get(type="administrateur")
    assert admin_grid.publiee
    results = Evaluation.objects.filter(grille=admin_grid).order_by("date", "pk")
    assert [e.resultat_libelle for e in results] == ["3 — À surveiller", "1 — Pas d'inquiétude"]
    assert "dui.accompagnement.demo_evaluations.populate" in CONTENT_HOOKS
