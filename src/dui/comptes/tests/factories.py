from __future__ import annotations

import factory

from dui.comptes.models import Affectation, Profession, Professionnel, Role, User
from dui.structures.tests.factories import EtablissementFactory

PASSWORD = "Un mot de passe très sûr 2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pro{n}@exemple.fr")
    nom = factory.Sequence(lambda n: f"Martin{n}")
    prenom = "Claire"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class ProfessionnelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professionnel

    user = factory.SubFactory(UserFactory)
    profession = Profession.IDE


class AffectationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affectation

    user = factory.SubFactory(UserFactory)
    etablissement = factory.SubFactory(EtablissementFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(code="soignant"))
