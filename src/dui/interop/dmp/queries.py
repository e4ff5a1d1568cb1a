"""Reads other apps may show: the DMP sending state of document versions."""

from __future__ import annotations

from collections.abc import Iterable

from dui.interop.models import EnvoiDMP


def derniers_envois(version_ids: Iterable[int]) -> dict[int, EnvoiDMP]:
    """The latest DMP send of each version (one query), for the template
    `dmp/_etat_envoi.html` (include it with `envoi=`). No journaling: the caller journals
    the read of the page that shows it."""
    result: dict[int, EnvoiDMP] = {}
    for envoi in EnvoiDMP.objects.filter(version_id__in=list(version_ids)).order_by("pk"):
        result[envoi.version_id] = envoi
    return result
