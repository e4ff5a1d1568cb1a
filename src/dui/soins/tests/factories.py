from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from dui.comptes.tests.factories import UserFactory
from dui.soins.models import Mesure


class MesureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mesure

    type = "temperature"
    valeur = Decimal("37.0")
    mesure_le = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=5))
    saisi_par = factory.SubFactory(UserFactory)
