"""Lists and record of the persons supported."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import PriseEnCharge
from dui.usagers.photo import photo_bytes, usager_set_photo
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
    photo_src = reverse("usagers:photo", args=[usager.pk]) if usager.photo else ""
    return render(request, "usagers/synthese.html", {**context, "s": s, "photo_src": photo_src})


@login_required
def usager_photo(request: HttpRequest, usager_id: int) -> HttpResponse:
    """GET: the photo (journaled read); POST: replace or remove it (administrative write)."""
    usager = usager_get_for(request.user, usager_id)
    if request.method == "POST":
        policy.require(request.user, "usager.administratif.write", usager)
        fichier = None if request.POST.get("retirer") else request.FILES.get("photo")
        if fichier is None and not request.POST.get("retirer"):
            messages.error(request, "Choisissez une image JPEG ou PNG.")
            return redirect("usagers:identite", usager.pk)
        try:
            usager_set_photo(user=request.user, usager=usager, fichier=fichier, request=request)
        except IdentiteError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Photo retirée." if fichier is None else "Photo enregistrée.")
        return redirect("usagers:identite", usager.pk)
    found = photo_bytes(usager)
    if found is None:
        raise Http404("Pas de photo.")
    audit.record(
        action=AuditAction.READ,
        request=request,
        obj=usager,
        usager=usager,
        break_glass=policy.is_break_glass_access(request.user, usager),
        details={"photo": True},
    )
    data, kind = found
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
