"""Identitovigilance referent's work: the queue of suspected duplicates, settling a pair as
two different persons, merging it, and the merge history.

Everything here is scoped by organisme gestionnaire through `policy.allows(user,
"identitovigilance", organisme)`: a referent sees every pair of the organisme, since
duplicates hide precisely in the services they do not work in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.structures.models import Etablissement, OrganismeGestionnaire
from dui.usagers import fusion as fusion_module
from dui.usagers.identite import IdentiteError, PrecisionDate, StatutIdentite
from dui.usagers.models import Fusion, PriseEnCharge, SuspicionDoublon, Usager
from dui.usagers.phonetique import fold
from dui.usagers.services import identite_set_attributes

HOMONYMES_MOTIF = "Homonymes confirmés par le référent"

# French labels of the relations that point to a person (fallback: the model's plural name).
RELATION_LABELS = {
    "usagers.priseencharge.usager": "Séjours et accompagnements",
    "usagers.membreequipe.usager": "Membres de l'équipe",
    "usagers.candidature.usager": "Candidatures",
    "usagers.proche.usager": "Proches (entourage)",
    "usagers.intervenantexterieur.usager": "Intervenants extérieurs",
    "usagers.droitprestation.usager": "Droits et prestations",
    "comptes.accesexceptionnel.usager": "Accès exceptionnels",
}

# Traits compared side by side on the pair screen: (field, label).
COMPARED_FIELDS = [
    ("nom_naissance", "Nom de naissance"),
    ("prenoms_naissance", "Prénom(s) de naissance"),
    ("date_naissance", "Date de naissance"),
    ("sexe", "Sexe"),
    ("lieu_naissance_insee", "Lieu de naissance (code INSEE)"),
    ("nom_utilise", "Nom utilisé"),
    ("prenom_utilise", "Prénom utilisé"),
    ("statut_identite", "Statut de l'identité"),
    ("matricule_ins", "Matricule INS"),
]

_STATUS_RANK = {
    StatutIdentite.QUALIFIEE: 3,
    StatutIdentite.VALIDEE: 2,
    StatutIdentite.RECUPEREE: 2,
    StatutIdentite.PROVISOIRE: 1,
}


def relation_label(key: str) -> str:
    if key in RELATION_LABELS:
        return RELATION_LABELS[key]
    app_label, model_name, _field = key.split(".")
    try:
        return str(apps.get_model(app_label, model_name)._meta.verbose_name_plural).capitalize()
    except LookupError:
        return key


# --- Scope -------------------------------------------------------------------------------


def referent_organismes(user: Any) -> list[OrganismeGestionnaire]:
    """Organismes in which the user is an identitovigilance referent."""
    etab_ids = [i for i, d in policy.droits(user).items() if d.role.may_manage_identities]
    ids = set(Etablissement.objects.filter(id__in=etab_ids).values_list("organisme_id", flat=True))
    organismes = OrganismeGestionnaire.objects.filter(id__in=ids).order_by("raison_sociale")
    return [o for o in organismes if policy.allows(user, "identitovigilance", o)]


def suspicion_get_for(user: Any, suspicion_id: int) -> SuspicionDoublon:
    """The pair if the user is a referent of its organisme; Http404 otherwise."""
    suspicion = (
        SuspicionDoublon.objects.select_related(
            "usager__organisme", "candidat", "detecte_par", "traite_par"
        )
        .filter(pk=suspicion_id)
        .first()
    )
    if suspicion is None:
        raise Http404("Paire introuvable.")
    policy.require(user, "identitovigilance", suspicion.usager.organisme)
    return suspicion


def fusion_get_for(user: Any, fusion_id: int) -> Fusion:
    """The merge if the user is a referent of its organisme; Http404 otherwise."""
    fusion = (
        Fusion.objects.select_related("garde__organisme", "doublon", "fusionne_par", "annulee_par")
        .filter(pk=fusion_id)
        .first()
    )
    if fusion is None:
        raise Http404("Fusion introuvable.")
    policy.require(user, "identitovigilance", fusion.garde.organisme)
    return fusion


# --- Reads -------------------------------------------------------------------------------


def suspicions_for(
    organisme: OrganismeGestionnaire, *, statut: str = "", niveau: int | None = None
) -> QuerySet[SuspicionDoublon]:
    """Pairs of the organisme, strong first then medium, oldest first (one query per page)."""
    qs = SuspicionDoublon.objects.filter(usager__organisme=organisme)
    if statut:
        qs = qs.filter(statut=statut)
    if niveau:
        qs = qs.filter(niveau=niveau)
    return qs.select_related("usager", "candidat", "detecte_par", "traite_par").order_by(
        "-niveau", "detecte_le", "pk"
    )


def pending_duplicates_count(user: Any) -> int:
    """Pairs à traiter in the organismes where the user is a referent (for the home page)."""
    organismes = referent_organismes(user)
    if not organismes:
        return 0
    return SuspicionDoublon.objects.filter(
        usager__organisme__in=organismes, statut=SuspicionDoublon.Statut.A_TRAITER
    ).count()


def fusions_for(organisme: OrganismeGestionnaire) -> QuerySet[Fusion]:
    return (
        Fusion.objects.filter(garde__organisme=organisme)
        .select_related("garde", "doublon", "fusionne_par", "annulee_par")
        .order_by("-fusionne_le", "-pk")
    )


def linked_counts(usagers: list[Usager]) -> list[dict[str, Any]]:
    """For each relation that points to a person: its label and the count per person.

    The relations are the ones a merge moves (fusion.links), so the screen shows exactly
    what would move."""
    ids = [u.pk for u in usagers]
    rows = []
    for model, field, key in fusion_module.links():
        counts = dict(
            model._default_manager.filter(**{f"{field}__in": ids})
            .values_list(field)
            .annotate(n=Count("pk"))
            .values_list(field, "n")
        )
        rows.append(
            {
                "key": key,
                "label": relation_label(key),
                "counts": [counts.get(pk, 0) for pk in ids],
                "differs": len({counts.get(pk, 0) for pk in ids}) > 1,
            }
        )
    return rows


def stays_of(usagers: list[Usager]) -> dict[int, list[PriseEnCharge]]:
    stays: dict[int, list[PriseEnCharge]] = {u.pk: [] for u in usagers}
    for s in (
        PriseEnCharge.objects.filter(usager__in=usagers)
        .select_related("etablissement", "unite")
        .order_by("-date_debut", "pk")
    ):
        stays[s.usager_id].append(s)
    return stays


def display_value(usager: Usager, field: str) -> str:
    if field == "date_naissance":
        # Partial dates as the RNIV allows them: unknown parts are not shown as known.
        formats = {PrecisionDate.ANNEE: "%Y", PrecisionDate.MOIS: "%m/%Y"}
        return usager.date_naissance.strftime(
            formats.get(PrecisionDate(usager.date_naissance_precision), "%d/%m/%Y")
        )
    if field == "sexe":
        return usager.get_sexe_display()
    if field == "statut_identite":
        return usager.get_statut_identite_display()
    if field == "nom_naissance" or field == "nom_utilise":
        return getattr(usager, field).upper()
    return str(getattr(usager, field) or "")


@dataclass
class Comparison:
    label: str
    values: list[str]
    differs: bool


def compare(a: Usager, b: Usager) -> list[Comparison]:
    rows = []
    for field, label in COMPARED_FIELDS:
        values = [display_value(a, field), display_value(b, field)]
        rows.append(Comparison(label, values, values[0] != values[1]))
    return rows


def proposed_garde(a: Usager, b: Usager) -> Usager:
    """The record to keep by default: the better identity status, then the older record."""
    return min(
        (a, b),
        key=lambda u: (-_STATUS_RANK.get(StatutIdentite(u.statut_identite), 0), u.cree_le, u.pk),
    )


def same_names(a: Usager, b: Usager) -> bool:
    """Same birth name and same first birth first name (accents and case aside)."""
    return fold(a.nom_naissance) == fold(b.nom_naissance) and fold(a.premier_prenom) == fold(
        b.premier_prenom
    )


def journal_pair_read(request: HttpRequest, suspicion: SuspicionDoublon) -> None:
    """Reading a pair is reading both persons' data: one journal entry each."""
    for u in (suspicion.usager, suspicion.candidat):
        audit.record(
            action=AuditAction.READ,
            request=request,
            obj=u,
            usager=u,
            details={"identitovigilance": suspicion.pk},
        )


