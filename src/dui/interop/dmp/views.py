"""The DMP tab of a person's record, and the staff's list of failed sends.

Who may do what (one policy, dui.comptes.policy):
- see the tab (consent state, local documents and their sending state): `usager.soins.read`;
- record information/opposition and decide to send: `usager.soins.write` (the team member who
  informs the person or sends a document is a carer; the document itself must be readable
  by the user, dui.documents.access);
- consult the DMP (ITI-18 list, ITI-43 open): `usager.medical.read`. The DMP holds medical
  documents and its access matrix is per health profession: in the DUI only the roles with
  medical data (médecin, infirmier) consult it; others see the sending states only. The DMP
  itself applies the person's consent rules (opposition, masked documents) on top.
Every DMP call is journaled with its transaction (ITI-41 by the outbox, ITI-18, ITI-43 here).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.documents import access as documents_access
from dui.documents.models import VersionDocument
from dui.interop.dmp import client, codes, rendu, services
from dui.interop.dmp import metadata as md
from dui.interop.dmp.errors import DMPErreur
from dui.interop.dmp.forms import ConsentementForm, EnvoiForm
from dui.interop.dmp.queries import derniers_envois
from dui.interop.models import EnvoiDMP, StatutEnvoi
from dui.structures.models import Etablissement
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError, ins_for_sharing
from dui.usagers.models import Usager

TAB = "dmp:documents"


def _etablissement_pour(user: Any, usager: Usager) -> Etablissement | None:
    """The structure the user acts for towards this person (VIHF Identifiant_Structure)."""
    ids = policy.etablissement_ids(user)
    sejour = (
        usager.prises_en_charge.filter(etablissement_id__in=ids)
        .select_related("etablissement")
        .order_by("-date_debut")
        .first()
    )
    if sejour is not None:
        return sejour.etablissement
    return Etablissement.objects.filter(id__in=ids, organisme_id=usager.organisme_id).first()


def _lignes(user: Any, usager: Usager) -> list[dict[str, Any]]:
    """The person's documents readable by the user that have a CDA, latest version first,
    with the sending state of that version."""
    documents = documents_access.documents_lisibles(user, usager).order_by("-created_at")
    versions = {
        v.document_id: v
        for v in VersionDocument.objects.filter(document__in=documents)
        .exclude(cda="")
        .exclude(cda__isnull=True)
        .order_by("document_id", "numero")
    }  # the highest numero wins (ordered ascending)
    envois = derniers_envois(v.pk for v in versions.values())
    lignes = []
    for document in documents:
        version = versions.get(document.pk)
        if version is None:
            continue
        lignes.append({"document": document, "version": version, "envoi": envois.get(version.pk)})
    return lignes


def _tab(
    request: HttpRequest, usager: Usager, *, form: ConsentementForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    etat = services.etat_consentement(usager)
    peut_ecrire = usager.archive_le is None and policy.allows(user, "usager.soins.write", usager)
    context = record_context(request, usager, tab=TAB)
    context.update(
        {
            "etat": etat,
            "obstacle": services.obstacle_envoi(usager, etat),
            "peut_ecrire": peut_ecrire,
            "peut_consulter": policy.allows(user, "usager.medical.read", usager),
            "form": form
            or ConsentementForm(initial={"dernier_vu": etat.dernier.pk if etat.dernier else None}),
            "envoi_form": EnvoiForm(),
            "lignes": _lignes(user, usager),
        }
    )
    return render(request, "dmp/documents.html", context, status=status)


@login_required
@require_GET
def documents(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.soins.read", usager)
    return _tab(request, usager)


@login_required
@require_POST
def consentement(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.soins.write", usager)
    form = ConsentementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enregistrer_consentement(
                request.user,
                usager,
                type=data["type"],
                date=data["date"],
                destinataire=data["destinataire"],
                moyen=data["moyen"],
                par=data["par"],
                motif=data["motif"],
                dernier_vu=data["dernier_vu"],
                request=request,
            )
        except (services.DMPRegleError, IdentiteError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Enregistré dans l'historique du consentement DMP.")
            return redirect("dmp:documents", usager.pk)
    return _tab(request, usager, form=form, status=400)


@login_required
@require_POST
def envoyer(request: HttpRequest, usager_id: int, version_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.soins.write", usager)
    version = (
        VersionDocument.objects.select_related("document")
        .filter(pk=version_id, document__usager=usager)
        .first()
    )
    if version is None or not documents_access.peut_lire(request.user, version.document):
        raise Http404("Document introuvable.")
    form = EnvoiForm(request.POST)
    form.is_valid()  # three optional booleans: always valid
    try:
        services.demander_envoi(request.user, version, request=request, **form.cleaned_data)
    except (services.DMPRegleError, IdentiteError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Envoi au DMP programmé.")
    return redirect("dmp:documents", usager.pk)


def _contexte(request: HttpRequest, usager: Usager) -> Any:
    etab = _etablissement_pour(request.user, usager)
    if etab is None:
        raise Http404("Aucune structure pour consulter ce DMP.")
    mode = "bris_de_glace" if policy.is_break_glass_access(request.user, usager) else "normal"
    return etab, services.contexte_vihf(request.user, etab, usager, mode=mode)


def _journal_dmp(
    request: HttpRequest, usager: Usager, etab: Any, action: str, **details: Any
) -> None:
    audit.record(
        action=action,
        request=request,
        usager=usager,
        etablissement=etab,
        object_type="dmp.document",
        break_glass=policy.is_break_glass_access(request.user, usager),
        details=details,
    )


def _consultable(request: HttpRequest, usager: Usager) -> str:
    if ins_for_sharing(usager) is None:
        return "L'identité de la personne n'est pas qualifiée : le DMP ne peut pas être consulté."
    if services.etat_consentement(usager).oppose:
        return "La personne s'est opposée à son DMP."
    if not client.DMPConfig.from_settings().configure:
        return "Le DMP n'est pas configuré sur cette installation."
    return ""


def _date_xds(value: str) -> datetime.datetime | None:
    """XDS DTM (UTC) → aware datetime, None when unreadable."""
    for fmt in ("%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d"):
        try:
            parsed = datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=datetime.UTC)
    return None


@login_required
@require_GET
def consulter(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.medical.read", usager)
    context = record_context(request, usager, tab=TAB, details={"dmp": "consultation"})
    fiches: list[md.FicheDocument] = []
    erreur = _consultable(request, usager)
    if not erreur:
        etab, contexte = _contexte(request, usager)
        try:
            fiches = client.rechercher_documents(contexte.patient_ins, contexte)
        except DMPErreur as exc:
            erreur = exc.message
        _journal_dmp(
            request,
            usager,
            etab,
            AuditAction.LIST,
            transaction="ITI-18",
            resultat="erreur" if erreur else "ok",
            documents=len(fiches),
        )
    type_code = request.GET.get("type", "")
    types_presents = sorted({(f.type_code.code, f.type_code.libelle) for f in fiches})
    if type_code:
        fiches = [f for f in fiches if f.type_code.code == type_code]
    tri = "type" if request.GET.get("tri") == "type" else "date"
    if tri == "type":
        fiches.sort(key=lambda f: (f.type_code.libelle, f.creation_time), reverse=False)
    else:
        fiches.sort(key=lambda f: f.creation_time, reverse=True)
    context.update(
        {
            "erreur": erreur,
            "fiches": [{"fiche": f, "date": _date_xds(f.creation_time)} for f in fiches],
            "types_presents": types_presents,
            "type_code": type_code,
            "tri": tri,
            "visibilites": md.VISIBILITES,
            "classes": codes.CLASSES,
        }
    )
    return render(request, "dmp/consulter.html", context)


@login_required
@require_GET
def ouvrir(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.medical.read", usager)
    unique_id = request.GET.get("uid", "")
    repository = request.GET.get("repo", "")
    if not unique_id or not repository or len(unique_id) > 128 or len(repository) > 128:
        raise Http404("Document introuvable.")
    erreur = _consultable(request, usager)
    if erreur:
        messages.error(request, erreur)
        return redirect("dmp:documents", usager.pk)
    etab, contexte = _contexte(request, usager)
    try:
        document = client.recuperer_document(repository, unique_id, contexte)
        lu = rendu.rendre(document.contenu)
    except (DMPErreur, ValueError) as exc:
        _journal_dmp(
            request, usager, etab, AuditAction.READ, transaction="ITI-43", resultat="erreur"
        )
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("dmp:consulter", usager.pk)
    _journal_dmp(
        request,
        usager,
        etab,
        AuditAction.READ,
        transaction="ITI-43",
        resultat="ok",
        document=unique_id,
    )
    if lu.pdf is not None and request.GET.get("format") == "pdf":
        response = HttpResponse(lu.pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="document-dmp.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    context = record_context(request, usager, tab=TAB, details={"dmp": "document"})
    context.update({"rendu": lu, "uid": unique_id, "repo": repository})
    return render(request, "dmp/ouvrir.html", context)


def _ecrit_soins_ici(request: HttpRequest) -> Etablissement:
    etab = getattr(request, "etablissement", None)
    rights = policy.droits(request.user).get(etab.pk) if etab is not None else None
    if rights is None or "soins" not in rights.ecriture:
        raise Http404("Page réservée aux équipes de soins de l'établissement.")
    return etab  # type: ignore[return-value]


@login_required
@require_GET
def echecs(request: HttpRequest) -> HttpResponse:
    """Sends of the current établissement that were refused, are in error, or wait for a
    new attempt, for the care staff to act on."""
    etab = _ecrit_soins_ici(request)
    envois = list(
        EnvoiDMP.objects.filter(etablissement=etab)
        .filter(
            statut__in=[StatutEnvoi.REFUSE, StatutEnvoi.ERREUR, StatutEnvoi.A_ENVOYER],
        )
        .exclude(statut=StatutEnvoi.A_ENVOYER, tentatives=0)
        .select_related("usager", "version__document")
        .order_by("-demande_le")[:200]
    )
    visibles = [e for e in envois if policy.allows(request.user, "usager.soins.read", e.usager)]
    audit.record(
        action=AuditAction.LIST,
        request=request,
        etablissement=etab,
        object_type="interop.envoidmp",
        details={"envois_dmp": "echecs", "lignes": len(visibles)},
    )
    return render(request, "dmp/echecs.html", {"envois": visibles, "etablissement": etab})


@login_required
@require_POST
def relancer(request: HttpRequest, envoi_id: int) -> HttpResponse:
    envoi = EnvoiDMP.objects.filter(pk=envoi_id).first()
    if envoi is None:
        raise Http404("Envoi introuvable.")
    usager = usager_get_for(request.user, envoi.usager_id)
    policy.require(request.user, "usager.soins.write", usager)
    try:
        services.relancer(request.user, envoi, request=request)
    except (services.DMPRegleError, IdentiteError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Nouvel essai d'envoi programmé.")
    return redirect("dmp:echecs")


urlpatterns = [
    path("<int:usager_id>/dmp/", documents, name="documents"),
    path("<int:usager_id>/dmp/consentement/", consentement, name="consentement"),
    path("<int:usager_id>/dmp/envoyer/<int:version_id>/", envoyer, name="envoyer"),
    path("<int:usager_id>/dmp/consulter/", consulter, name="consulter"),
    path("<int:usager_id>/dmp/document/", ouvrir, name="ouvrir"),
    path("dmp/echecs/", echecs, name="echecs"),
    path("dmp/envois/<int:envoi_id>/relancer/", relancer, name="relancer"),
]
