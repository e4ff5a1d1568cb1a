"""Home page, establishment switcher and error pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui.audit.models import Entree
from dui.comptes import policy
from dui.comptes.middleware import SESSION_KEY
from dui.comptes.models import Affectation
from dui.dlu.home import bloc_revue as _bloc_dlu
from dui.projet.home import bloc_projets as _bloc_projets
from dui.soins.home import bloc_tournee as _bloc_tournee
from dui.usagers.models import Usager

# French names of the journaled object types shown in "Mon activité récente".
OBJECT_LABELS = {
    "usagers.usager": "dossier d'une personne",
    "comptes.user": "compte utilisateur",
    "comptes.affectation": "affectation",
    "comptes.accesexceptionnel": "accès exceptionnel",
    "structures.etablissement": "établissement",
    "structures.organismegestionnaire": "organisme gestionnaire",
    "structures.unite": "unité",
}


@dataclass
class HomeBlock:
    """One role-specific panel of the home page; later issues add their own builders."""

    key: str
    titre: str
    texte: str = ""
    compte: int | None = None
    liens: list[tuple[str, str]] = field(default_factory=list)


def _bloc_personnes(request: HttpRequest) -> HomeBlock | None:
    etab = getattr(request, "etablissement", None)
    if etab is None or not policy.allows(request.user, "etablissement.view", etab):
        return None
    nombre = (
        Usager.objects.visible_to(request.user)
        .filter(prises_en_charge__etablissement=etab)
        .distinct()
        .count()
    )
    liens = [("Voir la liste des personnes", reverse("usagers:list"))]
    if policy.allows(request.user, "usagers.list", etab):
        liens += [
            ("Liste d'attente", reverse("usagers:candidatures")),
            ("Suivis après la sortie en retard", reverse("usagers:suivis_sortie")),
        ]
    return HomeBlock(
        key="personnes",
        titre="Personnes accompagnées",
        texte=f"Personnes que vous pouvez consulter dans l'établissement {etab.nom}.",
        compte=nombre,
        liens=liens,
    )


def _bloc_dpo(request: HttpRequest) -> HomeBlock | None:
    etab_ids = policy.journal_etablissement_ids(request.user)
    if not etab_ids:
        return None
    depuis = timezone.now() - timedelta(days=7)
    nombre = Entree.objects.filter(
        break_glass=True, at__gte=depuis, etablissement_id__in=etab_ids
    ).count()
    return HomeBlock(
        key="journal",
        titre="Accès exceptionnels des 7 derniers jours",
        texte="Consultations de dossiers hors périmètre habituel, à vérifier.",
        compte=nombre,
        liens=[("Ouvrir le journal d'accès", reverse("audit:journal"))],
    )


def _bloc_administration(request: HttpRequest) -> HomeBlock | None:
    if not policy.may_administer(request.user):
        return None
    return HomeBlock(
        key="administration",
        titre="Administration",
        texte="Gérer les structures, les comptes et les habilitations.",
        liens=[
            ("Structures et établissements", reverse("structures:list")),
            ("Comptes utilisateurs", reverse("comptes_admin:users")),
        ],
    )


def _bloc_identitovigilance(request: HttpRequest) -> HomeBlock | None:
    from dui.usagers.services_vigilance import pending_duplicates_count

    if not policy.may_manage_identities(request.user):
        return None
    return HomeBlock(
        key="identitovigilance",
        titre="Doublons potentiels à traiter",
        texte="Paires de dossiers qui pourraient concerner la même personne.",
        compte=pending_duplicates_count(request.user),
        liens=[("Ouvrir la file d'identitovigilance", reverse("usagers:vigilance"))],
    )


def _bloc_droits(request: HttpRequest) -> HomeBlock | None:
    from dui.usagers.services_entourage import expiring_benefits_count

    etab = getattr(request, "etablissement", None)
    rights = policy.droits(request.user).get(etab.pk) if etab else None
    if rights is None or "social" not in rights.lecture:
        return None
    return HomeBlock(
        key="droits",
        titre="Droits et prestations à renouveler",
        texte="Prestations qui expirent dans les 60 jours ou viennent d'expirer.",
        compte=expiring_benefits_count(request.user, etab),
        liens=[("Voir les échéances", reverse("usagers:droits_echeances"))],
    )


# Role code -> builders of its home blocks, in display order (each checks its own right).
_PERSONNES = [_bloc_personnes, _bloc_identitovigilance, _bloc_droits, _bloc_projets]
HOME_BLOCKS: dict[str, list[Any]] = {
    "direction": _PERSONNES,
    "chef_service": _PERSONNES,
    "medecin": [*_PERSONNES, _bloc_tournee, _bloc_dlu],
    "infirmier": [*_PERSONNES, _bloc_tournee, _bloc_dlu],
    "soignant": [*_PERSONNES, _bloc_tournee, _bloc_dlu],
    "educatif": _PERSONNES,
    "psychologue": _PERSONNES,
    "paramedical": _PERSONNES,
    "accueil": _PERSONNES,
    "intervenant_domicile": _PERSONNES,
    "dpo": [_bloc_dpo],
    "administrateur": [_bloc_administration],
}


def home_blocks(request: HttpRequest) -> list[HomeBlock]:
    """The blocks of every role the user holds, the current établissement's role first."""
    rights = policy.droits(request.user)
    current = rights.get(getattr(request, "etablissement_id", None) or 0)
    codes = [current.role.code] if current else []
    codes += sorted({d.role.code for d in rights.values()} - set(codes))
    builders: list[Any] = []
    for code in codes:
        builders += [b for b in HOME_BLOCKS.get(code, []) if b not in builders]
    return [block for block in (b(request) for b in builders) if block is not None]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    affectations = (
        Affectation.objects.filter(user=request.user, actif=True, etablissement__actif=True)
        .select_related("etablissement", "role")
        .order_by("etablissement__nom")
    )
    noms = {a.etablissement_id: a.etablissement.nom for a in affectations}
    activite = [
        {
            "entree": e,
            "objet": OBJECT_LABELS.get(e.object_type, ""),
            "etablissement": noms.get(e.etablissement_id, ""),
        }
        for e in Entree.objects.filter(actor_id=request.user.pk).order_by("-seq")[:10]
    ]
    return render(
        request,
        "ui/home.html",
        {
            "affectations": affectations,
            "activite": activite,
            "blocks": home_blocks(request),
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
    nom = next(e.nom for e in policy.etablissements(request.user) if e.pk == int(raw))
    messages.success(request, f"Vous travaillez maintenant dans l'établissement {nom}.")
    return redirect("ui:home")


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _error(request: HttpRequest, code: int, titre: str, texte: str) -> HttpResponse:
    return render(
        request, "ui/error.html", {"code": code, "titre": titre, "texte": texte}, status=code
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 404, "Page introuvable", "Cette page n'existe pas ou vous n'y avez pas accès."
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 403, "Accès refusé", "Vous n'avez pas l'habilitation nécessaire pour cette action."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "Erreur du serveur",
        "Une erreur est survenue ; elle a été signalée. Réessayez.",
    )