# --- Writes ------------------------------------------------------------------------------


def _lock_pending(suspicion: SuspicionDoublon) -> SuspicionDoublon:
    current = SuspicionDoublon.objects.select_for_update().get(pk=suspicion.pk)
    if current.statut != SuspicionDoublon.Statut.A_TRAITER:
        raise IdentiteError(
            "Cette paire a déjà été traitée entre-temps "
            f"(« {current.get_statut_display()} ») : rien n'a été modifié."
        )
    return current


def suspicion_settle_different(
    *,
    user: Any,
    suspicion: SuspicionDoublon,
    motif: str,
    request: HttpRequest | None = None,
) -> SuspicionDoublon:
    """Record that the two records are different persons. When they share birth name and
    first name, both are flagged homonymes so that screens show their distinguishing traits."""
    if not motif.strip():
        raise IdentiteError("Indiquez pourquoi il s'agit de deux personnes différentes.")
    with transaction.atomic():
        current = _lock_pending(suspicion)
        current.statut = SuspicionDoublon.Statut.DIFFERENTES
        current.traite_par = user
        current.traite_le = timezone.now()
        current.motif = motif.strip()
        current.save(update_fields=["statut", "traite_par", "traite_le", "motif"])
        pair = list(Usager.objects.filter(pk__in=[current.usager_id, current.candidat_id]))
        homonymes = len(pair) == 2 and same_names(*pair)
        for u in pair:
            audit.record(
                action=AuditAction.UPDATE,
                actor=user,
                request=request,
                obj=current,
                usager=u,
                details={
                    "suspicion": current.pk,
                    "statut": current.statut,
                    "homonymes": homonymes,
                },
            )
        if homonymes:
            for u in pair:
                if not u.homonyme:
                    identite_set_attributes(
                        user=user,
                        usager=u,
                        douteuse=u.identite_douteuse,
                        fictive=u.identite_fictive,
                        homonyme=True,
                        motif=HOMONYMES_MOTIF,
                        request=request,
                    )
    return current


