"""Reads of projets personnalisés, built on the one policy: out of scope answers 404.

The project is "educatif" data of the person (see services.py for who reads and writes it).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from dui.comptes import policy
from dui.projet.models import ProjetPersonnalise
from dui.usagers.access import usager_get_for
from dui.usagers.models import Usager

CATEGORIE = "educatif"
READ = f"usager.{CATEGORIE}.read"
WRITE_CATEGORIES = ("educatif", "soins")


def may_read(user: Any, usager: Usager) -> bool:
    return policy.allows(user, READ, usager)


def may_write(user: Any, usager: Usager) -> bool:
    return may_read(user, usager) and any(
        policy.allows(user, f"usager.{c}.write", usager) for c in WRITE_CATEGORIES
    )


def usager_for_projet(user: Any, usager_id: int, *, write: bool = False) -> Usager:
    """The person if the user may read (or change, with `write`) their project; else 404."""
    usager = usager_get_for(user, usager_id)
    policy.require(user, READ, usager)
    if write and not may_write(user, usager):
        raise Http404("Introuvable ou non autorisé.")
    return usager


def projet_get_for(
    user: Any, usager_id: int, projet_id: int, *, write: bool = False
) -> ProjetPersonnalise:
    """One project of the person, if the user may read it (change it, with `write`)."""
    usager = usager_for_projet(user, usager_id, write=write)
    projet = (
        ProjetPersonnalise.objects.select_related(
            "referent", "prise_en_charge__unite", "etablissement", "modifie_par"
        )
        .filter(usager=usager, pk=projet_id)
        .first()
    )
    if projet is None:
        raise Http404("Projet introuvable.")
    projet.usager = usager
    return projet
