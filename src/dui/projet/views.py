"""The person's "Projet personnalisé" tab: the project in progress and its steps, the edit
forms of each section, signature, closure, signed versions (screen, PDF, comparison), and
the établissement's list of projects due or overdue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.projet import contenu as schema
from dui.projet import services
from dui.projet.access import projet_get_for, usager_for_projet
from dui.projet.forms import (
    ClotureForm,
    ComparaisonForm,
    EtapeForm,
    ParticipantsForm,
    SectionEditor,
    SignatureForm,
)
from dui.projet.models import Etape, ProjetPersonnalise, VersionProjet
from dui.projet.pdf import projet_pdf
from dui.usagers.access import record_context
from dui.usagers.identite import IdentiteError
from dui.usagers.models import Proche, Usager

app_name = "projet"
TAB = "projet:projet"
BROUILLON = "brouillon"
PAR_PAGE = 100
MAX_EMPLACEMENTS = 10


def _usager(request: HttpRequest, usager_id: int, *, write: bool = False) -> Usager:
    return usager_for_projet(request.user, usager_id, write=write)


def _projet(
    request: HttpRequest, usager_id: int, projet_id: int, *, write: bool = False
) -> ProjetPersonnalise:
    return projet_get_for(request.user, usager_id, projet_id, write=write)


def _may_write(request: HttpRequest, usager: Usager) -> bool:
    return (
        services.may_write(request.user, usager)
        and usager.archive_le is None
        and usager.fusionne_dans_id is None
    )


def _projet_context(request: HttpRequest, projet: ProjetPersonnalise) -> dict[str, Any]:
    today = timezone.localdate()
    may_write = _may_write(request, projet.usager) and not projet.is_closed
    return {
        "projet": projet,
        "sections": schema.view_sections(projet.contenu),
        "participants": projet.contenu.get("participants") or [],
        "versions": list(projet.versions.all()),
        "historique": list(projet.transitions.select_related("par")),
        "transitions": services.transitions_possibles(projet) if may_write else [],
        "editable": may_write and projet.etape in services.EDITABLE,
        "signable": may_write
        and projet.etape in services.SIGNABLE
        and projet.referent_id == request.user.pk,
        "may_write": may_write,
        "en_retard": projet.echeance is not None and projet.echeance < today,
        "etapes": [
            {"code": code, "libelle": label, "courante": code == projet.etape}
            for code, label in Etape.choices
        ],
        "section_keys": [s.key for s in schema.SECTIONS],
        # The draft shows the habits as they are now (tab Habitudes de vie); a signed
        # version shows those frozen with it.
        "habitudes": projet.contenu.get("habitudes", [])
        if projet.is_closed
        else schema.habitudes_snapshot(projet.usager),
        "habitudes_vivantes": not projet.is_closed,
    }


@login_required
def projet(request: HttpRequest, usager_id: int) -> HttpResponse:
    """The tab: the project in progress (or the button to open it) and the closed ones."""
    usager = _usager(request, usager_id)
    courant = services.projet_courant(usager)
    clos = list(
        ProjetPersonnalise.objects.filter(usager=usager, etape=Etape.CLOTURE).order_by(
            "-cloture_le", "-pk"
        )
    )
    context = record_context(
        request, usager, tab=TAB, details={"projet": courant.pk if courant else None}
    )
    extra: dict[str, Any] = {}
    if courant is not None:
        courant.usager = usager
        extra = _projet_context(request, courant)
    return render(
        request,
        "projet/projet.html",
        {
            **context,
            **extra,
            "courant": courant,
            "clos": clos,
            "may_open": courant is None and _may_write(request, usager),
        },
    )


@login_required
def detail(request: HttpRequest, usager_id: int, projet_id: int) -> HttpResponse:
    """Any project of the person, closed ones included (read only once closed)."""
    projet = _projet(request, usager_id, projet_id)
    context = record_context(request, projet.usager, tab=TAB, details={"projet": projet.pk})
    return render(
        request,
        "projet/projet.html",
        {**context, **_projet_context(request, projet), "courant": projet, "detail": True},
    )


@login_required
@require_POST
def ouvrir(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _usager(request, usager_id, write=True)
    try:
        services.projet_ouvrir(actor=request.user, usager=usager, request=request)
    except (services.ProjetError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Projet personnalisé ouvert : commencez par le recueil.")
    return redirect(TAB, usager.pk)


def _conflict_context(error: services.ProjetConflict) -> dict[str, Any]:
    return {"conflict": error, "differences": error.differences}


@login_required
def section(request: HttpRequest, usager_id: int, projet_id: int, cle: str) -> HttpResponse:
    """Edit one section of the draft; a stale form shows the other person's values."""
    if cle == "participants":
        return participants(request, usager_id, projet_id)
    sec = schema.SECTIONS_BY_KEY.get(cle)
    if sec is None:
        raise Http404("Section inconnue.")
    projet = _projet(request, usager_id, projet_id, write=True)
    data = request.POST if request.method == "POST" else None
    initial = schema.section_of(projet.contenu, cle)
    # Empty slots for new items: one, or more on request ("Ajouter un emplacement").
    raw = request.GET.get("emplacements", "")
    slots = min(int(raw), MAX_EMPLACEMENTS) if raw.isdigit() and int(raw) > 0 else 1
    editor = SectionEditor(sec, data, initial=initial, version=projet.version, extra=slots)
    error_message = ""
    extra: dict[str, Any] = {}
    if request.method == "POST" and editor.is_valid():
        try:
            services.section_save(
                actor=request.user,
                projet=projet,
                section=cle,
                values=editor.values(),
                expected_version=editor.expected_version,
                request=request,
            )
        except services.ProjetConflict as error:
            # The form keeps the submitted values but now carries the saved version: saving
            # again (after reading the differences) is a deliberate choice.
            extra = _conflict_context(error)
            post = request.POST.copy()
            post["version"] = str(error.projet.version)
            editor = SectionEditor(sec, post, initial=initial, version=error.projet.version)
            editor.is_valid()
            error_message = str(error)
        except (services.ProjetError, schema.ContenuError, IdentiteError) as error:
            error_message = str(error)
        else:
            messages.success(request, f"{sec.titre} : enregistré.")
            return redirect("projet:detail", projet.usager.pk, projet.pk)
    context = record_context(
        request, projet.usager, tab=TAB, details={"projet": projet.pk, "section": cle}
    )
    return render(
        request,
        "projet/section_form.html",
        {
            **context,
            **extra,
            "projet": projet,
            "section": sec,
            "editor": editor,
            "error_message": error_message,
            "plus": min(slots + 1, MAX_EMPLACEMENTS),
            "slots": slots,
        },
    )


