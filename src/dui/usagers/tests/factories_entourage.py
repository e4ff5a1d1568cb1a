"""Factories of the entourage part (kept apart from factories.py, which others edit)."""

from __future__ import annotations

import datetime

import factory

from dui.usagers.models import DroitPrestation, IntervenantExterieur, Proche
from dui.usagers.tests.factories import UsagerFactory


class ProcheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proche

    usager = factory.SubFactory(UsagerFactory)
    nom = factory.Sequence(lambda n: f"PROCHE{n}")
    prenom = "Claire"
    lien = "fille"
    telephone = "0601020304"


class IntervenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntervenantExterieur

    usager = factory.SubFactory(UsagerFactory)
    type = IntervenantExterieur.Type.SPECIALISTE
    nom = factory.Sequence(lambda n: f"Dr Spécialiste {n}")


class DroitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DroitPrestation

    usager = factory.SubFactory(UsagerFactory)
    type = DroitPrestation.Type.APA
    organisme_payeur = "Conseil départemental"
    date_debut = datetime.date(2024, 1, 1)
    date_fin = datetime.date(2025, 12, 31)
