"""The person's "Traitements" tab: current medication and non-drug lines, the history of
stopped and changed lines, the prescriptions and their documents; entering a prescription,
stopping or changing a line.

Reading needs soins read; writing needs `traitements.may_prescribe` (soins + medical write).
The prescription document is served only through `ordonnance`, policy-checked and journaled.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.soins import traitements
from dui.soins.creneaux import posologie_texte
from dui.soins.forms_traitements import (
    AutreFormSet,
    LigneForm,
    LigneFormSet,
    MotifForm,
    PrescriptionForm,
)
from dui.soins.models import Administration, LigneAutre, LigneMedicament, Prescription
from dui.soins.queries import lignes_actives, prescripteur_texte
from dui.soins.services import SoinsError
from dui.soins.views import _apply
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Usager

TAB = "soins:traitements"
READ = "usager.soins.read"


def _usager(request: HttpRequest, usager_id: int, *, write: bool = False) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, READ, usager)
    if write and not traitements.may_prescribe(request.user, usager):
        raise Http404("Introuvable ou non autorisé.")
    return usager


def _writable(request: HttpRequest, usager: Usager) -> bool:
    return (
        usager.archive_le is None
        and usager.fusionne_dans_id is None
        and traitements.may_prescribe(request.user, usager)
    )


def _ligne_view(ligne: LigneMedicament) -> LigneMedicament:
    ligne.posologie = posologie_texte(  # type: ignore[attr-defined]
        ligne.prises,
        ligne.unite_prise,
        si_besoin=ligne.si_besoin,
        condition=ligne.condition,
        max_par_jour=ligne.max_par_jour,
    )
    ligne.prescripteur = prescripteur_texte(ligne.prescription)  # type: ignore[attr-defined]
    return ligne


@require_GET
@login_required
def traitements_tab(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id)
    jour = timezone.localdate()
    related = (
        "prescription",
        "prescription__prescripteur_externe",
        "prescription__prescripteur_interne__professionnel",
        "arret_par",
        "saisi_par",
    )
    lignes = [
        _ligne_view(ligne)
        for ligne in LigneMedicament.objects.filter(usager=usager)
        .select_related(*related)
        .order_by("medicament", "-debut", "pk")
    ]
    actives = {
        pk
        for pk in LigneMedicament.objects.filter(lignes_actives(jour), usager=usager).values_list(
            "pk", flat=True
        )
    }
    autres = list(
        LigneAutre.objects.filter(usager=usager)
        .select_related("arret_par", "prescription")
        .order_by("type", "-debut", "pk")
    )
    autres_actives = set(
        LigneAutre.objects.filter(lignes_actives(jour), usager=usager).values_list("pk", flat=True)
    )
    prescriptions = list(
        Prescription.objects.filter(usager=usager)
        .select_related("prescripteur_externe", "prescripteur_interne__professionnel", "saisi_par")
        .order_by("-date_prescription", "-pk")
    )
    for p in prescriptions:
        p.prescripteur = prescripteur_texte(p)  # type: ignore[attr-defined]
    remplacees = {lg.remplace_id for lg in lignes if lg.remplace_id}
    for lg in lignes:
        lg.modifiee = lg.pk in remplacees  # type: ignore[attr-defined]
    a_venir = [
        lg for lg in lignes if lg.pk not in actives and lg.arret_le is None and lg.debut > jour
    ]
    context = record_context(request, usager, tab=TAB)
    return render(
        request,
        "soins/traitements.html",
        {
            **context,
            "reguliers": [lg for lg in lignes if lg.pk in actives and not lg.si_besoin],
            "si_besoin": [lg for lg in lignes if lg.pk in actives and lg.si_besoin],
            "a_venir": a_venir,
            "historique": [lg for lg in lignes if lg.pk not in actives and lg not in a_venir],
            "autres": [a for a in autres if a.pk in autres_actives],
            "autres_historique": [a for a in autres if a.pk not in autres_actives],
            "prescriptions": prescriptions,
            "derniers_si_besoin": _derniers_si_besoin(usager),
            "may_write": _writable(request, usager),
        },
    )


def _derniers_si_besoin(usager: Usager) -> list[Administration]:
    return list(
        Administration.objects.filter(usager=usager, prise="", remplacee_le__isnull=True)
        .select_related("ligne", "trace_par")
        .order_by("-administre_le")[:10]
    )


@login_required
def prescription_ajouter(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, write=True)
    data = request.POST if request.method == "POST" else None
    form = PrescriptionForm(data, request.FILES or None, usager=usager)
    lignes = LigneFormSet(data, prefix="ligne")
    autres = AutreFormSet(data, prefix="autre")
    if request.method == "POST" and form.is_valid() and lignes.is_valid() and autres.is_valid():
        d = form.cleaned_data
        try:
            traitements.prescription_create(
                actor=request.user,
                usager=usager,
                date_prescription=d["date_prescription"],
                lignes=[f.saisie() for f in lignes if not f.vide],
                autres=[f.saisie() for f in autres if not f.vide],
                prescripteur_externe=d.get("prescripteur_externe"),
                prescripteur_nom=d.get("prescripteur_nom", ""),
                prescripteur_rpps=d.get("prescripteur_rpps", ""),
                document=d.get("document"),
                commentaire=d.get("commentaire", ""),
                request=request,
            )
        except SoinsError as error:
            for name, msgs in error.errors.items():
                for msg in msgs:
                    form.add_error(name if name in form.fields else None, msg)
        except IdentiteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Prescription enregistrée.")
            return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"ajout": "prescription"})
    return render(
        request,
        "soins/prescription_ajouter.html",
        {**context, "form": form, "lignes": lignes, "autres": autres},
    )


def _ligne(usager: Usager, model: Any, ligne_id: int) -> Any:
    ligne = model.objects.filter(usager=usager, pk=ligne_id).select_related("prescription").first()
    if ligne is None:
        raise Http404("Introuvable.")
    return ligne


def _arreter(request: HttpRequest, usager_id: int, ligne_id: int, model: Any) -> HttpResponse:
    usager = _usager(request, usager_id, write=True)
    ligne = _ligne(usager, model, ligne_id)
    form = MotifForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: traitements.ligne_arreter(
                actor=request.user, ligne=ligne, motif=form.cleaned_data["motif"], request=request
            ),
        )
    ):
        messages.success(request, "Ligne arrêtée ; elle reste dans l'historique.")
        return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"ligne": ligne.pk})
    return render(request, "soins/ligne_arreter.html", {**context, "form": form, "ligne": ligne})


@login_required
def ligne_arreter(request: HttpRequest, usager_id: int, ligne_id: int) -> HttpResponse:
    return _arreter(request, usager_id, ligne_id, LigneMedicament)


@login_required
def autre_arreter(request: HttpRequest, usager_id: int, ligne_id: int) -> HttpResponse:
    return _arreter(request, usager_id, ligne_id, LigneAutre)


@login_required
def ligne_modifier(request: HttpRequest, usager_id: int, ligne_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, write=True)
    ligne = _ligne(usager, LigneMedicament, ligne_id)
    form = LigneForm(request.POST or None, initial=LigneForm.initial_from(ligne))
    motif = MotifForm(request.POST or None, prefix="m")
    if (
        request.method == "POST"
        and form.is_valid()
        and motif.is_valid()
        and _apply(
            form,
            lambda: traitements.ligne_modifier(
                actor=request.user,
                ligne=ligne,
                nouvelle=form.saisie(),
                motif=motif.cleaned_data["motif"],
                request=request,
            ),
        )
    ):
        messages.success(
            request, "Ligne modifiée : l'ancienne est arrêtée et reste dans l'historique."
        )
        return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"ligne": ligne.pk})
    return render(
        request,
        "soins/ligne_modifier.html",
        {**context, "form": form, "motif": motif, "ligne": _ligne_view(ligne)},
    )


@require_GET
@login_required
def ordonnance(request: HttpRequest, usager_id: int, prescription_id: int) -> FileResponse:
    """The prescription's document, to soins readers of the person only; journaled."""
    usager = _usager(request, usager_id)
    prescription = Prescription.objects.filter(usager=usager, pk=prescription_id).first()
    if prescription is None or not prescription.document:
        raise Http404("Introuvable.")
    audit.record(
        action=AuditAction.READ,
        request=request,
        obj=prescription,
        usager=usager,
        details={"document": True},
    )
    response = FileResponse(
        prescription.document.open("rb"),
        content_type=prescription.document_mime or "application/octet-stream",
        as_attachment=False,
        filename=prescription.document_nom or "ordonnance",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<int:usager_id>/traitements/", traitements_tab, name="traitements"),
    path(
        "<int:usager_id>/traitements/prescription/ajouter/",
        prescription_ajouter,
        name="prescription_ajouter",
    ),
    path(
        "<int:usager_id>/traitements/lignes/<int:ligne_id>/arreter/",
        ligne_arreter,
        name="ligne_arreter",
    ),
    path(
        "<int:usager_id>/traitements/lignes/<int:ligne_id>/modifier/",
        ligne_modifier,
        name="ligne_modifier",
    ),
    path(
        "<int:usager_id>/traitements/autres/<int:ligne_id>/arreter/",
        autre_arreter,
        name="autre_arreter",
    ),
    path(
        "<int:usager_id>/traitements/prescriptions/<int:prescription_id>/ordonnance/",
        ordonnance,
        name="ordonnance",
    ),
]