def participants(request: HttpRequest, usager_id: int, projet_id: int) -> HttpResponse:
    projet = _projet(request, usager_id, projet_id, write=True)
    choices = services.participants_choices(projet, request.user)
    current = projet.contenu.get("participants") or []
    initial = {
        "version": projet.version,
        "referent": projet.referent_id,
        "personne": any(p["type"] == "personne" for p in current),
        "proches": [p["id"] for p in current if p["type"] in ("proche", "representant")],
        "professionnels": [p["id"] for p in current if p["type"] == "professionnel"],
        "autres": ", ".join(p["libelle"] for p in current if p["type"] == "autre"),
    }
    form = ParticipantsForm(request.POST or None, initial=initial, choices=choices)
    extra: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.participants_save(
                actor=request.user,
                projet=projet,
                personne=form.cleaned_data["personne"],
                proche_ids=form.cleaned_data["proches"],
                professionnel_ids=form.cleaned_data["professionnels"],
                autres=form.cleaned_data["autres"],
                referent_id=form.cleaned_data["referent"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except services.ProjetConflict as error:
            extra = _conflict_context(error)
            post = request.POST.copy()
            post["version"] = str(error.projet.version)
            form = ParticipantsForm(post, choices=choices)
            form.is_valid()
            form.add_error(None, str(error))
        except (services.ProjetError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Participants enregistrés.")
            return redirect("projet:detail", projet.usager.pk, projet.pk)
    context = record_context(
        request, projet.usager, tab=TAB, details={"projet": projet.pk, "section": "participants"}
    )
    return render(
        request,
        "projet/participants_form.html",
        {**context, **extra, "projet": projet, "form": form},
    )


@login_required
@require_POST
def etape(request: HttpRequest, usager_id: int, projet_id: int) -> HttpResponse:
    projet = _projet(request, usager_id, projet_id, write=True)
    form = EtapeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Demande de changement d'étape incomplète : rien n'a changé.")
        return redirect("projet:detail", projet.usager.pk, projet.pk)
    try:
        projet = services.projet_transition(
            actor=request.user,
            projet=projet,
            vers=form.cleaned_data["vers"],
            expected_version=form.cleaned_data["version"],
            commentaire=form.cleaned_data["commentaire"],
            request=request,
        )
    except (services.ProjetError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Le projet est à l'étape « {projet.get_etape_display()} ».")
    return redirect("projet:detail", projet.usager.pk, projet.pk)


def _representants(usager: Usager) -> list[tuple[int, str]]:
    return [
        (p.pk, f"{p.prenom} {p.nom}".strip())
        for p in Proche.objects.filter(usager=usager, actif=True, is_representant_legal=True)
    ]


@login_required
def signer(request: HttpRequest, usager_id: int, projet_id: int) -> HttpResponse:
    projet = _projet(request, usager_id, projet_id, write=True)
    form = SignatureForm(
        request.POST or None,
        initial={"version": projet.version},
        representants=_representants(projet.usager),
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.projet_signer(
                actor=request.user,
                projet=projet,
                expected_version=form.cleaned_data["version"],
                personne_qualite=form.cleaned_data["personne_qualite"],
                representant_id=form.cleaned_data["representant"],
                personne_signe_le=form.cleaned_data["personne_signe_le"],
                personne_moyen=form.cleaned_data["personne_moyen"],
                referent_moyen=form.cleaned_data["referent_moyen"],
                request=request,
            )
        except (services.ProjetError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Version {version.numero} signée : le projet est mis en œuvre."
            )
            # The signature stands even if its document cannot be stored (then said so).
            try:
                services.archiver_version(actor=request.user, version=version, request=request)
            except services.ProjetError as error:
                messages.warning(request, str(error))
            else:
                messages.info(request, "Le projet signé est rangé dans l'onglet Documents.")
            return redirect("projet:detail", projet.usager.pk, projet.pk)
    context = record_context(
        request, projet.usager, tab=TAB, details={"projet": projet.pk, "signature": True}
    )
    return render(
        request,
        "projet/signer.html",
        {
            **context,
            "projet": projet,
            "form": form,
            "sections": schema.view_sections(projet.contenu),
            "participants": projet.contenu.get("participants") or [],
            "habitudes": schema.habitudes_snapshot(projet.usager),
        },
    )


@login_required
def cloturer(request: HttpRequest, usager_id: int, projet_id: int) -> HttpResponse:
    projet = _projet(request, usager_id, projet_id, write=True)
    form = ClotureForm(request.POST or None, initial={"version": projet.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.projet_cloturer(
                actor=request.user,
                projet=projet,
                motif=form.cleaned_data["motif"],
                date=form.cleaned_data["date"],
                commentaire=form.cleaned_data["commentaire"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (services.ProjetError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Projet clôturé.")
            return redirect(TAB, projet.usager.pk)
    context = record_context(
        request, projet.usager, tab=TAB, details={"projet": projet.pk, "cloture": True}
    )
    return render(request, "projet/cloturer.html", {**context, "projet": projet, "form": form})


def _version(request: HttpRequest, usager_id: int, projet_id: int, numero: int) -> VersionProjet:
    projet = _projet(request, usager_id, projet_id)
    version = VersionProjet.objects.filter(projet=projet, numero=numero).first()
    if version is None:
        raise Http404("Version introuvable.")
    version.projet = projet
    return version


@login_required
def version(request: HttpRequest, usager_id: int, projet_id: int, numero: int) -> HttpResponse:
    v = _version(request, usager_id, projet_id, numero)
    context = record_context(
        request, v.projet.usager, tab=TAB, details={"projet": v.projet.pk, "version": numero}
    )
    return render(
        request,
        "projet/version.html",
        {
            **context,
            "projet": v.projet,
            "v": v,
            "sections": schema.view_sections(v.contenu),
            "participants": v.contenu.get("participants") or [],
            "habitudes": v.contenu.get("habitudes") or [],
        },
    )


@login_required
def version_pdf(request: HttpRequest, usager_id: int, projet_id: int, numero: int) -> HttpResponse:
    v = _version(request, usager_id, projet_id, numero)
    pdf = projet_pdf(v)
    services.journal_print(actor=request.user, version=v, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"projet-personnalise-{v.projet.usager.pk}-v{v.numero}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def comparer(request: HttpRequest, usager_id: int, projet_id: int) -> HttpResponse:
    """Any two versions of the project (the draft in preparation included), field by field."""
    projet = _projet(request, usager_id, projet_id)
    versions = {str(v.numero): v for v in projet.versions.all()}
    contents: dict[str, dict[str, Any]] = {k: v.contenu for k, v in versions.items()}
    choices = [
        (k, f"Version {k} signée le {v.referent_signe_le:%d/%m/%Y}") for k, v in versions.items()
    ]
    if not projet.is_closed:
        contents[BROUILLON] = {
            **projet.contenu,
            "habitudes": schema.habitudes_snapshot(projet.usager),
        }
        choices.append((BROUILLON, f"Version {projet.numero_brouillon} en préparation"))
    default_b = BROUILLON if BROUILLON in contents else (choices[-1][0] if choices else "")
    default_a = choices[-2][0] if len(choices) > 1 else default_b
    form = ComparaisonForm(request.GET or {"a": default_a, "b": default_b}, choices=choices)
    differences = None
    if choices and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        differences = schema.compare(contents[a], contents[b])
    context = record_context(
        request,
        projet.usager,
        tab=TAB,
        details={"projet": projet.pk, "comparaison": [form.data.get("a"), form.data.get("b")]},
    )
    return render(
        request,
        "projet/comparer.html",
        {**context, "projet": projet, "form": form, "differences": differences},
    )


@login_required
def echeances(request: HttpRequest) -> HttpResponse:
    """Projects due in the next 60 days or overdue in the current établissement, by unit."""
    etab = getattr(request, "etablissement", None)
    if not services.reads_projets_in(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    assert etab is not None
    unites = list(etab.unites.order_by("nom"))
    raw = request.GET.get("unite", "")
    unite_id = int(raw) if raw.isdigit() and any(u.pk == int(raw) for u in unites) else None
    lignes = services.projets_a_echeance(etab, unite_id=unite_id)
    lignes.sort(
        key=lambda ligne: (
            ligne.sejour.unite.nom if ligne.sejour.unite else "~",
            ligne.echeance,
        )
    )
    page = Paginator(lignes, PAR_PAGE).get_page(request.GET.get("page"))
    # The journal names the persons shown on this page.
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="projet.projetpersonnalise",
        details={
            "usager_ids": sorted({ligne.usager.pk for ligne in page.object_list}),
            "unite": unite_id,
            "page": page.number,
        },
    )
    return render(
        request,
        "projet/echeances.html",
        {
            "lignes": page.object_list,
            "page": page,
            "total": len(lignes),
            "en_retard": sum(ligne.en_retard for ligne in lignes),
            "etablissement": etab,
            "unites": unites,
            "unite_id": unite_id,
        },
    )


urlpatterns = [
    path("projets/echeances/", echeances, name="echeances"),
    path("<int:usager_id>/projet/", projet, name="projet"),
    path("<int:usager_id>/projet/ouvrir/", ouvrir, name="ouvrir"),
    path("<int:usager_id>/projet/<int:projet_id>/", detail, name="detail"),
    path("<int:usager_id>/projet/<int:projet_id>/etape/", etape, name="etape"),
    path("<int:usager_id>/projet/<int:projet_id>/signer/", signer, name="signer"),
    path("<int:usager_id>/projet/<int:projet_id>/cloturer/", cloturer, name="cloturer"),
    path("<int:usager_id>/projet/<int:projet_id>/comparer/", comparer, name="comparer"),
    path("<int:usager_id>/projet/<int:projet_id>/versions/<int:numero>/", version, name="version"),
    path(
        "<int:usager_id>/projet/<int:projet_id>/versions/<int:numero>/pdf/",
        version_pdf,
        name="version_pdf",
    ),
    path("<int:usager_id>/projet/<int:projet_id>/modifier/<slug:cle>/", section, name="section"),
]
