from __future__ import annotations

import datetime

import factory

from dui.structures.tests.factories import EtablissementFactory
from dui.usagers.models import MembreEquipe, PriseEnCharge, Sexe, Usager


class UsagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Usager

    nom_naissance = factory.Sequence(lambda n: f"DUPONT{n}")
    prenoms_naissance = "Marie Jeanne"
    date_naissance = datetime.date(1938, 4, 12)
    sexe = Sexe.FEMININ
    lieu_naissance_insee = "75056"
    organisme = factory.LazyAttribute(lambda o: EtablissementFactory().organisme)


class PriseEnChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriseEnCharge

    etablissement = factory.SubFactory(EtablissementFactory)
    usager = factory.SubFactory(
        UsagerFactory, organisme=factory.SelfAttribute("..etablissement.organisme")
    )
    date_debut = datetime.date(2024, 1, 15)


class MembreEquipeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembreEquipe

    usager = factory.SubFactory(UsagerFactory)
    etablissement = factory.SubFactory(EtablissementFactory)
