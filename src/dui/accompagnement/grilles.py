"""Grids defined by an administrator, without code: questions with an answer scale of points,
the result is the sum with labelled bands.

Lifecycle: a draft is edited freely (stale saves refused); publishing checks the whole
definition and freezes it; changing a published grid starts the next version as a draft,
and publishing that version replaces the previous one. Evaluations keep pointing at the
version they were made with. Views check "etablissement.admin" on the grid's établissement.

Definitions are written as text an administrator can type on any device:

    Questions (a line per question, then a line per answer starting with "-"):
        Appétit
        - Bon = 0
        - Diminué = 1
    Tranches (a line per band): 0-1 = Pas d'inquiétude
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.accompagnement.models import Grille, GrilleItem, StatutGrille, TypeGrille
from dui.audit.models import AuditAction

# Data categories an administrator's grid may belong to (who reads and writes its
# evaluations); medical data stays with the built-in medical records.
CATEGORIES = (("soins", "Soins"), ("educatif", "Éducatif"), ("social", "Social"))
MAX_QUESTIONS = 60
MAX_REPONSES = 12
MAX_POINTS = 1000

_ANSWER = re.compile(r"^-\s*(?P<libelle>.+?)\s*=\s*(?P<points>-?\d+)\s*$")
_BAND = re.compile(r"^(?P<min>-?\d+)\s*(?:-|à)\s*(?P<max>-?\d+)\s*[=:]\s*(?P<libelle>.+?)\s*$")


class GrilleError(Exception):
    """A refused grid definition or change, with the French message shown."""


class GrilleConflict(GrilleError):
    def __init__(self) -> None:
        super().__init__(
            "Cette grille a été modifiée par quelqu'un d'autre entre-temps. "
            "Rechargez la page ; rien n'a été enregistré."
        )


@dataclass(frozen=True)
class Definition:
    questions: list[dict[str, Any]]  # {"libelle", "options": [{"code","libelle","points"}]}
    bandes: list[dict[str, Any]]  # {"min", "max", "libelle"}


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Questions and their answers from the administrator's text; GrilleError if malformed."""
    questions: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("-"):
            match = _ANSWER.match(line)
            if match is None:
                raise GrilleError(
                    f"Questions, ligne {number} : une réponse s'écrit « - libellé = points » "
                    "(points : un nombre entier)."
                )
            if not questions:
                raise GrilleError(
                    f"Questions, ligne {number} : cette réponse ne suit aucune question."
                )
            points = int(match["points"])
            if not 0 <= points <= MAX_POINTS:
                raise GrilleError(
                    f"Questions, ligne {number} : les points vont de 0 à {MAX_POINTS}."
                )
            options = questions[-1]["options"]
            if any(o["libelle"].lower() == match["libelle"].lower() for o in options):
                raise GrilleError(
                    f"Questions, ligne {number} : la réponse « {match['libelle']} » "
                    "est déjà donnée pour cette question."
                )
            options.append(
                {"code": str(len(options) + 1), "libelle": match["libelle"], "points": points}
            )
        else:
            if len(line) > 200:
                raise GrilleError(f"Questions, ligne {number} : 200 caractères au plus.")
            questions.append({"libelle": line, "options": []})
    return questions


def parse_bandes(text: str) -> list[dict[str, Any]]:
    bandes: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _BAND.match(line)
        if match is None:
            raise GrilleError(
                f"Tranches, ligne {number} : une tranche s'écrit « minimum-maximum = libellé »,"
                " par exemple « 0-4 = Risque faible »."
            )
        low, high = int(match["min"]), int(match["max"])
        if low > high:
            raise GrilleError(f"Tranches, ligne {number} : le minimum dépasse le maximum.")
        if len(match["libelle"]) > 50:
            raise GrilleError(f"Tranches, ligne {number} : libellé de 50 caractères au plus.")
        bandes.append({"min": low, "max": high, "libelle": match["libelle"]})
    return sorted(bandes, key=lambda b: b["min"])


