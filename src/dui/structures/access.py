"""Which structures an administrator may see and change, built on the one policy.

An administrator reaches the établissements where they hold a role that may administer, and
the organismes gestionnaires of those établissements; everything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from dui.comptes import policy
from dui.structures.models import Etablissement, OrganismeGestionnaire, Unite


def require_administrator(user: Any) -> list[int]:
    """The ids of the établissements the user administers; 404 when there is none."""
    ids = policy.administered_etablissement_ids(user)
    if not ids:
        raise Http404("Introuvable ou non autorisé.")
    return ids


def administered_etablissements(user: Any) -> QuerySet[Etablissement]:
    return Etablissement.objects.filter(
        id__in=policy.administered_etablissement_ids(user)
    ).select_related("organisme")


def administered_organismes(user: Any) -> QuerySet[OrganismeGestionnaire]:
    return OrganismeGestionnaire.objects.filter(
        etablissements__id__in=policy.administered_etablissement_ids(user)
    ).distinct()


def etablissement_get_for_admin(user: Any, etablissement_id: int) -> Etablissement:
    etablissement = get_object_or_404(
        Etablissement.objects.select_related("organisme"), pk=etablissement_id
    )
    policy.require(user, "etablissement.admin", etablissement)
    return etablissement


def organisme_get_for_admin(user: Any, organisme_id: int) -> OrganismeGestionnaire:
    return get_object_or_404(administered_organismes(user), pk=organisme_id)


def unite_get_for_admin(user: Any, unite_id: int) -> Unite:
    unite = get_object_or_404(Unite.objects.select_related("etablissement"), pk=unite_id)
    policy.require(user, "etablissement.admin", unite.etablissement)
    return unite
