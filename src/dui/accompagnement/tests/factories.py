from __future__ import annotations

from typing import Any

from dui.accompagnement import aggir
from dui.accompagnement.models import Grille

ADVERBES = {
    "A": {"S": True, "T": True, "C": True, "H": True},
    "B": {"S": True, "T": False, "C": True, "H": True},
    "C": {"S": False, "T": False, "C": False, "H": False},
}


def grille_aggir() -> Grille:
    """The built-in AGGIR grid (created by the data migration)."""
    return Grille.objects.get(code="aggir")


def aggir_answers(**codes: str) -> dict[str, Any]:
    """Answers to every AGGIR item: A unless a variable is given another code."""
    return {i["code"]: ADVERBES[codes.get(i["variable"], "A")] for i in aggir.items()}


def make_evaluation(usager: Any, auteur: Any, *, signed: bool) -> Any:
    """An AGGIR evaluation of the person, through the services (signed or draft)."""
    from django.utils import timezone

    from dui.accompagnement import services

    evaluation = services.evaluation_create(
        actor=auteur,
        usager=usager,
        grille=grille_aggir(),
        date=timezone.localdate(),
        answers=aggir_answers(transferts="C"),
    )
    if signed:
        evaluation = services.evaluation_sign(actor=auteur, evaluation=evaluation)
    return evaluation


def matrix_args(world: Any, *, signed: bool) -> list[Any]:
    """URL args [usager, evaluation] for tests/test_policy_matrix.py."""
    return [world.usager.pk, make_evaluation(world.usager, world.target, signed=signed).pk]


def make_transmission(usager: Any, auteur: Any, etab: Any, **kwargs: Any) -> Any:
    """A transmission written through the service (free text, "soins" unless told)."""
    from dui.accompagnement import transmissions

    values: dict[str, Any] = {"categorie": "soins", "type": "libre", "texte": "Note."}
    values.update(kwargs)
    return transmissions.transmission_create(
        actor=auteur, usager=usager, etablissement=etab, **values
    )


def transmission_args(world: Any, *, urgent: bool = False) -> list[Any]:
    """URL args [usager, transmission] for tests/test_policy_matrix.py (a soins note)."""
    t = make_transmission(world.usager, world.target, world.etab, is_urgent=urgent)
    return [world.usager.pk, t.pk]


def make_partenaire(etab: Any, **kwargs: Any) -> Any:
    """A partner of `etab` under a convention in force (created directly: test data)."""
    import datetime

    from dui.accompagnement.models import Partenaire

    values: dict[str, Any] = {
        "nom": "SSIAD du Rhône",
        "siret": "73282932000074",
        "convention_debut": datetime.date(2025, 1, 1),
    }
    values.update(kwargs)
    return Partenaire.objects.create(etablissement=etab, **values)


def partage_args(world: Any) -> list[Any]:
    """URL args [usager, partage] for tests/test_policy_matrix.py (a soins note, shared)."""
    t = make_transmission(world.usager, world.target, world.etab, partage_cahier_liaison=True)
    return [world.usager.pk, t.partages.get().pk]


def partenaire_args(world: Any) -> list[Any]:
    return [make_partenaire(world.etab).pk]
