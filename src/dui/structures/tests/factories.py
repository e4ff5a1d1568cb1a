from __future__ import annotations

import factory

from dui.structures.models import (
    CategorieEtablissement,
    Etablissement,
    OrganismeGestionnaire,
    Unite,
)
from dui.structures.validators import luhn_ok


def finess_with_key(n: int, departement: str = "75") -> str:
    """A well-formed FINESS with a valid Luhn key, distinct for each n."""
    base = f"{departement}{n:06d}"[:8]
    for key in range(10):
        if luhn_ok(f"{base}{key}"):
            return f"{base}{key}"
    raise AssertionError("unreachable")


class OrganismeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganismeGestionnaire

    raison_sociale = factory.Sequence(lambda n: f"Association Test {n}")
    finess = factory.Sequence(lambda n: finess_with_key(n, "69"))


class EtablissementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Etablissement

    organisme = factory.SubFactory(OrganismeFactory)
    nom = factory.Sequence(lambda n: f"EHPAD Les Tilleuls {n}")
    finess = factory.Sequence(lambda n: finess_with_key(n + 500000, "75"))
    categorie = CategorieEtablissement.EHPAD
    capacite_places = 60
    code_postal = "75011"
    commune = "Paris"


class UniteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unite

    etablissement = factory.SubFactory(EtablissementFactory)
    nom = factory.Sequence(lambda n: f"Unité {n}")
