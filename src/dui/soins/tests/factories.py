from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from dui.comptes.tests.factories import UserFactory
from dui.soins.models import Allergie, Antecedent, Mesure, Vaccination


class MesureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mesure

    type = "temperature"
    valeur = Decimal("37.0")
    mesure_le = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=5))
    saisi_par = factory.SubFactory(UserFactory)


class AntecedentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Antecedent

    type = "medical"
    libelle = "Diabète de type 2"
    annee = 2015
    saisi_par = factory.SubFactory(UserFactory)


class AllergieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergie

    substance = "Pénicilline"
    type = "allergie"
    severite = "moderee"
    certitude = "confirmee"
    saisi_par = factory.SubFactory(UserFactory)


class VaccinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vaccination

    vaccin = "Grippe saisonnière"
    date = datetime.date(2024, 10, 15)
    saisi_par = factory.SubFactory(UserFactory)


def matrix_args(w: Any, kind: str) -> list[Any]:
    """URL args of a withdraw page for the policy matrix: the person and one entry."""
    factories = {
        "antecedent": AntecedentFactory,
        "allergie": AllergieFactory,
        "vaccination": VaccinationFactory,
    }
    return [w.usager.pk, factories[kind](usager=w.usager, saisi_par=w.target).pk]
