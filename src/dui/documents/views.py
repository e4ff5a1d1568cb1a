"""The Documents tab of a person's record: list, upload, versions, signatures, download.

Files are only served here (private storage, no URL), after `access.peut_lire`, and every
download is journaled. Refusals are 404 (existence hidden), as everywhere.
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.documents import access, contenu, services, types
from dui.documents.forms import DocumentForm, SignatureForm, VersionForm
from dui.documents.models import Document, Origine, Signature, VersionDocument
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError
from dui.usagers.models import PriseEnCharge, Usager

TAB = "documents:liste"
PAR_PAGE = 50
INLINE_MIMES = {contenu.PDF.mime, contenu.JPEG.mime, contenu.PNG.mime}


def _sejours(user: Any, usager: Usager) -> QuerySet[PriseEnCharge]:
    return (
        usager.prises_en_charge.filter(etablissement_id__in=policy.etablissement_ids(user))
        .select_related("etablissement")
        .order_by("-date_debut")
    )


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _lignes(ids: list[int]) -> list[dict[str, Any]]:
    """The list's rows for these documents, in this order: each document with its latest
    version, its number of versions and the names of that version's signatories (3 queries,
    only the columns shown)."""
    documents = {
        d.pk: d
        for d in Document.objects.filter(pk__in=ids).only(
            "id",
            "type_code",
            "titre",
            "confidentialite",
            "origine",
            "emetteur",
            "created_at",
            "retire_le",
        )
    }
    derniere: dict[int, VersionDocument] = {}
    nombre: dict[int, int] = {}
    for v in (
        VersionDocument.objects.filter(document_id__in=ids)
        .only("id", "document_id", "numero", "created_at")
        .order_by("document_id", "numero")
    ):
        derniere[v.document_id] = v  # ascending: the highest numero wins
        nombre[v.document_id] = nombre.get(v.document_id, 0) + 1
    signataires: dict[int, list[str]] = {}
    for version_id, nom in (
        Signature.objects.filter(version_id__in=[v.pk for v in derniere.values()])
        .order_by("signe_le", "pk")
        .values_list("version_id", "signataire_nom")
    ):
        signataires.setdefault(version_id, []).append(nom)
    return [
        {
            "document": documents[pk],
            "version": derniere.get(pk),
            "nombre": nombre.get(pk, 0),
            "signataires": signataires.get(derniere[pk].pk, []) if pk in derniere else [],
        }
        for pk in ids
    ]


def _generables(user: Any, usager: Usager) -> list[tuple[str, str]]:
    from dui.interop.cda.views import kinds_for

    return [] if usager.archive_le is not None else kinds_for(user, usager)


def _may_add(user: Any, usager: Usager) -> bool:
    return usager.archive_le is None and bool(access.categories_ecriture(user, usager))


@login_required
@require_GET
def liste(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    retires = request.GET.get("retires") == "1"
    documents = access.documents_lisibles(request.user, usager, avec_retires=retires)
    sejours = list(_sejours(request.user, usager))
    sejour = None
    sejour_id = _int_param(request, "sejour")
    if sejour_id is not None:
        # Any stay of this person (the Parcours tab links each one); documents stay filtered
        # on what the user may read.
        sejour = (
            usager.prises_en_charge.filter(pk=sejour_id).select_related("etablissement").first()
        )
        if sejour is None:
            raise Http404("Séjour introuvable.")
        documents = documents.filter(prise_en_charge=sejour)
    # Types offered by the filter: those of the readable documents, whatever the type filter.
    present = sorted(
        {
            (code, types.libelle_du_type(code))
            for code in documents.values_list("type_code", flat=True)
        },
        key=lambda t: t[1].lower(),
    )
    type_code = request.GET.get("type", "")
    if type_code:
        documents = documents.filter(type_code=type_code)
    tri = "type" if request.GET.get("tri") == "type" else "date"
    # Order and paginate on (pk, type, date) only, then load the page's documents in full:
    # the type order is the labels' (Python side), and a long record renders one page.
    keys = list(documents.values_list("pk", "type_code", "created_at"))
    keys.sort(key=lambda k: (k[2], k[0]), reverse=True)
    if tri == "type":
        keys.sort(key=lambda k: types.libelle_du_type(k[1]).lower())
    page = Paginator(keys, PAR_PAGE).get_page(request.GET.get("page"))
    ids = [k[0] for k in page.object_list]
    rows = _lignes(ids)
    context = record_context(
        request,
        usager,
        tab=TAB,
        details={
            "documents": page.paginator.count,
            **({"sejour": sejour.pk} if sejour else {}),
            **({"retires": True} if retires else {}),
            **({"page": page.number} if page.number > 1 else {}),
        },
    )
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "documents/liste.html",
        {
            **context,
            "documents": rows,
            # Kinds of documents this user may generate here (lettres, DLU, evaluations…).
            "generables": _generables(request.user, usager),
            "page": page,
            "querystring": querystring.urlencode(),
            "sejour": sejour,
            "sejours": sejours,
            "type_code": type_code,
            "types_presents": present,
            "tri": tri,
            "retires": retires,
            "may_add": _may_add(request.user, usager),
            "fiche_retour_code": types.FICHE_RETOUR_URGENCES,
        },
    )


def _televerser_initial(request: HttpRequest, sejours: list[PriseEnCharge]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    sejour_id = _int_param(request, "sejour")
    if sejour_id is not None and any(s.pk == sejour_id for s in sejours):
        initial["prise_en_charge"] = sejour_id
    code = request.GET.get("type", "")
    if code in types.PAR_CODE:
        initial["type_code"] = code
        initial["titre"] = types.libelle_du_type(code)
    if request.GET.get("origine") == Origine.RECU:
        initial["origine"] = Origine.RECU
    return initial


class _LimiteTaille(FileUploadHandler):
    """First upload handler: drops a file as soon as it exceeds the limit, so an oversized
    upload is never written to a temporary file nor held in memory."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > services.max_octets():
            self.request._documents_trop_gros = True  # type: ignore[union-attr]
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _limite_televersement(view: Any) -> Any:
    """Install _LimiteTaille before anything reads the body (the CSRF check does), then check
    CSRF as usual: Django's documented pattern for per-view upload handlers."""
    protected = csrf_protect(view)

    @wraps(view)
    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers.insert(0, _LimiteTaille(request))
        return protected(request, *args, **kwargs)  # type: ignore[no-any-return]

    return wrapper