def check_complete(questions: list[dict[str, Any]], bandes: list[dict[str, Any]]) -> None:
    """What publishing needs: questions with at least two answers, bands covering every
    possible total once."""
    if not questions:
        raise GrilleError("La grille n'a aucune question.")
    if len(questions) > MAX_QUESTIONS:
        raise GrilleError(f"La grille a trop de questions ({MAX_QUESTIONS} au plus).")
    seen: set[str] = set()
    for question in questions:
        if len(question["options"]) < 2:
            raise GrilleError(
                f"La question « {question['libelle']} » doit avoir au moins deux réponses."
            )
        if len(question["options"]) > MAX_REPONSES:
            raise GrilleError(
                f"La question « {question['libelle']} » a trop de réponses "
                f"({MAX_REPONSES} au plus)."
            )
        if question["libelle"].lower() in seen:
            raise GrilleError(f"La question « {question['libelle']} » est en double.")
        seen.add(question["libelle"].lower())
    low = sum(min(o["points"] for o in q["options"]) for q in questions)
    high = sum(max(o["points"] for o in q["options"]) for q in questions)
    if not bandes:
        raise GrilleError(f"Donnez les tranches de résultat, de {low} à {high}.")
    expected = low
    for b in bandes:
        if b["min"] > expected:
            raise GrilleError(f"Aucune tranche ne couvre le total {expected}.")
        if b["min"] < expected:
            raise GrilleError(
                f"La tranche « {b['libelle']} » chevauche une autre tranche "
                f"ou commence avant le total minimum ({low})."
            )
        expected = b["max"] + 1
    if expected - 1 != high:
        raise GrilleError(
            f"Les tranches doivent s'arrêter au total maximum possible ({high}), "
            f"elles vont jusqu'à {expected - 1}."
        )


def questions_text(grille: Grille) -> str:
    """The grid's questions written back in the administrator's format."""
    lines: list[str] = []
    for item in grille.items.all():
        lines.append(item.libelle)
        lines.extend(f"- {o['libelle']} = {o['points']}" for o in item.echelle["options"])
    return "\n".join(lines)


def bandes_text(grille: Grille) -> str:
    return "\n".join(f"{b['min']}-{b['max']} = {b['libelle']}" for b in grille.bandes)


def _check_header(libelle: str, categorie: str) -> str:
    libelle = (libelle or "").strip()
    if not libelle:
        raise GrilleError("Donnez un titre à la grille.")
    if len(libelle) > 200:
        raise GrilleError("Le titre fait 200 caractères au plus.")
    if categorie not in dict(CATEGORIES):
        raise GrilleError("Catégorie de données inconnue.")
    return libelle


def _write_items(grille: Grille, questions: list[dict[str, Any]]) -> None:
    grille.items.all().delete()
    GrilleItem.objects.bulk_create(
        GrilleItem(
            grille=grille,
            code=f"q{index}",
            libelle=q["libelle"],
            variable=f"q{index}",
            variable_libelle=q["libelle"],
            ordre=index,
            echelle={"type": "choix", "options": q["options"]},
        )
        for index, q in enumerate(questions, start=1)
    )


def _audit(actor: Any, request: HttpRequest | None, grille: Grille, what: str) -> None:
    audit.record(
        action=AuditAction.ADMIN,
        actor=actor,
        request=request,
        obj=grille,
        etablissement_id=grille.etablissement_id,
        details={"grille": what, "famille": grille.famille, "numero": grille.numero},
    )


def grille_create(
    *,
    actor: Any,
    etablissement: Any,
    libelle: str,
    categorie: str,
    description: str = "",
    questions: str = "",
    bandes: str = "",
    request: HttpRequest | None = None,
) -> Grille:
    """A new grid of the établissement, as a draft (its text must parse)."""
    libelle = _check_header(libelle, categorie)
    parsed_q, parsed_b = parse_questions(questions), parse_bandes(bandes)
    famille = f"adm-{uuid.uuid4().hex[:12]}"
    with transaction.atomic():
        grille = Grille.objects.create(
            code=f"{famille}-v1",
            famille=famille,
            numero=1,
            version="1",
            libelle=libelle,
            description=description.strip(),
            type=TypeGrille.ADMINISTRATEUR,
            categorie=categorie,
            calcul="somme",
            statut=StatutGrille.BROUILLON,
            bandes=parsed_b,
            etablissement=etablissement,
            cree_par=actor,
        )
        _write_items(grille, parsed_q)
        _audit(actor, request, grille, "creee")
    return grille


def _locked(grille: Grille, expected_revision: int | None) -> Grille:
    current = Grille.objects.select_for_update().get(pk=grille.pk)
    if expected_revision is not None and current.revision != expected_revision:
        raise GrilleConflict()
    return current


def grille_update_draft(
    *,
    actor: Any,
    grille: Grille,
    expected_revision: int,
    libelle: str,
    categorie: str,
    description: str = "",
    questions: str = "",
    bandes: str = "",
    request: HttpRequest | None = None,
) -> Grille:
    """Change a draft's definition; a published grid is frozen (make a new version)."""
    libelle = _check_header(libelle, categorie)
    parsed_q, parsed_b = parse_questions(questions), parse_bandes(bandes)
    with transaction.atomic():
        current = _locked(grille, expected_revision)
        if current.statut != StatutGrille.BROUILLON:
            raise GrilleError(
                "Une grille publiée ne se modifie plus : créez-en une nouvelle version."
            )
        current.libelle, current.categorie = libelle, categorie
        current.description = description.strip()
        current.bandes = parsed_b
        current.revision += 1
        current.save(update_fields=["libelle", "categorie", "description", "bandes", "revision"])
        _write_items(current, parsed_q)
        _audit(actor, request, current, "modifiee")
    return current


