"""Administrator-defined grids and data-grid evaluations for tests (through the services)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

QUESTIONS = """Appétit
- Bon = 0
- Diminué = 1
- Absent = 2
Sommeil
- Reposant = 0
- Agité = 2
"""
BANDES = "0-1 = Pas d'inquiétude\n2-4 = À surveiller"


def make_grille(etab: Any, auteur: Any, *, publish: bool = True, **overrides: Any) -> Any:
    """A points grid of the établissement (0–4 points), published unless told."""
    from dui.accompagnement import grilles

    values: dict[str, Any] = {
        "libelle": "Suivi de l'appétit et du sommeil",
        "categorie": "soins",
        "questions": QUESTIONS,
        "bandes": BANDES,
    }
    values.update(overrides)
    grille = grilles.grille_create(actor=auteur, etablissement=etab, **values)
    if publish:
        grille = grilles.grille_publish(actor=auteur, grille=grille)
    return grille


def evaluate(usager: Any, auteur: Any, grille: Any, answers: dict[str, Any], **kw: Any) -> Any:
    """A signed evaluation of the person with `grille`."""
    from dui.accompagnement import services

    evaluation = services.evaluation_create(
        actor=auteur,
        usager=usager,
        grille=grille,
        date=kw.pop("date", timezone.localdate()),
        answers=answers,
        **kw,
    )
    return services.evaluation_sign(actor=auteur, evaluation=evaluation)


def matrix_grille(world: Any) -> list[Any]:
    """URL args [grille] for tests/test_policy_matrix.py: a published grid of world.etab."""
    return [make_grille(world.etab, world.target).pk]
