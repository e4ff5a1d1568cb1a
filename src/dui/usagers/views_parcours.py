"""Views of the person's journey: applications (waiting list), admission, transfers, exit
and its follow-up actions, archiving.

Reading needs administrative read in the service concerned, changing needs administrative
write there (policy); out-of-scope objects answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.comptes.models import Categorie
from dui.structures.models import Etablissement
from dui.usagers import services_parcours as services
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.forms_parcours import (
    AdmissionForm,
    CandidatureFilterForm,
    CandidatureForm,
    DecisionForm,
    PlanContactForm,
    SortieForm,
    SuiviFaitForm,
    TraceContactForm,
    TransfertServiceForm,
    TransfertUniteForm,
)
from dui.usagers.identite import IdentiteError
from dui.usagers.models import (
    Candidature,
    MouvementUnite,
    PriseEnCharge,
    SuiviSortie,
    Usager,
)

REFUSALS = (services.ParcoursError, IdentiteError)
TAB = "usagers:parcours"


def _etablissement_ids(user: Any, *, write: bool) -> set[int]:
    """Établissements where the user may read (or write) administrative data (policy)."""
    return {
        etab_id
        for etab_id, d in policy.droits(user).items()
        if Categorie.ADMINISTRATIF in (d.ecriture if write else d.lecture)
    }


def _etablissements(user: Any, organisme_id: int, *, write: bool) -> QuerySet[Etablissement]:
    return Etablissement.objects.filter(
        id__in=_etablissement_ids(user, write=write), organisme_id=organisme_id, actif=True
    ).order_by("nom")


def _require_write(user: Any, usager: Usager, etablissement_id: int) -> None:
    """Changing the journey in a service needs administrative write there (404 otherwise)."""
    policy.require(user, "usager.administratif.write", usager)
    if etablissement_id not in _etablissement_ids(user, write=True):
        raise Http404("Introuvable ou non autorisé.")


def _current_etablissement(request: HttpRequest) -> Etablissement:
    """The établissement chosen in the shell, if the user may list its persons (404 otherwise)."""
    etab = getattr(request, "etablissement", None)
    policy.require(request.user, "usagers.list", etab)
    assert etab is not None  # policy.require refuses None
    return etab


def _sejour_for(user: Any, usager: Usager, sejour_id: int) -> PriseEnCharge:
    return get_object_or_404(
        PriseEnCharge.objects.select_related("etablissement", "unite"),
        pk=sejour_id,
        usager=usager,
        etablissement_id__in=_etablissement_ids(user, write=False),
    )


# --- Waiting list and follow-ups of the current établissement ---------------------------


@login_required
def candidature_list(request: HttpRequest) -> HttpResponse:
    etab = _current_etablissement(request)
    services_visibles = _etablissements(request.user, etab.organisme_id, write=False)
    form = CandidatureFilterForm(request.GET or None, etablissements=services_visibles)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("service"):
        etab_ids = [filters["service"].pk]
    elif filters.get("organisme"):
        etab_ids = [e.pk for e in services_visibles]
    else:
        etab_ids = [etab.pk]
    qs = (
        Candidature.objects.filter(
            etablissement_id__in=etab_ids, usager__in=Usager.objects.visible_to(request.user)
        )
        .select_related("usager", "etablissement")
        .order_by("-priorite", "date_reception", "pk")
    )
    statut = filters.get("statut", "")
    if statut == "":
        qs = qs.filter(
            statut__in=[
                Candidature.Statut.RECUE,
                Candidature.Statut.EN_ETUDE,
                Candidature.Statut.ACCEPTEE,
            ]
        )
    elif statut != "toutes":
        qs = qs.filter(statut=statut)
    candidatures = list(qs[:500])
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="usagers.candidature",
        details={"usager_ids": sorted({c.usager_id for c in candidatures})},
    )
    return render(
        request,
        "usagers/candidature_list.html",
        {"form": form, "candidatures": candidatures, "plusieurs_services": len(etab_ids) > 1},
    )


@login_required
def suivi_list(request: HttpRequest) -> HttpResponse:
    etab = _current_etablissement(request)
    tous = request.GET.get("tous") == "1"
    qs = SuiviSortie.objects.filter(
        prise_en_charge__etablissement=etab,
        prise_en_charge__usager__in=Usager.objects.visible_to(request.user),
        fait_le__isnull=True,
    ).select_related("prise_en_charge__usager")
    if not tous:
        qs = qs.filter(echeance__lt=timezone.localdate())
    suivis = list(qs.order_by("echeance", "pk")[:500])
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="usagers.suivisortie",
        details={"usager_ids": sorted({s.prise_en_charge.usager_id for s in suivis})},
    )
    return render(
        request,
        "usagers/parcours_suivis.html",
        {"suivis": suivis, "tous": tous, "today": timezone.localdate()},
    )


# --- The journey tab -----------------------------------------------------------------------


@login_required
def parcours(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    readable = _etablissement_ids(request.user, write=False)
    candidatures = (
        usager.candidatures.filter(etablissement_id__in=readable)
        .select_related("etablissement")
        .order_by("-date_reception", "-pk")
    )
    mouvements = MouvementUnite.objects.select_related("unite_avant", "unite_apres")
    suivis = SuiviSortie.objects.select_related("fait_par")
    sejours = (
        usager.prises_en_charge.filter(etablissement_id__in=readable)
        .select_related("etablissement", "unite", "sorti_par")
        .prefetch_related(
            Prefetch("mouvements", queryset=mouvements),
            Prefetch("suivis_sortie", queryset=suivis),
        )
        .order_by("-date_debut", "-pk")
    )
    services_ecriture = set(
        _etablissements(request.user, usager.organisme_id, write=True).values_list("id", flat=True)
    )
    may_write = (
        usager.archive_le is None
        and bool(services_ecriture)
        and policy.allows(request.user, "usager.administratif.write", usager)
    )
    context = record_context(request, usager, tab=TAB)
    return render(
        request,
        "usagers/parcours.html",
        {
            **context,
            "candidatures": candidatures,
            "sejours": sejours,
            "writable": services_ecriture if may_write else set(),
            "may_write": may_write,
            "may_archive": may_write and not services.open_stays_in_organisme(usager).exists(),
        },
    )


# --- Applications ----------------------------------------------------------------------------


@login_required
def candidature_nouvelle(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.administratif.write", usager)
    services_possibles = _etablissements(request.user, usager.organisme_id, write=True)
    if not services_possibles.exists():
        raise Http404("Introuvable ou non autorisé.")
    etab = getattr(request, "etablissement", None)
    form = CandidatureForm(
        request.POST or None,
        etablissements=services_possibles,
        initial={
            "etablissement": etab.pk if etab else None,
            "date_reception": timezone.localdate(),
            "priorite": Candidature.Priorite.NORMALE,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            candidature = services.candidature_create(
                user=request.user, usager=usager, request=request, **form.cleaned_data
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Candidature enregistrée.")
            return redirect("usagers:candidature", usager.pk, candidature.pk)
    context = record_context(request, usager, tab=TAB, details={"formulaire": "candidature"})
    return render(request, "usagers/candidature_form.html", {**context, "form": form})


_CANDIDATURE_ACTIONS = {
    "planifier": PlanContactForm,
    "tracer": TraceContactForm,
    "decider": DecisionForm,
}


def _candidature_change(
    request: HttpRequest, candidature: Candidature, action: str, data: dict[str, Any]
) -> Candidature:
    common = {
        "user": request.user,
        "candidature": candidature,
        "expected_version": data["version"],
        "request": request,
    }
    if action == "planifier":
        return services.candidature_plan_contact(prevu_le=data["prevu_le"], **common)
    if action == "tracer":
        return services.candidature_trace_contact(
            fait_le=data["fait_le"], compte_rendu=data["compte_rendu"], **common
        )
    return services.candidature_decide(decision=data["decision"], motif=data["motif"], **common)


@login_required
def candidature_detail(request: HttpRequest, usager_id: int, candidature_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    candidature = get_object_or_404(
        Candidature.objects.select_related("etablissement", "decision_par", "cree_par"),
        pk=candidature_id,
        usager=usager,
        etablissement_id__in=_etablissement_ids(request.user, write=False),
    )
    may_write = (
        usager.archive_le is None
        and candidature.etablissement_id in _etablissement_ids(request.user, write=True)
        and policy.allows(request.user, "usager.administratif.write", usager)
    )
    initial = {"version": candidature.version}
    forms = {name: cls(initial=initial, prefix=name) for name, cls in _CANDIDATURE_ACTIONS.items()}
    if request.method == "POST":
        _require_write(request.user, usager, candidature.etablissement_id)
        action = request.POST.get("action", "")
        if action not in _CANDIDATURE_ACTIONS:
            raise Http404("Action inconnue.")
        form = forms[action] = _CANDIDATURE_ACTIONS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                _candidature_change(request, candidature, action, form.cleaned_data)
            except REFUSALS as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Candidature mise à jour.")
                return redirect("usagers:candidature", usager.pk, candidature.pk)
    context = record_context(request, usager, tab=TAB, details={"candidature_id": candidature.pk})
    return render(
        request,
        "usagers/candidature_detail.html",
        {**context, "candidature": candidature, "may_write": may_write, "forms": forms},
    )


# --- Stays ---------------------------------------------------------------------------------


@login_required
def admission(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.administratif.write", usager)
    possibles = _etablissements(request.user, usager.organisme_id, write=True)
    candidature = None
    if request.GET.get("candidature"):
        candidature = get_object_or_404(
            Candidature, pk=request.GET["candidature"], usager=usager, etablissement__in=possibles
        )
    etab = getattr(request, "etablissement", None)
    initial: dict[str, Any] = {
        "etablissement": etab.pk if etab else None,
        "date_admission": timezone.localdate(),
    }
    if candidature is not None:
        initial.update(etablissement=candidature.etablissement_id, type=candidature.type_souhaite)
    form = AdmissionForm(request.POST or None, etablissements=possibles, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sejour = services.prise_en_charge_admettre(
                user=request.user,
                usager=usager,
                candidature=candidature,
                request=request,
                **form.cleaned_data,
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Admission enregistrée ({sejour.etablissement.nom}).")
            return redirect("usagers:parcours", usager.pk)
    context = record_context(request, usager, tab=TAB, details={"formulaire": "admission"})
    return render(
        request,
        "usagers/parcours_admission.html",
        {**context, "form": form, "candidature": candidature},
    )


@login_required
def transfert(request: HttpRequest, usager_id: int, sejour_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    sejour = _sejour_for(request.user, usager, sejour_id)
    _require_write(request.user, usager, sejour.etablissement_id)
    if sejour.date_fin is not None:
        raise Http404("Accompagnement clos.")
    autres = _etablissements(request.user, usager.organisme_id, write=True).exclude(
        pk=sejour.etablissement_id
    )
    kind = request.POST.get("transfert", "unite")
    data = request.POST if request.method == "POST" else None
    unite_form = TransfertUniteForm(
        data if kind == "unite" else None,
        etablissement=sejour.etablissement,
        prefix="unite",
        initial={"date": timezone.localdate()},
    )
    service_form = TransfertServiceForm(
        data if kind == "service" else None,
        etablissements=autres,
        prefix="service",
        initial={"date_admission": timezone.localdate(), "type": sejour.type},
    )
    form = service_form if kind == "service" else unite_form
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if kind == "service":
                services.prise_en_charge_transferer_service(
                    user=request.user,
                    sejour=sejour,
                    etablissement=d["etablissement"],
                    unite=d["unite"],
                    type=d["type"],
                    date=d["date_admission"],
                    commentaire=d["commentaire"],
                    request=request,
                )
            else:
                services.prise_en_charge_changer_unite(
                    user=request.user,
                    sejour=sejour,
                    unite=d["unite"],
                    date=d["date"],
                    motif=d["motif"],
                    request=request,
                )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Transfert enregistré.")
            return redirect("usagers:parcours", usager.pk)
    context = record_context(request, usager, tab=TAB, details={"prise_en_charge_id": sejour.pk})
    return render(
        request,
        "usagers/parcours_transfert.html",
        {
            **context,
            "sejour": sejour,
            "unite_form": unite_form,
            "service_form": service_form,
            "autres_services": autres.exists(),
        },
    )


@login_required
def sortie(request: HttpRequest, usager_id: int, sejour_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    sejour = _sejour_for(request.user, usager, sejour_id)
    _require_write(request.user, usager, sejour.etablissement_id)
    if sejour.date_fin is not None:
        raise Http404("Accompagnement clos.")
    form = SortieForm(request.POST or None, initial={"date_sortie": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.prise_en_charge_sortir(
                user=request.user, sejour=sejour, request=request, **form.cleaned_data
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Sortie enregistrée ; les actions de suivi sont à tracer.")
            return redirect("usagers:parcours", usager.pk)
    context = record_context(request, usager, tab=TAB, details={"prise_en_charge_id": sejour.pk})
    return render(
        request, "usagers/parcours_sortie.html", {**context, "sejour": sejour, "form": form}
    )


@login_required
@require_POST
def suivi_fait(request: HttpRequest, usager_id: int, suivi_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    suivi = get_object_or_404(
        SuiviSortie.objects.select_related("prise_en_charge"),
        pk=suivi_id,
        prise_en_charge__usager=usager,
    )
    _require_write(request.user, usager, suivi.prise_en_charge.etablissement_id)
    form = SuiviFaitForm(request.POST)
    if form.is_valid():
        try:
            services.suivi_sortie_mark_done(
                user=request.user,
                suivi=suivi,
                commentaire=form.cleaned_data["commentaire"],
                request=request,
            )
        except REFUSALS as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Action de suivi tracée.")
    return redirect("usagers:parcours", usager.pk)


@login_required
def archiver(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.administratif.write", usager)
    erreur = ""
    if request.method == "POST":
        try:
            services.usager_archive(user=request.user, usager=usager, request=request)
        except REFUSALS as error:
            erreur = str(error)
        else:
            messages.success(request, "Dossier archivé : il est désormais en consultation seule.")
            return redirect("usagers:parcours", usager.pk)
    sejours_ouverts = services.open_stays_in_organisme(usager).select_related("etablissement")
    context = record_context(request, usager, tab=TAB, details={"formulaire": "archivage"})
    return render(
        request,
        "usagers/parcours_archiver.html",
        {**context, "sejours_ouverts": sejours_ouverts, "erreur": erreur},
    )


urlpatterns = [
    path("candidatures/", candidature_list, name="candidatures"),
    path("suivis-sortie/", suivi_list, name="suivis_sortie"),
    path("<int:usager_id>/parcours/", parcours, name="parcours"),
    path(
        "<int:usager_id>/candidatures/nouvelle/",
        candidature_nouvelle,
        name="candidature_nouvelle",
    ),
    path(
        "<int:usager_id>/candidatures/<int:candidature_id>/",
        candidature_detail,
        name="candidature",
    ),
    path("<int:usager_id>/admission/", admission, name="admission"),
    path("<int:usager_id>/sejours/<int:sejour_id>/transfert/", transfert, name="transfert"),
    path("<int:usager_id>/sejours/<int:sejour_id>/sortie/", sortie, name="sortie"),
    path("<int:usager_id>/suivis/<int:suivi_id>/fait/", suivi_fait, name="suivi_fait"),
    path("<int:usager_id>/archiver/", archiver, name="archiver"),
]