def suspicion_merge(
    *,
    user: Any,
    suspicion: SuspicionDoublon,
    garde_id: int,
    motif: str,
    expected_versions: dict[int, int] | None = None,
    request: HttpRequest | None = None,
) -> Fusion:
    """Merge the pair into the chosen record (usagers_merge), if the pair is still pending
    and neither record changed since the confirmation was displayed."""
    pair_ids = {suspicion.usager_id, suspicion.candidat_id}
    if garde_id not in pair_ids:
        raise IdentiteError("Choisissez lequel des deux dossiers conserver.")
    if not motif.strip():
        raise IdentiteError("Indiquez le motif de la fusion.")
    with transaction.atomic():
        _lock_pending(suspicion)  # the row lock serializes concurrent decisions on the pair
        persons = {u.pk: u for u in Usager.objects.filter(pk__in=pair_ids)}
        if any(u.fusionne_dans_id for u in persons.values()):
            raise IdentiteError(
                "L'un des deux dossiers a déjà été fusionné entre-temps : rien n'a été modifié."
            )
        for pk, version in (expected_versions or {}).items():
            if pk in persons and persons[pk].version != version:
                raise IdentiteError(
                    "L'un des deux dossiers a été modifié entre-temps : relisez la paire "
                    "avant de fusionner ; rien n'a été modifié."
                )
        (doublon_id,) = pair_ids - {garde_id}
        return fusion_module.usagers_merge(
            user=user,
            garde=persons[garde_id],
            doublon=persons[doublon_id],
            motif=motif,
            request=request,
        )
