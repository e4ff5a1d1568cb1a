"""The person's DLU tab, the draft form, validation, prints, and the yearly review list.

Rights (see access.py): soins read for the tab and versions; soins write to prepare and
edit the draft; medical write to validate; a health role with soins read to print. Refusal
is 404 (policy.require semantics); every read goes through record_context (journaled),
every print is journaled as AuditAction.PRINT.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.dlu import access, forms, pdf, queries, services
from dui.dlu.models import DLU
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

TAB = "dlu:dlu"
MAX_MOTIF = 500


def _refuse() -> Http404:
    return Http404("Introuvable ou non autorisé.")


def _usager(request: HttpRequest, usager_id: int, check: Any) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    if not check(request.user, usager):
        raise _refuse()
    return usager


def _rights(user: Any, usager: Usager) -> dict[str, bool]:
    return {
        "may_edit": access.may_edit(user, usager),
        "may_validate": access.may_validate(user, usager),
        "may_print": access.may_print(user, usager),
    }


def _may_generate_dlu(user: Any, usager: Usager) -> bool:
    """Whether the documents' "Générer un document" page offers this user the DLU kind."""
    from dui.interop.cda.views import kinds_for

    return usager.archive_le is None and any(kind == "dlu" for kind, _ in kinds_for(user, usager))


@require_GET
@login_required
def dlu(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_read)
    courant = queries.dlu_courant(usager)
    brouillon = queries.brouillon(usager)
    context = record_context(
        request, usager, tab=TAB, details={"dlu": courant.numero if courant else None}
    )
    a_revoir = courant is None or (
        courant.valide_le is not None
        and (timezone.now() - courant.valide_le).days > services.REVUE_JOURS
    )
    return render(
        request,
        "dlu/dlu.html",
        {
            **context,
            **_rights(request.user, usager),
            "courant": courant,
            "sections": forms.affichage(courant.donnees, courant.variante) if courant else [],
            "brouillon": brouillon,
            "a_revoir": a_revoir,
            "may_generate_cda": courant is not None and _may_generate_dlu(request.user, usager),
            "versions": DLU.objects.filter(usager=usager)
            .select_related("valide_par")
            .order_by("-numero"),
        },
    )


@require_GET
@login_required
def version(request: HttpRequest, usager_id: int, numero: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_read)
    dlu = get_object_or_404(DLU.objects.select_related("valide_par"), usager=usager, numero=numero)
    context = record_context(request, usager, tab=TAB, details={"dlu": dlu.numero})
    return render(
        request,
        "dlu/version.html",
        {
            **context,
            **_rights(request.user, usager),
            "dlu": dlu,
            "sections": forms.affichage(dlu.donnees, dlu.variante),
        },
    )


@require_POST
@login_required
def demarrer(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_edit)
    try:
        services.demarrer(actor=request.user, usager=usager, request=request)
    except (services.DLUError, IdentiteError) as error:
        messages.error(request, str(error))
        return redirect(TAB, usager.pk)
    return redirect("dlu:modifier", usager.pk)


@login_required
def modifier(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_edit)
    brouillon = queries.brouillon(usager)
    if brouillon is None:
        messages.info(request, "Aucun brouillon en cours : préparez d'abord un DLU.")
        return redirect(TAB, usager.pk)
    errors: dict[str, str] = {}
    global_error = ""
    donnees = brouillon.donnees
    version_affichee = brouillon.version
    if request.method == "POST":
        parsed, errors = forms.parse(request.POST, brouillon.variante)
        raw_version = request.POST.get("version", "")
        if not raw_version.isdigit():
            global_error = "Formulaire incomplet : rechargez la page."
        elif errors:
            global_error = errors.get(
                forms.ERREUR_DOSSIER,
                "Le DLU n'a pas été enregistré : corrigez les champs signalés.",
            )
            donnees = {**brouillon.donnees, **parsed}
            version_affichee = int(raw_version)
        else:
            try:
                services.enregistrer(
                    actor=request.user,
                    dlu=brouillon,
                    donnees=parsed,
                    expected_version=int(raw_version),
                    request=request,
                )
            except services.DLUConflict as error:
                # Show the saved content with its version: saving again is deliberate.
                global_error = str(error)
                donnees, version_affichee = error.current.donnees, error.current.version
            except (services.DLUError, IdentiteError) as error:
                global_error = str(error)
                donnees = {**brouillon.donnees, **parsed}
            else:
                messages.success(request, "Brouillon du DLU enregistré.")
                return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"dlu": brouillon.numero})
    return render(
        request,
        "dlu/modifier.html",
        {
            **context,
            **_rights(request.user, usager),
            "brouillon": brouillon,
            "version_affichee": version_affichee,
            "sections": forms.build(donnees, brouillon.variante, errors),
            "global_error": global_error,
        },
        status=400 if global_error else 200,
    )


