"""Views of the identity: creating a person, the identity tab and its actions, and the INSi
journey (search → compare → accept). INSi is called outside any transaction; its answer is
carried to the accept step signed and short-lived, so it cannot be altered in between."""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.comptes.models import Categorie
from dui.interop import http
from dui.interop.ins import client
from dui.interop.ins.matricule import INS_OIDS, is_nia, parse_matricule
from dui.interop.ins.schemas import (
    CR_AUCUNE,
    CR_OK,
    CR_PLUSIEURS,
    INS,
    INSiFault,
    ResultatINSi,
    TraitsINS,
)
from dui.usagers import forms_identite as forms
from dui.usagers.access import ensure_writable, record_context, usager_get_for
from dui.usagers.identite import IdentiteError, StatutIdentite, is_high_trust, may_call_insi
from dui.usagers.identitovigilance import Candidat, Niveau
from dui.usagers.models import PriseEnCharge, Sexe, SuspicionDoublon, Usager
from dui.usagers.services import (
    DoublonPotentiel,
    VersionConflict,
    identite_check_document,
    identite_downgrade,
    identite_record_insi,
    identite_set_attributes,
    identite_update_traits,
)
from dui.usagers.services_nouveau import usager_create_with_stay
from dui.usagers.tasks import schedule_insi_retry, traits_recherche

INSI_SALT = "dui.usagers.insi.resultat"
INSI_MAX_AGE_SECONDS = 600
INSI_INDISPONIBLE = (
    "Le téléservice INSi ne répond pas ; l'identité reste inchangée. "
    "Une nouvelle tentative est programmée."
)

STATUT_SENS = {
    StatutIdentite.PROVISOIRE: "Identité saisie sans confirmation par le téléservice INSi ni "
    "contrôle d'un justificatif à haut niveau de confiance : le matricule INS n'est pas "
    "utilisable.",
    StatutIdentite.RECUPEREE: "Identité et matricule INS renvoyés par le téléservice INSi, "
    "sans contrôle d'un justificatif à haut niveau de confiance : le matricule ne peut pas "
    "encore être partagé.",
    StatutIdentite.VALIDEE: "Justificatif d'identité à haut niveau de confiance contrôlé, sans "
    "confirmation par le téléservice INSi.",
    StatutIdentite.QUALIFIEE: "Identité confirmée par le téléservice INSi et justificatif à "
    "haut niveau de confiance contrôlé : le matricule INS peut être utilisé dans les échanges.",
}

CONSEILS_CR = {
    CR_AUCUNE: (
        "Aucune identité trouvée par l'INSi.",
        "Vérifiez les traits sur la pièce d'identité (nom de naissance, date, sexe) et "
        "relancez la recherche ; la personne n'a peut-être pas encore d'INS (personne née à "
        "l'étranger non immatriculée, par exemple).",
    ),
    CR_PLUSIEURS: (
        "Plusieurs identités correspondent pour l'INSi.",
        "Relancez la recherche en saisissant tous les prénoms de naissance figurant sur la "
        "pièce d'identité, puis, si nécessaire, le code INSEE du lieu de naissance.",
    ),
}


# --- creating a person ---------------------------------------------------------------------


def may_create_usager(user: Any, etablissement: Any) -> bool:
    if etablissement is None:
        return False
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and Categorie.ADMINISTRATIF in d.ecriture)


def _candidate_row(user: Any, candidat: Candidat, etab_ids: list[int]) -> dict[str, Any]:
    """What the user may see of a candidate: everything if the person is in their scope,
    otherwise only that a person of the organisme shares this birth date."""
    u = candidat.usager
    if not policy.allows(user, "usager.view", u):
        return {"id": u.pk, "visible": False, "date_naissance": u.date_naissance}
    services = sorted(
        set(
            PriseEnCharge.objects.filter(usager=u, etablissement_id__in=etab_ids).values_list(
                "etablissement__nom", flat=True
            )
        )
    )
    return {
        "id": u.pk,
        "visible": True,
        "usager": u,
        "raisons": candidat.raisons,
        "date_naissance": u.date_naissance,
        "services": services,
    }


