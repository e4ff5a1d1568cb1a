"""Lists and record of the persons supported."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import usager_get_for
from dui.usagers.models import Usager


@login_required
def usager_list(request: HttpRequest) -> HttpResponse:
    qs = Usager.objects.visible_to(request.user)
    etab = getattr(request, "etablissement", None)
    if etab is not None:
        qs = qs.filter(prises_en_charge__etablissement=etab).distinct()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(nom_naissance__icontains=q) | qs.filter(nom_utilise__icontains=q)
    page = Paginator(qs.order_by("nom_naissance", "prenoms_naissance", "pk"), 50).get_page(
        request.GET.get("page")
    )
    audit.record(
        action=AuditAction.LIST,
        request=request,
        details={"usager_ids": [u.pk for u in page.object_list], "recherche": bool(q)},
    )
    return render(request, "usagers/list.html", {"page": page, "q": q})


@login_required
def usager_detail(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    break_glass = not policy._usager_etablissement_ids(request.user, usager)
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
            "categories": policy.usager_categories(request.user, usager),
            "break_glass": break_glass,
        },
    )
