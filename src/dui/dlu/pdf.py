"""DLU and fiche de transfert as PDF (WeasyPrint through `dui.ui.pdf`: no network).

The DLU prints what an emergency physician needs in the first minute first: allergies,
current treatments, pathologies, advance directives / palliative care, infectious risk, and
the state of the person (what is abnormal); then who to call; then the rest in two compact
columns. A heavy record stays within two A4 pages (tests/test_pdf.py checks it).

The functions do not journal: the views journal each print (AuditAction.PRINT).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from dui.dlu import schema
from dui.dlu.forms import texte
from dui.dlu.models import DLU
from dui.ui import pdf as ui_pdf

PRINT_CSS = "dlu/css/dlu-print.css"

# Sections printed in the "first minute" block, in this order.
PREMIERES = (
    "allergies",
    "traitements",
    "pathologies",
    "directives_anticipees",
    "risques_infectieux",
)
# Yes/no observations printed as "present" badges (what is abnormal) in the state block.
ETAT = ("communication", "mobilite", "nutrition", "peau", "dispositifs")
CONTACTS = (
    "personne_confiance",
    "representant_legal",
    "a_prevenir",
    "medecin_traitant",
    "etablissement_sante",
)
IGNOREES = {"identite", "etablissement", "annexes", *PREMIERES, *ETAT, *CONTACTS}


def _document(template: str, context: dict[str, Any]) -> Any:
    """The laid-out WeasyPrint document (its `.pages` are the printed pages)."""
    html = render_to_string(template, context)
    return ui_pdf.render(html, stylesheets=(PRINT_CSS,))


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    return ui_pdf.render_pdf(render_to_string(template, context), stylesheets=(PRINT_CSS,))


# Free texts of the secondary sections are cut in print beyond this length (the screen and
# the exported document keep them whole): the DLU must stay readable in a minute.
LIMITE_TEXTE = 350


def _court(value: str, limite: int | None) -> str:
    if limite is None or len(value) <= limite:
        return value
    return value[:limite].rsplit(" ", 1)[0] + " […] (suite dans le DLU en ligne)"


# About how many characters of the print font fit across a table in a half-page column and
# across the page (A4, 10 mm margins, 7.5 pt, cell padding deducted).
CARACTERES_COLONNE = 55
CARACTERES_PAGE = 115


def _par_cinq(value: float) -> int:
    return max(5, math.ceil(value / 5) * 5)


def largeurs(
    colonnes: list[str], rows: list[list[str]], caracteres: int = CARACTERES_COLONNE
) -> list[int]:
    """Column widths in percent (multiples of 5 summing to 100) from what the columns hold,
    for a table about `caracteres` characters wide: each column at least as wide as its
    longest word, the rest shared by the length of the contents. The print lays tables out
    with fixed widths, since WeasyPrint's automatic table layout measures every cell twice
    (a fifth of the DLU's time, bench/dlu_bench.py)."""
    textes = [[label, *(row[i] for row in rows)] for i, label in enumerate(colonnes)]
    minimums = [
        _par_cinq(100 * (max(len(m) for t in col for m in t.split() or [""]) + 1) / caracteres)
        for col in textes
    ]
    poids = [min(40, max(4, *(len(t) for t in col))) for col in textes]
    parts = [
        max(m, _par_cinq(100 * p / sum(poids) - 2.5)) for m, p in zip(minimums, poids, strict=True)
    ]
    while sum(parts) > 100:  # take from the widest column that can give, else the widest
        givers = [i for i, (w, m) in enumerate(zip(parts, minimums, strict=True)) if w - 5 >= m]
        widest = max(givers or range(len(parts)), key=lambda i: parts[i])
        if parts[widest] <= 5:
            break
        parts[widest] -= 5
    parts[parts.index(max(parts))] += 100 - sum(parts)
    return parts


def _section(
    donnees: dict[str, Any],
    code: str,
    limite: int | None = None,
    caracteres: int = CARACTERES_COLONNE,
) -> dict[str, Any]:
    section = schema.SECTIONS_PAR_CODE[code]
    values = donnees.get(code) or {}
    champs: list[dict[str, Any]] = []
    for champ in section.champs:
        value = values.get(champ.code)
        if value in ("", None, []):
            continue
        if champ.type == schema.LISTE:
            colonnes = [c.libelle for c in champ.colonnes]
            rows = [[texte(c, r.get(c.code, "")) for c in champ.colonnes] for r in value]
            champs.append(
                {
                    "label": champ.libelle,
                    "colonnes": colonnes,
                    "largeurs": largeurs(colonnes, rows, caracteres),
                    "rows": rows,
                }
            )
        else:
            champs.append(
                {
                    "label": champ.libelle,
                    "value": _court(texte(champ, value), limite),
                    "oui_non": champ.type == schema.OUI_NON,
                    "raw": value,
                }
            )
    # Rough height in lines: short sections are kept whole in print (no heading left
    # alone at the bottom of a column), long ones may flow.
    lignes = sum(len(c["rows"]) + 1 if "rows" in c else 1 + len(c["value"]) // 70 for c in champs)
    return {"code": code, "titre": section.titre, "champs": champs, "court": lignes <= 20}


def _presents(donnees: dict[str, Any]) -> list[dict[str, Any]]:
    """Per state section: the yes/no items answered "oui", and the other filled fields."""
    result = []
    for code in ETAT:
        s = _section(donnees, code, LIMITE_TEXTE)
        oui = [c["label"] for c in s["champs"] if c.get("oui_non") and c["raw"] == schema.OUI]
        autres = [c for c in s["champs"] if not c.get("oui_non")]
        if oui or autres:
            result.append({"titre": s["titre"], "oui": oui, "autres": autres})
    return result


def contexte(dlu_or_donnees: DLU | dict[str, Any], variante: str | None = None) -> dict[str, Any]:
    """What the print templates show of one DLU content."""
    if isinstance(dlu_or_donnees, DLU):
        donnees, variante = dlu_or_donnees.donnees, dlu_or_donnees.variante
    else:
        donnees = dlu_or_donnees
    variante = variante or "ehpad"
    codes = [s.code for s in schema.sections_for(variante)]
    allergies = donnees.get("allergies") or {}
    annexes = _section(donnees, "annexes")
    return {
        "identite": _section(donnees, "identite"),
        "id": donnees.get("identite") or {},
        "etab": donnees.get("etablissement") or {},
        "aucune_allergie": allergies.get("aucune_connue") == schema.OUI
        and not allergies.get("liste"),
        "allergies_inconnues": not allergies.get("liste")
        and allergies.get("aucune_connue") != schema.OUI,
        "premieres": [
            _section(donnees, c, caracteres=CARACTERES_PAGE) for c in PREMIERES if c != "allergies"
        ],
        "allergies": _section(donnees, "allergies"),
        "etat": _presents(donnees),
        "contacts": [s for c in CONTACTS if (s := _section(donnees, c))["champs"]],
        "autres": [
            s
            for c in codes
            if c not in IGNOREES and (s := _section(donnees, c, LIMITE_TEXTE))["champs"]
        ],
        "annexes": [c["label"] for c in annexes["champs"] if c["raw"] == schema.OUI],
    }


def dlu_pdf(dlu: DLU) -> bytes:
    """The 1–2 page DLU of one version (a draft prints marked "non validé")."""
    return _pdf("dlu/dlu_print.html", _dlu_context(dlu))


def render_dlu(dlu: DLU) -> Any:
    """The DLU laid out (WeasyPrint document), e.g. to count its pages."""
    return _document("dlu/dlu_print.html", _dlu_context(dlu))


def _dlu_context(dlu: DLU) -> dict[str, Any]:
    return {
        "dlu": dlu,
        "d": contexte(dlu),
        "printed_at": timezone.localtime(),
        "variante": dlu.variante,
    }


def fiche_transfert_pdf(
    usager: Any, user: Any, *, motif: str = "", now: datetime.datetime | None = None
) -> bytes:
    """The fiche de liaison d'urgence for a transfer to the emergency department (PDF)."""
    return _pdf("dlu/transfert_print.html", _transfert_context(usager, user, motif, now))


def render_fiche_transfert(
    usager: Any, user: Any, *, motif: str = "", now: datetime.datetime | None = None
) -> Any:
    """The fiche de transfert laid out (WeasyPrint document)."""
    return _document("dlu/transfert_print.html", _transfert_context(usager, user, motif, now))


def _transfert_context(
    usager: Any, user: Any, motif: str, now: datetime.datetime | None
) -> dict[str, Any]:
    """What the fiche de transfert prints.

    Page 1: transfer (date/time, reason, who to call, latest measures read now from the
    record, allergies, boxes to fill by hand); then the current validated DLU. Without a
    validated DLU, the DLU part is built from the record and marked as such: in an
    emergency something is better than nothing.
    """
    from dui.dlu import queries, services
    from dui.soins.constantes import format_valeur
    from dui.soins.models import Mesure

    now = now or timezone.localtime()
    dlu = queries.dlu_courant(usager)
    if dlu is not None:
        donnees, variante = dlu.donnees, dlu.variante
    else:
        sejour = services.sejour_dlu(usager, now.date())
        variante = services.variante_for(sejour.etablissement if sejour else None)
        donnees, _ = services.prefill(
            user, usager, variante=variante, sejour=sejour, today=now.date()
        )
    dernieres: dict[str, Mesure] = {}
    for m in Mesure.objects.filter(usager=usager, corrigee_le__isnull=True).order_by("-mesure_le"):
        dernieres.setdefault(m.type, m)
    constantes = [
        {
            "libelle": m.get_type_display(),
            "valeur": format_valeur(m.type, m.valeur, m.valeur2),
            "date": timezone.localtime(m.mesure_le),
        }
        for m in sorted(dernieres.values(), key=lambda m: m.get_type_display())
    ]
    return {
        "dlu": dlu,
        "d": contexte(donnees, variante),
        "variante": variante,
        "motif": motif,
        "constantes": constantes,
        "now": now,
        "printed_at": now,
        "auteur": user,
    }
