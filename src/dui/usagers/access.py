"""Reads of persons go through here, built on the one policy: out of scope answers 404."""

from __future__ import annotations

import functools
from typing import Any

from django.http import Http404, HttpRequest

from dui.comptes import policy
from dui.usagers.models import Usager


def usager_get_for(user: Any, usager_id: int) -> Usager:
    """The person if the user may open their record; Http404 otherwise (existence hidden)."""
    usager = Usager.objects.filter(pk=usager_id).first()
    if usager is not None and usager.fusionne_dans_id is not None:
        # A merged record is hidden (as in visible_to), except from the organisme's
        # identitovigilance referents, who see it with a pointer to the kept record.
        if not policy.allows(user, "identitovigilance", usager.organisme):
            raise Http404("Personne introuvable ou hors de votre périmètre.")
        return usager
    if usager is None or not policy.allows(user, "usager.view", usager):
        raise Http404("Personne introuvable ou hors de votre périmètre.")
    return usager


# Tabs of the person's record: (url name, label, category the tab needs to be shown).
RECORD_TABS = [
    ("usagers:detail", "Synthèse", "administratif"),
    ("usagers:identite", "Identité", "administratif"),
    ("usagers:parcours", "Parcours", "administratif"),
    ("usagers:entourage", "Entourage", "administratif"),
    ("usagers:droits", "Droits et prestations", "social"),
    ("accompagnement:transmissions", "Transmissions", "administratif"),
    ("accompagnement:habitudes", "Habitudes de vie", "administratif"),
    ("accompagnement:evaluations", "Évaluations", "administratif"),
    ("soins:constantes", "Constantes", "soins"),
    ("soins:dossier", "Dossier de soins", "soins"),
    ("soins:traitements", "Traitements", "soins"),
    ("soins:plan_de_soins", "Plan de soins", "soins"),
    ("soins:observations", "Observations médicales", "medical"),
    ("dlu:dlu", "DLU", "soins"),
    ("projet:projet", "Projet personnalisé", "educatif"),
    ("documents:liste", "Documents", "administratif"),
    ("dmp:documents", "DMP", "soins"),
]


# Banners shown above every tab of the record, registered by other apps (AppConfig.ready):
# hook(user, usager, readable_categories) -> None or an object with a `template` name, which
# record_base.html includes with `banner`. A hook must not query for users it shows nothing.
RECORD_BANNERS: list[Any] = []


@functools.lru_cache(maxsize=512)
def _tab_urls(usager_pk: int, script_prefix: str, urlconf: str | None) -> dict[str, str]:
    """Every tab's URL for one person (the prefix and URLconf they depend on are in the key):
    a person's pages are opened in a row, and each reversed all the tabs again."""
    from django.urls import NoReverseMatch, reverse

    urls = {}
    for name, _label, _categorie in RECORD_TABS:
        try:
            urls[name] = reverse(name, args=[usager_pk], urlconf=urlconf)
        except NoReverseMatch:
            continue  # a tab whose views are not there yet
    return urls


def record_context(
    request: HttpRequest, usager: Usager, *, tab: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Journal the read of one tab of the record and build what record_base.html needs."""
    from django.urls import get_script_prefix, get_urlconf

    from dui import audit
    from dui.audit.models import AuditAction

    break_glass = policy.is_break_glass_access(request.user, usager)
    audit.record(
        action=AuditAction.READ,
        request=request,
        obj=usager,
        usager=usager,
        break_glass=break_glass,
        details={"onglet": tab, **(details or {})},
    )
    readable = policy.usager_categories(request.user, usager)
    tabs = []
    urls = _tab_urls(usager.pk, get_script_prefix(), get_urlconf())
    for name, label, categorie in RECORD_TABS:
        if categorie not in readable or name not in urls:
            continue  # not readable, or a tab whose views are not there yet
        tabs.append({"url": urls[name], "label": label, "current": name == tab})
    return {
        "usager": usager,
        "break_glass": break_glass,
        "categories": readable,
        "record_tabs": tabs,
        "record_banners": [
            b for hook in RECORD_BANNERS if (b := hook(request.user, usager, readable)) is not None
        ],
    }


def ensure_writable(usager: Usager) -> None:
    """Archived and merged records are read-only: services call this before any change."""
    from dui.usagers.identite import IdentiteError

    if usager.archive_le is not None:
        raise IdentiteError("Ce dossier est archivé : il ne peut plus être modifié.")
    if usager.fusionne_dans_id is not None:
        raise IdentiteError("Ce dossier a été fusionné dans un autre : modifiez celui-ci.")