@login_required
def usager_nouveau(request: HttpRequest) -> HttpResponse:
    etab = getattr(request, "etablissement", None)
    if not may_create_usager(request.user, etab):
        raise Http404("Introuvable ou non autorisé.")
    form = forms.UsagerNouveauForm(request.POST or None, etablissement=etab)
    differente = forms.DifferenteForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "differente": differente, "candidats": []}
    if request.method != "POST" or "revenir" in request.POST or not form.is_valid():
        status = 400 if request.method == "POST" and form.errors else 200
        return render(request, "usagers/usager_nouveau.html", context, status=status)
    differente.is_valid()
    try:
        usager, _ = usager_create_with_stay(
            user=request.user,
            etablissement=etab,
            unite=form.cleaned_data["unite"],
            date_admission=form.cleaned_data["date_admission"],
            type_prise_en_charge=form.cleaned_data["type_prise_en_charge"],
            differente_de=differente.cleaned_data.get("differente_de") or frozenset(),
            motif_differente=differente.cleaned_data.get("motif_differente", ""),
            request=request,
            **form.traits(),
        )
    except DoublonPotentiel as exc:
        etab_ids = policy.etablissement_ids(request.user)
        rows = [_candidate_row(request.user, c, etab_ids) for c in exc.candidats]
        audit.record(
            action=AuditAction.SEARCH,
            request=request,
            object_type="usagers.usager",
            details={"doublons_candidats": [r["id"] for r in rows if r["visible"]]},
        )
        context |= {"candidats": rows, "doublon_message": str(exc)}
        return render(request, "usagers/usager_nouveau.html", context, status=409)
    except IdentiteError as exc:
        context["erreur"] = str(exc)
        return render(request, "usagers/usager_nouveau.html", context, status=400)
    messages.success(
        request, f"Le dossier de {usager.display_name} a été créé (identité provisoire)."
    )
    moyens = SuspicionDoublon.objects.filter(
        usager=usager, niveau=Niveau.MOYEN, statut=SuspicionDoublon.Statut.A_TRAITER
    ).count()
    if moyens:
        messages.warning(
            request,
            f"{moyens} personne{'s' if moyens > 1 else ''} de l'organisme ressemble"
            f"{'nt' if moyens > 1 else ''} à celle-ci : vérifiez la liste « Doublons "
            "potentiels » ci-dessous. Le référent en identitovigilance a été alerté.",
        )
    return redirect("usagers:identite", usager.pk)


# --- identity tab --------------------------------------------------------------------------


def _matricule(usager: Usager) -> dict[str, str] | None:
    if usager.statut_identite not in (StatutIdentite.RECUPEREE, StatutIdentite.QUALIFIEE):
        return None
    if not usager.matricule_ins:
        return None
    return {
        "libelle": "Matricule INS (NIA)" if is_nia(usager.oid_ins) else "Matricule INS (NIR)",
        "valeur": str(parse_matricule(usager.matricule_ins)),
        "type": INS_OIDS.get(usager.oid_ins, usager.oid_ins),
    }


def _event_rows(usager: Usager) -> list[dict[str, Any]]:
    rows = []
    for e in usager.evenements_identite.select_related("user"):
        changes = [
            (forms_label(k), v[0], v[1])
            for k, v in (e.details or {}).items()
            if isinstance(v, list) and len(v) == 2 and k != "historique"
        ]
        traits = e.details.get("traits") if isinstance(e.details, dict) else None
        if isinstance(traits, dict):
            changes += [(forms_label(k), v[0], v[1]) for k, v in traits.items()]
        rows.append({"e": e, "changes": changes, "code_cr": e.details.get("code_cr", "")})
    return rows


def forms_label(name: str) -> str:
    labels = {
        "douteuse": "Identité douteuse",
        "fictive": "Identité fictive",
        "homonyme": "Homonyme",
    }
    if name in labels:
        return labels[name]
    try:
        return str(getattr(Usager._meta.get_field(name), "verbose_name", name)).capitalize()
    except FieldDoesNotExist:
        return name


