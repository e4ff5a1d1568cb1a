"""Lists and record of the persons supported."""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import usager_get_for
from dui.usagers.models import PriseEnCharge, Usager

PAGE_SIZE = 50
_NAME_FIELDS = ("nom_naissance", "nom_utilise", "prenoms_naissance", "prenom_utilise")
# Letters and the accented forms French names use; a search for "helene" finds "Hélène".
_ACCENTS = {
    "a": "aàâä",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîï",
    "o": "oôö",
    "u": "uùûü",
    "y": "yÿ",
    "n": "nñ",
}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def accent_insensitive_pattern(word: str) -> str:
    """A regular expression matching `word` whatever its accents and case.

    Portable: Django's iregex works the same on SQLite and PostgreSQL, with no extension.
    """
    parts = []
    for char in _strip_accents(word).lower():
        variants = _ACCENTS.get(char)
        if variants:
            parts.append("[" + variants + variants.upper() + "]")
        elif char.isalpha():
            parts.append("[" + char + char.upper() + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def name_search_q(text: str) -> Q:
    """Every word must appear in one of the person's names (birth or used)."""
    condition = Q()
    for word in text.split()[:5]:
        pattern = accent_insensitive_pattern(word)
        condition &= Q(
            *[Q(**{f"{name}__iregex": pattern}) for name in _NAME_FIELDS], _connector=Q.OR
        )
    return condition


@login_required
def usager_list(request: HttpRequest) -> HttpResponse:
    qs = Usager.objects.visible_to(request.user)
    etab = getattr(request, "etablissement", None)
    sejours = PriseEnCharge.objects.order_by("-date_debut")
    if etab is not None:
        qs = qs.filter(prises_en_charge__etablissement=etab)
        sejours = sejours.filter(etablissement=etab)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(name_search_q(q))
    qs = qs.prefetch_related(Prefetch("prises_en_charge", queryset=sejours, to_attr="sejours"))
    page = Paginator(qs.order_by("nom_naissance", "prenoms_naissance", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.record(
        action=AuditAction.SEARCH if q else AuditAction.LIST,
        request=request,
        details={"usager_ids": [u.pk for u in page.object_list], "recherche": bool(q)},
    )
    return render(request, "usagers/list.html", {"page": page, "q": q})


@login_required
def usager_detail(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    break_glass = not policy._usager_etablissement_ids(request.user, usager)
    sejours = (
        PriseEnCharge.objects.filter(
            usager=usager, etablissement_id__in=policy.etablissement_ids(request.user)
        )
        .select_related("etablissement", "unite")
        .order_by("-date_debut")
    )
    audit.record(
        action=AuditAction.READ,
        request=request,
        obj=usager,
        usager=usager,
        break_glass=break_glass,
    )
    return render(
        request,
        "usagers/detail.html",
        {
            "usager": usager,
            "sejours": sejours,
            "categories": policy.usager_categories(request.user, usager),
            "break_glass": break_glass,
        },
    )