@require_POST
@login_required
def actualiser(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_edit)
    brouillon = queries.brouillon(usager)
    raw_version = request.POST.get("version", "")
    if brouillon is None or not raw_version.isdigit():
        messages.error(request, "Aucun brouillon à actualiser.")
        return redirect(TAB, usager.pk)
    try:
        services.actualiser(
            actor=request.user, dlu=brouillon, expected_version=int(raw_version), request=request
        )
    except (services.DLUError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Brouillon actualisé à partir du dossier.")
    return redirect("dlu:modifier", usager.pk)


@require_POST
@login_required
def valider(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_validate)
    brouillon = queries.brouillon(usager)
    raw_version = request.POST.get("version", "")
    if brouillon is None or not raw_version.isdigit():
        messages.error(request, "Aucun brouillon à valider.")
        return redirect(TAB, usager.pk)
    try:
        services.valider(
            actor=request.user,
            dlu=brouillon,
            expected_version=int(raw_version),
            request=request,
        )
    except (services.DLUError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"DLU version {brouillon.numero} validée.")
    return redirect(TAB, usager.pk)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def imprimer(request: HttpRequest, usager_id: int, numero: int) -> HttpResponse:
    usager = _usager(request, usager_id, access.may_print)
    dlu = get_object_or_404(DLU.objects.select_related("valide_par"), usager=usager, numero=numero)
    # A validated version prints the bytes rendered at validation; a draft is rendered now.
    content = dlu.pdf.read() if dlu.pdf else pdf.dlu_pdf(dlu)
    audit.record(
        action=AuditAction.PRINT,
        request=request,
        obj=dlu,
        usager=usager,
        break_glass=policy.is_break_glass_access(request.user, usager),
        details={"document": "dlu", "numero": dlu.numero, "statut": dlu.statut},
    )
    return _pdf_response(content, f"dlu-{usager.pk}-v{dlu.numero}.pdf")


@login_required
def transfert(request: HttpRequest, usager_id: int) -> HttpResponse:
    """GET: the form (reason of transfer); POST: the fiche de transfert PDF."""
    usager = _usager(request, usager_id, access.may_print)
    error = ""
    motif = ""
    if request.method == "POST":
        motif = request.POST.get("motif", "").strip()
        if len(motif) > MAX_MOTIF:
            error = f"Le motif doit tenir en {MAX_MOTIF} caractères."
        else:
            content = pdf.fiche_transfert_pdf(usager, request.user, motif=motif)
            courant = queries.dlu_courant(usager)
            audit.record(
                action=AuditAction.PRINT,
                request=request,
                obj=usager,
                usager=usager,
                break_glass=policy.is_break_glass_access(request.user, usager),
                details={
                    "document": "fiche_transfert",
                    "dlu": courant.numero if courant else None,
                },
            )
            return _pdf_response(content, f"fiche-transfert-{usager.pk}.pdf")
    context = record_context(request, usager, tab=TAB, details={"transfert": True})
    return render(
        request,
        "dlu/transfert.html",
        {
            **context,
            "courant": queries.dlu_courant(usager),
            "motif": motif,
            "error": error,
            "max_motif": MAX_MOTIF,
        },
        status=400 if error else 200,
    )


@require_GET
@login_required
def revue(request: HttpRequest) -> HttpResponse:
    """Persons of the current établissement whose DLU is missing or over a year old."""
    etab = getattr(request, "etablissement", None)
    if etab is None or not reads_soins_in(request.user, etab):
        raise _refuse()
    lignes = services.a_revoir(etab, request.user)
    audit.record(
        action=AuditAction.LIST,
        request=request,
        etablissement=etab,
        object_type="dlu.revue",
        details={"nombre": len(lignes)},
    )
    return render(
        request,
        "dlu/revue.html",
        {
            "etablissement": etab,
            "lignes": lignes,
            "concerne": etab.categorie in services.CATEGORIES_DLU,
        },
    )


def reads_soins_in(user: Any, etablissement: Any) -> bool:
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and "soins" in d.lecture)


urlpatterns = [
    path("dlu/a-revoir/", revue, name="revue"),
    path("<int:usager_id>/dlu/", dlu, name="dlu"),
    path("<int:usager_id>/dlu/preparer/", demarrer, name="demarrer"),
    path("<int:usager_id>/dlu/brouillon/", modifier, name="modifier"),
    path("<int:usager_id>/dlu/brouillon/actualiser/", actualiser, name="actualiser"),
    path("<int:usager_id>/dlu/valider/", valider, name="valider"),
    path("<int:usager_id>/dlu/transfert/", transfert, name="transfert"),
    path("<int:usager_id>/dlu/<int:numero>/", version, name="version"),
    path("<int:usager_id>/dlu/<int:numero>/pdf/", imprimer, name="pdf"),
]
