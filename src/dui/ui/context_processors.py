"""What every page's shell needs: the user's établissements and role-based navigation."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from dui.accompagnement.models import transmission_categories
from dui.comptes import policy
from dui.projet.home import coordinates_here
from dui.soins.home import traces_here


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (nav flag, label, URL name, view-name prefixes of the pages where the item is current)
_NAV: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("accueil", "Accueil", "ui:home", ("ui:home",)),
    (
        "usagers",
        "Personnes accompagnées",
        "usagers:list",
        (
            "usagers:list",
            "usagers:detail",
            "usagers:nouveau",
            "usagers:identite",
            "usagers:parcours",
            "usagers:admission",
            "usagers:transfert",
            "usagers:sortie",
            "usagers:entourage",
            "usagers:proche",
            "usagers:intervenant",
            "usagers:droit",
            "usagers:synthese",
        ),
    ),
    ("liste_attente", "Liste d'attente", "usagers:candidatures", ("usagers:candidature",)),
    (
        "transmissions",
        "Transmissions",
        "accompagnement:transmissions_etablissement",
        ("accompagnement:transmissions_etablissement", "accompagnement:transmissions_releve"),
    ),
    ("bris_de_glace", "Accès exceptionnel", "usagers:break_glass_search", ("usagers:break_glass",)),
    ("identitovigilance", "Identitovigilance", "usagers:vigilance", ("usagers:vigilance",)),
    # Projets personnalisés due or overdue: those who coordinate them (dui.projet.home).
    ("projets", "Projets personnalisés", "projet:echeances", ("projet:echeances",)),
    # The medication round and the untraced doses: care roles (dui.soins.home).
    ("tournee", "Tournée des médicaments", "soins:tournee", ("soins:tournee", "soins:doses_")),
    # Sends to the DMP refused, in error or waiting for a retry: care staff (interop/dmp).
    ("dmp_echecs", "Envois DMP à traiter", "dmp:echecs", ("dmp:echecs",)),
    ("journal", "Journal d'accès", "audit:journal", ("audit:",)),
    ("administration", "Structures", "structures:list", ("structures:",)),
    ("administration", "Comptes", "comptes_admin:users", ("comptes_admin:",)),
    # Evaluation grids defined by administrators (dui.accompagnement.views_grilles).
    (
        "administration",
        "Grilles d'évaluation",
        "accompagnement:grilles",
        ("accompagnement:grille",),
    ),
]


@functools.lru_cache(maxsize=64)
def _nav_url(url_name: str, script_prefix: str, urlconf: str | None) -> str:
    # The entries take no argument: their URL only depends on the prefix and the URLconf, both
    # in the key, so every page's shell does not reverse a dozen names again.
    return reverse(url_name, urlconf=urlconf)


def nav_items(request: HttpRequest, nav: dict[str, bool]) -> list[NavItem]:
    """The main navigation entries this user may use, the current one marked."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    prefix, urlconf = get_script_prefix(), get_urlconf()
    items = []
    for flag, label, url_name, prefixes in _NAV:
        if nav.get(flag):
            current = bool(view_name) and view_name.startswith(prefixes)
            items.append(NavItem(label, _nav_url(url_name, prefix, urlconf), current))
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE}
    if user is None or not user.is_authenticated or not user.is_verified():
        return context
    rights = policy.droits(user)
    current = getattr(request, "etablissement", None)
    current_rights = rights.get(current.pk) if current else None
    nav = {
        "accueil": True,
        "usagers": bool(current_rights and "administratif" in current_rights.lecture),
        "liste_attente": bool(current_rights and "administratif" in current_rights.ecriture),
        "administration": policy.may_administer(user),
        "journal": policy.may_read_journal(user),
        "bris_de_glace": policy.may_break_glass(user),
        "identitovigilance": policy.may_manage_identities(user),
        "projets": coordinates_here(request),
        "tournee": traces_here(request),
        # Failed DMP sends are handled by the nurses and physicians who may consult the DMP;
        # the menu of an aide-soignant on a phone stays short.
        "dmp_echecs": bool(
            current_rights
            and "soins" in current_rights.ecriture
            and "medical" in current_rights.lecture
        ),
        # The établissement's transmissions and the handover view (accompagnement).
        "transmissions": bool(
            current_rights
            and policy.may_list_usagers(user, current)
            and transmission_categories(current_rights.lecture)
        ),
    }
    context.update(
        {
            "mes_etablissements": policy.etablissements(user),
            "etablissement_courant": current,
            "role_courant": current_rights.role if current_rights else None,
            "nav": nav,
            "nav_items": nav_items(request, nav),
        }
    )
    return context