def _trop_gros_message() -> str:
    return (
        "Le fichier est trop volumineux : la taille maximale est de "
        f"{services.max_octets() // 1048576} Mo."
    )


def _valider(request: HttpRequest, form: Any) -> bool:
    """form.is_valid(), with the size refusal of _LimiteTaille shown on the file field."""
    if request.method != "POST":
        return False
    valid = form.is_valid()
    if getattr(request, "_documents_trop_gros", False):
        form.errors.pop("fichier", None)
        form.add_error("fichier", _trop_gros_message())
        return False
    return bool(valid)


def _lire_fichier(form: Any) -> bytes | None:
    """The uploaded bytes, or None (form error) when over the size limit, before reading."""
    upload = form.cleaned_data["fichier"]
    if upload.size > services.max_octets():
        form.add_error("fichier", _trop_gros_message())
        return None
    return bytes(upload.read())


@login_required
@_limite_televersement
def televerser(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    if not _may_add(request.user, usager):
        raise Http404("Introuvable ou non autorisé.")
    sejours = list(_sejours(request.user, usager))
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        initial=_televerser_initial(request, sejours),
        categories=access.categories_ecriture(request.user, usager),
        sejours=_sejours(request.user, usager),
    )
    if _valider(request, form):
        data = _lire_fichier(form)
        if data is not None:
            c = form.cleaned_data
            try:
                version = services.televerser(
                    request.user,
                    usager,
                    data=data,
                    nom_fichier=c["fichier"].name,
                    type_code=c["type_code"],
                    titre=c["titre"],
                    confidentialite=c["confidentialite"],
                    origine=c["origine"],
                    emetteur=c["emetteur"],
                    prise_en_charge=c["prise_en_charge"],
                    commentaire=c["commentaire"],
                    signature_manuscrite=c["signature_manuscrite"],
                    request=request,
                )
            except (services.DocumentError, IdentiteError) as error:
                form.add_error("fichier" if "fichier" in str(error).lower() else None, str(error))
            else:
                messages.success(request, "Document enregistré.")
                return redirect("documents:detail", usager.pk, version.document_id)
    context = record_context(request, usager, tab=TAB, details={"formulaire": "document"})
    return render(request, "documents/televerser.html", {**context, "form": form})