def _identite_page(
    request: HttpRequest, usager: Usager, *, status: int = 200, **bound: Any
) -> HttpResponse:
    may_write = policy.allows(request.user, "usager.administratif.write", usager)
    version = {"version": usager.version}
    initial_traits = {name: getattr(usager, name) for name in forms.TraitsForm.base_fields}
    context = record_context(request, usager, tab="usagers:identite")
    etab_ids = policy.etablissement_ids(request.user)
    suspicions = [
        _candidate_row(
            request.user,
            Candidat(
                s.candidat if s.usager_id == usager.pk else s.usager, Niveau(s.niveau), s.score
            ),
            etab_ids,
        )
        for s in SuspicionDoublon.objects.filter(statut=SuspicionDoublon.Statut.A_TRAITER)
        .filter(Q(usager=usager) | Q(candidat=usager))
        .select_related("usager", "candidat")
    ]
    context |= {
        "statut_sens": STATUT_SENS[StatutIdentite(usager.statut_identite)],
        "matricule": _matricule(usager),
        "evenements": _event_rows(usager),
        "suspicions": suspicions,
        "may_write": may_write and usager.archive_le is None and usager.fusionne_dans_id is None,
        "may_call_insi": may_call_insi(usager),
        "insi_form": bound.get("insi_form") or forms.VersionForm(initial=version),
        "traits_form": bound.get("traits_form")
        or forms.ModifierTraitsForm(initial={**initial_traits, **version}),
        "justificatif_form": bound.get("justificatif_form")
        or forms.JustificatifForm(initial=version),
        "attributs_form": bound.get("attributs_form")
        or forms.AttributsForm(
            initial={
                **version,
                "douteuse": usager.identite_douteuse,
                "fictive": usager.identite_fictive,
                "homonyme": usager.homonyme,
            }
        ),
        "declassement_form": bound.get("declassement_form")
        or forms.DeclassementForm(initial=version, statut=usager.statut_identite),
        "erreur": bound.get("erreur", ""),
    }
    return render(request, "usagers/identite.html", context, status=status)


