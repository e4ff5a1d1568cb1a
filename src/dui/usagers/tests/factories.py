from __future__ import annotations

import datetime

import factory

from dui.structures.tests.factories import EtablissementFactory
from dui.usagers.models import Candidature, MembreEquipe, PriseEnCharge, Sexe, Usager


def _letters(n: int) -> str:
    word = ""
    n += 26 * 27  # at least three letters
    while n:
        n, r = divmod(n, 26)
        word = "BCDFGHJKLMNPQRSTVWXZAEIOUY"[r] + word
    return word


class UsagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Usager

    # Distinct names and birth dates, so that factory persons are not duplicates of each
    # other (nor of the names tests type) for identitovigilance.
    nom_naissance = factory.Sequence(lambda n: f"FACTICE {_letters(n)}")
    prenoms_naissance = "Odile Jeanne"
    # Wrapped within 1925-2000: a long test run creates thousands of persons, and an
    # unbounded sequence would reach birth dates in the future (refused by the forms).
    # 41 and the span are coprime, so dates stay distinct for the first 27 394 persons.
    date_naissance = factory.Sequence(
        lambda n: datetime.date(1925, 1, 1) + datetime.timedelta(days=(41 * n + 3) % 27394)
    )
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


class CandidatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidature

    etablissement = factory.SubFactory(EtablissementFactory)
    usager = factory.SubFactory(
        UsagerFactory, organisme=factory.SelfAttribute("..etablissement.organisme")
    )
    source = Candidature.Source.DIRECTE
    date_reception = datetime.date(2024, 3, 1)