def _document_context(request: HttpRequest, usager: Usager, document: Document) -> dict[str, Any]:
    versions = list(
        VersionDocument.objects.filter(document=document)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("signataire"))
        )
        .order_by("-numero")
    )
    may_change = usager.archive_le is None and access.peut_ajouter_version(request.user, document)
    from dui.interop.dmp.queries import derniers_envois

    envois = derniers_envois(v.pk for v in versions)
    for v in versions:
        v.envoi_dmp = envois.get(v.pk)  # type: ignore[attr-defined]
    return {
        "document": document,
        "versions": versions,
        "derniere": versions[0] if versions else None,
        "may_change": may_change,
        "may_withdraw": usager.archive_le is None and access.peut_retirer(request.user, document),
        # A generated CDA is sent from the DMP tab: link there from its latest version.
        "may_send_dmp": usager.archive_le is None
        and document.retire_le is None
        and policy.allows(request.user, "usager.soins.write", usager),
    }


@login_required
@require_GET
def detail(request: HttpRequest, usager_id: int, document_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    document = access.document_get_for(request.user, usager, document_id)
    context = record_context(request, usager, tab=TAB, details={"document": document.pk})
    return render(
        request,
        "documents/detail.html",
        {**context, **_document_context(request, usager, document)},
    )


@login_required
@_limite_televersement
def nouvelle_version(request: HttpRequest, usager_id: int, document_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    document = access.document_get_for(request.user, usager, document_id)
    if usager.archive_le is not None or not access.peut_ajouter_version(request.user, document):
        raise Http404("Introuvable ou non autorisé.")
    derniere = document.versions.order_by("-numero").first()
    form = VersionForm(
        request.POST or None,
        request.FILES or None,
        initial={"base_numero": derniere.numero if derniere else 0},
    )
    if _valider(request, form):
        data = _lire_fichier(form)
        if data is not None:
            c = form.cleaned_data
            try:
                services.televerser(
                    request.user,
                    usager,
                    data=data,
                    nom_fichier=c["fichier"].name,
                    document=document,
                    base_numero=c["base_numero"] if c["base_numero"] is not None else None,
                    commentaire=c["commentaire"],
                    signature_manuscrite=c["signature_manuscrite"],
                    request=request,
                )
            except (services.DocumentError, IdentiteError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Nouvelle version enregistrée.")
                return redirect("documents:detail", usager.pk, document.pk)
    context = record_context(
        request, usager, tab=TAB, details={"document": document.pk, "formulaire": "version"}
    )
    return render(
        request,
        "documents/nouvelle_version.html",
        {**context, "form": form, "document": document, "derniere": derniere},
    )


@login_required
def signer(request: HttpRequest, usager_id: int, document_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    document = access.document_get_for(request.user, usager, document_id)
    if usager.archive_le is not None or not access.peut_signer(request.user, document):
        raise Http404("Introuvable ou non autorisé.")
    derniere = document.versions.order_by("-numero").first()
    if derniere is None:
        raise Http404("Document sans version.")
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version_id = _int_param_post(request, "version")
        c = form.cleaned_data
        try:
            if version_id != derniere.pk:
                raise services.DocumentError(
                    "Une nouvelle version a été ajoutée entre-temps : relisez-la avant de signer."
                )
            services.signer(
                request.user,
                derniere,
                mode=c["mode"],
                code_otp=c["code_otp"],
                signataire_nom=c["signataire_nom"],
                request=request,
            )
        except (services.DocumentError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Signature enregistrée.")
            return redirect("documents:detail", usager.pk, document.pk)
    context = record_context(
        request, usager, tab=TAB, details={"document": document.pk, "formulaire": "signature"}
    )
    return render(
        request,
        "documents/signer.html",
        {**context, "form": form, "document": document, "derniere": derniere},
    )


@login_required
@require_POST
def retirer(request: HttpRequest, usager_id: int, document_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    document = access.document_get_for(request.user, usager, document_id)
    try:
        services.retirer(
            request.user, document, motif=request.POST.get("motif", ""), request=request
        )
    except (services.DocumentError, IdentiteError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Document retiré : il n'apparaît plus dans la liste.")
    return redirect("documents:detail", usager.pk, document.pk)


def _int_param_post(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def _version_get_for(user: Any, usager: Usager, version_id: int) -> VersionDocument:
    version = (
        VersionDocument.objects.filter(pk=version_id, document__usager=usager)
        .select_related("document__usager")
        .first()
    )
    if version is None or not access.peut_lire(user, version.document):
        raise Http404("Document introuvable ou non autorisé.")
    return version


def _serve(
    request: HttpRequest,
    usager: Usager,
    version: VersionDocument,
    *,
    field: Any,
    mime: str,
    ext: str,
    partie: str,
) -> FileResponse:
    inline = request.GET.get("afficher") == "1" and mime in INLINE_MIMES
    audit.record(
        action=AuditAction.READ,
        request=request,
        obj=version,
        usager=usager,
        break_glass=policy.is_break_glass_access(request.user, usager),
        details={
            "document": version.document_id,
            "version": version.numero,
            "fichier": partie,
            "affichage": "en_ligne" if inline else "telechargement",
        },
    )
    name = f"{slugify(version.document.titre) or 'document'}-v{version.numero}{ext}"
    response = FileResponse(
        field.open("rb"), content_type=mime, as_attachment=not inline, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if not (inline and mime == contenu.PDF.mime):
        # Nothing inside a served file may run scripts or load anything in the app's origin.
        # Not for a PDF shown inline: "sandbox" stops browsers' PDF viewers; the app's strict
        # CSP (ui.middleware) applies to it instead.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@login_required
@require_GET
def telecharger(request: HttpRequest, usager_id: int, version_id: int) -> FileResponse:
    usager = usager_get_for(request.user, usager_id)
    version = _version_get_for(request.user, usager, version_id)
    ext = Path(version.fichier.name or "").suffix.lower() or ".bin"
    return _serve(
        request,
        usager,
        version,
        field=version.fichier,
        mime=version.mime,
        ext=ext,
        partie="fichier",
    )


@login_required
@require_GET
def telecharger_cda(request: HttpRequest, usager_id: int, version_id: int) -> FileResponse:
    usager = usager_get_for(request.user, usager_id)
    version = _version_get_for(request.user, usager, version_id)
    if not version.cda:
        raise Http404("Pas de CDA pour cette version.")
    return _serve(
        request, usager, version, field=version.cda, mime="text/xml", ext=".xml", partie="cda"
    )


urlpatterns = [
    path("<int:usager_id>/documents/", liste, name="liste"),
    path("<int:usager_id>/documents/nouveau/", televerser, name="televerser"),
    path("<int:usager_id>/documents/<int:document_id>/", detail, name="detail"),
    path(
        "<int:usager_id>/documents/<int:document_id>/version/",
        nouvelle_version,
        name="nouvelle_version",
    ),
    path("<int:usager_id>/documents/<int:document_id>/signer/", signer, name="signer"),
    path("<int:usager_id>/documents/<int:document_id>/retirer/", retirer, name="retirer"),
    path(
        "<int:usager_id>/documents/versions/<int:version_id>/fichier/",
        telecharger,
        name="telecharger",
    ),
    path(
        "<int:usager_id>/documents/versions/<int:version_id>/cda/",
        telecharger_cda,
        name="telecharger_cda",
    ),
]
