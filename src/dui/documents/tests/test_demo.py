"""The demo hook stores a few documents, readable per category."""

from __future__ import annotations

import datetime
import random

import pytest

from conftest import make_pro
from dui.demo import CONTENT_HOOKS
from dui.documents import access
from dui.documents.demo import populate
from dui.documents.models import Document, Signature
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db


def test_demo_documents(organisme, etab, prise_en_charge):
    PriseEnChargeFactory(etablissement=etab)
    medecin = make_pro(etab, "medecin")
    make_pro(etab, "infirmier")
    make_pro(etab, "accueil")
    soignant = make_pro(etab, "soignant")
    populate(organisme, random.Random(1), datetime.date(2026, 3, 1))
    docs = list(Document.objects.order_by("pk"))
    assert [d.type_code for d in docs] == ["57833-6", "60280-5", "PIECE-IDENTITE"]
    assert docs[1].prise_en_charge == prise_en_charge and docs[1].origine == "recu"
    assert docs[2].versions.count() == 2
    assert all(v.contenu().startswith(b"%PDF-") for d in docs for v in d.versions.all())
    assert Signature.objects.get().signataire_nom.startswith("Dr ")
    # The soignant reads the urgences sheet, not the ordonnance.
    lisibles = access.documents_lisibles(soignant, prise_en_charge.usager)
    assert set(lisibles.values_list("type_code", flat=True)) == {"60280-5"}
    assert access.documents_lisibles(medecin, prise_en_charge.usager).count() == 2
    assert "dui.documents.demo.populate" in CONTENT_HOOKS
