"""Lists and record of the persons supported."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.models import PriseEnCharge
from dui.usagers.queries import usager_search
from dui.usagers.synthese import build_synthese

PAGE_SIZE = 50


@login_required
def usager_list(request: HttpRequest) -> HttpResponse:
    etab = getattr(request, "etablissement", None)
    policy.require(request.user, "usagers.list", etab)
    q = request.GET.get("q", "").strip()[:100]
    qs = usager_search(request.user, q, etablissement_id=etab.pk)
    sejours = PriseEnCharge.objects.filter(etablissement=etab).order_by("-date_debut")
    qs = qs.prefetch_related(Prefetch("prises_en_charge", queryset=sejours, to_attr="sejours"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        action=AuditAction.SEARCH if q else AuditAction.LIST,
        request=request,
        details={"usager_ids": [u.pk for u in page.object_list], "recherche": bool(q)},
    )
    return render(request, "usagers/list.html", {"page": page, "q": q})


@login_required
def usager_detail(request: HttpRequest, usager_id: int) -> HttpResponse:
    """The record's first tab: the fiche de synthèse (what the user may read of it)."""
    usager = usager_get_for(request.user, usager_id)
    s = build_synthese(request.user, usager)
    context = record_context(request, usager, tab="usagers:detail")
    return render(request, "usagers/synthese.html", {**context, "s": s})