def grille_publish(
    *,
    actor: Any,
    grille: Grille,
    expected_revision: int | None = None,
    request: HttpRequest | None = None,
) -> Grille:
    """Publish a complete draft (frozen from now on); it replaces the published version."""
    with transaction.atomic():
        current = _locked(grille, expected_revision)
        if current.statut != StatutGrille.BROUILLON:
            raise GrilleError("Seul un brouillon se publie.")
        questions = [
            {"libelle": i.libelle, "options": i.echelle["options"]} for i in current.items.all()
        ]
        check_complete(questions, current.bandes)
        Grille.objects.filter(famille=current.famille, statut=StatutGrille.PUBLIEE).update(
            statut=StatutGrille.REMPLACEE
        )
        current.statut = StatutGrille.PUBLIEE
        current.publiee_le = timezone.now()
        current.publiee_par = actor
        current.revision += 1
        current.save(update_fields=["statut", "publiee_le", "publiee_par", "revision"])
        _audit(actor, request, current, "publiee")
    return current


def grille_new_version(*, actor: Any, grille: Grille, request: HttpRequest | None = None) -> Grille:
    """The next version of a published (or retired) grid, as a draft copy of it."""
    with transaction.atomic():
        current = _locked(grille, None)
        # A retired grid may come back through a new version (its evaluations stay put).
        if current.statut not in (StatutGrille.PUBLIEE, StatutGrille.RETIREE):
            raise GrilleError(
                "Seule la dernière version publiée ou retirée d'une grille peut servir de modèle."
            )
        later = Grille.objects.filter(famille=current.famille, numero__gt=current.numero)
        if later.exclude(statut=StatutGrille.BROUILLON).exists():
            raise GrilleError(
                "Seule la dernière version publiée ou retirée d'une grille peut servir de modèle."
            )
        if Grille.objects.filter(famille=current.famille, statut=StatutGrille.BROUILLON).exists():
            raise GrilleError("Une nouvelle version de cette grille est déjà en préparation.")
        numero = (
            Grille.objects.filter(famille=current.famille).order_by("-numero").first().numero  # type: ignore[union-attr]
            + 1
        )
        draft = Grille.objects.create(
            code=f"{current.famille}-v{numero}",
            famille=current.famille,
            numero=numero,
            version=str(numero),
            libelle=current.libelle,
            description=current.description,
            type=TypeGrille.ADMINISTRATEUR,
            categorie=current.categorie,
            calcul="somme",
            statut=StatutGrille.BROUILLON,
            bandes=current.bandes,
            etablissement_id=current.etablissement_id,
            cree_par=actor,
        )
        _write_items(
            draft,
            [{"libelle": i.libelle, "options": i.echelle["options"]} for i in current.items.all()],
        )
        _audit(actor, request, draft, "nouvelle_version")
    return draft


def grille_retire(*, actor: Any, grille: Grille, request: HttpRequest | None = None) -> Grille:
    """Stop offering a published grid (its evaluations stay readable)."""
    with transaction.atomic():
        current = _locked(grille, None)
        if current.statut != StatutGrille.PUBLIEE:
            raise GrilleError("Seule une grille publiée peut être retirée.")
        current.statut = StatutGrille.RETIREE
        current.revision += 1
        current.save(update_fields=["statut", "revision"])
        _audit(actor, request, current, "retiree")
    return current


def grille_delete_draft(*, actor: Any, grille: Grille, request: HttpRequest | None = None) -> None:
    """Drop a draft that was never published (nothing points at it)."""
    with transaction.atomic():
        current = _locked(grille, None)
        if current.statut != StatutGrille.BROUILLON or current.evaluations.exists():
            raise GrilleError("Seul un brouillon jamais utilisé peut être supprimé.")
        _audit(actor, request, current, "supprimee")
        current.delete()


def grille_save_and_publish(
    *,
    actor: Any,
    grille: Grille,
    expected_revision: int,
    request: HttpRequest | None = None,
    **definition: Any,
) -> Grille:
    """Save a draft's definition and publish it, all or nothing."""
    with transaction.atomic():
        saved = grille_update_draft(
            actor=actor,
            grille=grille,
            expected_revision=expected_revision,
            request=request,
            **definition,
        )
        return grille_publish(actor=actor, grille=saved, request=request)


def grilles_administered(etablissement_ids: list[int]) -> list[Grille]:
    """Every version of the grids of these établissements, by title then newest first."""
    return list(
        Grille.objects.filter(etablissement_id__in=etablissement_ids)
        .select_related("etablissement")
        .order_by("libelle", "famille", "-numero")
    )