@login_required
def identite(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    return _identite_page(request, usager)


def _writable(request: HttpRequest, usager_id: int) -> Usager:
    usager = usager_get_for(request.user, usager_id)
    policy.require(request.user, "usager.administratif.write", usager)
    return usager


def _refused(
    request: HttpRequest, usager: Usager, exc: IdentiteError, form_name: str, form: Any
) -> HttpResponse:
    """A rule refused the change: nothing saved, the page says why in French."""
    status = 409 if isinstance(exc, VersionConflict) else 400
    return _identite_page(request, usager, status=status, erreur=str(exc), **{form_name: form})


@login_required
@require_POST
def identite_modifier(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _writable(request, usager_id)
    form = forms.ModifierTraitsForm(request.POST)
    if not form.is_valid():
        return _identite_page(request, usager, status=400, traits_form=form)
    try:
        ensure_writable(usager)
        identite_update_traits(
            user=request.user,
            usager=usager,
            expected_version=form.cleaned_data["version"],
            motif=form.cleaned_data["motif"],
            request=request,
            **form.traits(),
        )
    except IdentiteError as exc:
        return _refused(request, usager, exc, "traits_form", form)
    messages.success(request, "Traits d'identité enregistrés.")
    return redirect("usagers:identite", usager.pk)


@login_required
@require_POST
def identite_justificatif(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _writable(request, usager_id)
    form = forms.JustificatifForm(request.POST)
    if not form.is_valid():
        return _identite_page(request, usager, status=400, justificatif_form=form)
    try:
        ensure_writable(usager)
        updated = identite_check_document(
            user=request.user,
            usager=usager,
            justificatif=form.cleaned_data["justificatif"],
            motif=form.cleaned_data["motif"],
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except IdentiteError as exc:
        return _refused(request, usager, exc, "justificatif_form", form)
    messages.success(
        request,
        f"Justificatif enregistré. Statut : {updated.get_statut_identite_display()}."
        if is_high_trust(form.cleaned_data["justificatif"])
        else "Justificatif enregistré ; ce document n'est pas à haut niveau de confiance : "
        "le statut de l'identité ne change pas.",
    )
    return redirect("usagers:identite", usager.pk)


@login_required
@require_POST
def identite_attributs(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _writable(request, usager_id)
    form = forms.AttributsForm(request.POST)
    if not form.is_valid():
        return _identite_page(request, usager, status=400, attributs_form=form)
    try:
        ensure_writable(usager)
        identite_set_attributes(
            user=request.user,
            usager=usager,
            douteuse=form.cleaned_data["douteuse"],
            fictive=form.cleaned_data["fictive"],
            homonyme=form.cleaned_data["homonyme"],
            motif=form.cleaned_data["motif"],
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except IdentiteError as exc:
        return _refused(request, usager, exc, "attributs_form", form)
    messages.success(request, "Attributs de l'identité enregistrés.")
    return redirect("usagers:identite", usager.pk)


@login_required
@require_POST
def identite_declasser(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _writable(request, usager_id)
    form = forms.DeclassementForm(request.POST, statut=usager.statut_identite)
    if not form.is_valid():
        return _identite_page(request, usager, status=400, declassement_form=form)
    try:
        ensure_writable(usager)
        updated = identite_downgrade(
            user=request.user,
            usager=usager,
            cible=form.cleaned_data["cible"],
            motif=form.cleaned_data["motif"],
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except IdentiteError as exc:
        return _refused(request, usager, exc, "declassement_form", form)
    messages.success(request, f"Identité déclassée : {updated.get_statut_identite_display()}.")
    return redirect("usagers:identite", usager.pk)


# --- INSi journey --------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def resultat_to_payload(resultat: ResultatINSi) -> dict[str, Any]:
    return {
        k: (
            [{kk: _jsonable(vv) for kk, vv in dataclasses.asdict(h).items()} for h in v]
            if k == "historique"
            else {kk: _jsonable(vv) for kk, vv in v.items()}
            if isinstance(v, dict)
            else v
        )
        for k, v in dataclasses.asdict(resultat).items()
    }


def _ins(data: dict[str, Any] | None) -> INS | None:
    if not data:
        return None
    dates = {
        k: datetime.date.fromisoformat(data[k]) if data.get(k) else None
        for k in ("date_debut", "date_fin")
    }
    return INS(numero=data["numero"], cle=data["cle"], oid=data["oid"], **dates)


def resultat_from_payload(data: dict[str, Any]) -> ResultatINSi:
    traits = data.get("traits")
    return ResultatINSi(
        code_cr=data["code_cr"],
        libelle_cr=data["libelle_cr"],
        ins=_ins(data.get("ins")),
        traits=TraitsINS(
            nom_naissance=traits["nom_naissance"],
            liste_prenoms=traits["liste_prenoms"],
            sexe=traits["sexe"],
            date_naissance=datetime.date.fromisoformat(traits["date_naissance"]),
            lieu_naissance=traits["lieu_naissance"],
        )
        if traits
        else None,
        historique=[h for h in (_ins(x) for x in data.get("historique") or []) if h],
    )


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()
    return " ".join(text.replace("-", " ").replace("'", " ").replace("’", " ").split())


def comparison_rows(usager: Usager, traits: TraitsINS) -> list[dict[str, Any]]:
    """Each trait as typed and as INSi returned it; `diff` when they differ beyond accents,
    case and hyphens."""
    sexes = dict(Sexe.choices)
    pairs = [
        ("Nom de naissance", usager.nom_naissance, traits.nom_naissance),
        ("Prénom(s) de naissance", usager.prenoms_naissance, traits.liste_prenoms),
        (
            "Date de naissance",
            usager.date_naissance.strftime("%d/%m/%Y"),
            traits.date_naissance.strftime("%d/%m/%Y"),
        ),
        ("Sexe", sexes.get(usager.sexe, usager.sexe), sexes.get(traits.sexe, traits.sexe)),
        (
            "Lieu de naissance (code INSEE)",
            usager.lieu_naissance_insee or "—",
            traits.lieu_naissance or "—",
        ),
    ]
    return [
        {"label": label, "saisi": saisi, "insi": insi, "diff": _fold(saisi) != _fold(insi)}
        for label, saisi, insi in pairs
    ]


@login_required
@require_POST
def identite_insi(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _writable(request, usager_id)
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        return _identite_page(request, usager, status=400, insi_form=form)
    try:
        ensure_writable(usager)
        if not may_call_insi(usager):
            raise IdentiteError(
                "Une identité douteuse ou fictive ne peut pas être recherchée auprès de l'INSi."
            )
        if form.cleaned_data["version"] != usager.version:
            raise VersionConflict([])
    except IdentiteError as exc:
        return _refused(request, usager, exc, "insi_form", form)
    # Outside any transaction: the teleservice may take seconds to answer.
    try:
        resultat = client.rechercher_par_traits(traits_recherche(usager))
    except (http.ServiceUnavailable, INSiFault):
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            obj=usager,
            usager=usager,
            details={"insi": "indisponible"},
        )
        schedule_insi_retry(usager.pk, request.user.pk)
        messages.error(request, INSI_INDISPONIBLE)
        return redirect("usagers:identite", usager.pk)
    audit.record(
        action=AuditAction.EXPORT,
        request=request,
        obj=usager,
        usager=usager,
        details={"insi": resultat.code_cr},
    )
    context = record_context(
        request, usager, tab="usagers:identite", details={"insi": resultat.code_cr}
    )
    if resultat.code_cr == CR_OK and resultat.traits is not None and resultat.ins is not None:
        payload = {"u": usager.pk, "v": usager.version, "r": resultat_to_payload(resultat)}
        context |= {
            "resultat": resultat,
            "lignes": comparison_rows(usager, resultat.traits),
            "accepter_form": forms.INSiAccepterForm(
                initial={"resultat": signing.dumps(payload, salt=INSI_SALT)}
            ),
        }
        return render(request, "usagers/identite_insi.html", context)
    # No identity or several: nothing to accept; the call is traced in the history.
    try:
        identite_record_insi(
            user=request.user,
            usager=usager,
            resultat=resultat,
            expected_version=usager.version,
            request=request,
        )
    except IdentiteError as exc:
        return _refused(request, usager, exc, "insi_form", form)
    titre, conseil = CONSEILS_CR.get(
        resultat.code_cr, (f"Réponse de l'INSi : {resultat.libelle_cr}.", "")
    )
    context |= {"resultat": resultat, "titre_cr": titre, "conseil_cr": conseil}
    return render(request, "usagers/identite_insi.html", context)


@login_required
@require_POST
def identite_insi_accepter(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = _writable(request, usager_id)
    form = forms.INSiAccepterForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature("absent")
        data = signing.loads(
            form.cleaned_data["resultat"], salt=INSI_SALT, max_age=INSI_MAX_AGE_SECONDS
        )
        if data.get("u") != usager.pk:
            raise signing.BadSignature("autre personne")
    except signing.SignatureExpired:
        messages.error(
            request,
            "La réponse de l'INSi date de plus de 10 minutes : relancez la recherche. "
            "Rien n'a été enregistré.",
        )
        return redirect("usagers:identite", usager.pk)
    except signing.BadSignature:
        return _identite_page(
            request,
            usager,
            status=400,
            erreur="La réponse de l'INSi n'a pas pu être vérifiée (données altérées) : rien "
            "n'a été enregistré. Relancez la recherche.",
        )
    try:
        ensure_writable(usager)
        updated = identite_record_insi(
            user=request.user,
            usager=usager,
            resultat=resultat_from_payload(data["r"]),
            expected_version=data["v"],
            request=request,
        )
    except IdentiteError as exc:
        return _refused(request, usager, exc, "insi_form", forms.VersionForm())
    messages.success(
        request,
        f"Identité enregistrée depuis l'INSi : {updated.get_statut_identite_display()}.",
    )
    return redirect(reverse("usagers:identite", args=[usager.pk]))


urlpatterns = [
    path("nouveau/", usager_nouveau, name="nouveau"),
    path("<int:usager_id>/identite/", identite, name="identite"),
    path("<int:usager_id>/identite/traits/", identite_modifier, name="identite_modifier"),
    path(
        "<int:usager_id>/identite/justificatif/",
        identite_justificatif,
        name="identite_justificatif",
    ),
    path("<int:usager_id>/identite/attributs/", identite_attributs, name="identite_attributs"),
    path("<int:usager_id>/identite/declasser/", identite_declasser, name="identite_declasser"),
    path("<int:usager_id>/identite/insi/", identite_insi, name="identite_insi"),
    path(
        "<int:usager_id>/identite/insi/accepter/",
        identite_insi_accepter,
        name="identite_insi_accepter",
    ),
]
