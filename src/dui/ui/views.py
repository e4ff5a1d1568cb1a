"""Home page, establishment switcher and error pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dui.audit.models import Entree
from dui.comptes import policy
from dui.comptes.middleware import SESSION_KEY
from dui.comptes.models import Affectation


@login_required
def home(request: HttpRequest) -> HttpResponse:
    affectations = (
        Affectation.objects.filter(user=request.user, actif=True)
        .select_related("etablissement", "role")
        .order_by("etablissement__nom")
    )
    activite = Entree.objects.filter(actor_id=request.user.pk).order_by("-seq")[:10]
    return render(
        request,
        "ui/home.html",
        {
            "affectations": affectations,
            "activite": activite,
            "professionnel": getattr(request.user, "professionnel", None),
        },
    )


@login_required
@require_POST
def switch_etablissement(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("etablissement_id", "")
    ids = policy.etablissement_ids(request.user)
    if not raw.isdigit() or int(raw) not in ids:
        messages.error(request, "Établissement inconnu ou hors de vos affectations.")
        return redirect("ui:home")
    request.session[SESSION_KEY] = int(raw)
    messages.success(request, "Établissement changé.")
    return redirect("ui:home")


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "ui/error.html", {"code": 404, "titre": "Page introuvable",
                  "texte": "Cette page n'existe pas ou vous n'y avez pas accès."}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "ui/error.html", {"code": 403, "titre": "Accès refusé",
                  "texte": "Vous n'avez pas l'habilitation nécessaire pour cette action."},
                  status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/error.html", {"code": 500, "titre": "Erreur du serveur",
                  "texte": "Une erreur est survenue ; elle a été signalée. Réessayez."},
                  status=500)
