"""The DLU edit form, generated from `schema.SECTIONS`: build the widgets, parse the POST.

Names: `<section>-<champ>` for a single field, `<section>-<champ>-<row>-<column>` for a row
of a list; a list row left entirely blank is dropped (blank rows let the user add lines).
Parsing never raises: it returns the cleaned content and French errors keyed by input name;
with errors, nothing is saved.
"""

from __future__ import annotations

import datetime
from typing import Any

from dui.dlu import schema

LIGNES_VIDES = 2

# Error key (not an input name) when a POST tries to set record-owned fields.
ERREUR_DOSSIER = "_dossier"
MESSAGE_DOSSIER = (
    "Les allergies et les traitements en cours viennent du dossier de soins et des "
    "prescriptions : ils ne se modifient pas dans le DLU. Rien n'a été enregistré. "
    "Modifiez-les dans le dossier de la personne, puis « Reprendre les données du dossier »."
)


def _parse_date(raw: str) -> str | None:
    """ISO "AAAA-MM-JJ" from an <input type=date> or "JJ/MM/AAAA"; None when invalid."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _clean(champ: schema.Champ, raw: str, name: str, errors: dict[str, str]) -> str:
    value = raw.strip()
    limit = schema.MAX_TEXTE_LONG if champ.type == schema.TEXTE_LONG else schema.MAX_TEXTE
    if len(value) > limit:
        errors[name] = f"{champ.libelle} : {limit} caractères au plus."
        return value[:limit]
    if not value:
        return ""
    if champ.type == schema.DATE:
        iso = _parse_date(value)
        if iso is None:
            errors[name] = f"{champ.libelle} : date invalide (JJ/MM/AAAA)."
            return value
        return iso
    if champ.type == schema.OUI_NON:
        if value not in (schema.OUI, schema.NON):
            errors[name] = f"{champ.libelle} : répondez oui ou non."
        return value
    if champ.type == schema.CHOIX and value not in {c for c, _ in champ.choix}:
        errors[name] = f"{champ.libelle} : choix inconnu."
    return value


def parse(post: Any, variante: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned content of every section of the variant, and errors by input name."""
    donnees: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for section in schema.sections_for(variante):
        values: dict[str, Any] = {}
        for champ in section.champs:
            name = f"{section.code}-{champ.code}"
            if champ.dossier:
                # Read-only in the DLU: never taken from the form; an attempt is refused.
                if any(
                    (k == name or k.startswith(name + "-")) and str(post.get(k, "")).strip()
                    for k in post
                ):
                    errors[ERREUR_DOSSIER] = MESSAGE_DOSSIER
                continue
            if champ.type != schema.LISTE:
                values[champ.code] = _clean(champ, post.get(name, ""), name, errors)
                continue
            rows = []
            for i in range(schema.MAX_LIGNES + LIGNES_VIDES):
                prefix = f"{name}-{i}-"
                if not any(k.startswith(prefix) for k in post):
                    continue
                row = {
                    col.code: _clean(
                        col, post.get(prefix + col.code, ""), prefix + col.code, errors
                    )
                    for col in champ.colonnes
                }
                if any(row.values()):
                    rows.append(row)
            if len(rows) > schema.MAX_LIGNES:
                errors[name] = f"{champ.libelle} : {schema.MAX_LIGNES} lignes au plus."
            values[champ.code] = rows
        donnees[section.code] = values
    return donnees, errors


def _widget(champ: schema.Champ, name: str, value: Any, error: str | None) -> dict[str, Any]:
    if champ.type == schema.OUI_NON:
        choices: tuple[tuple[str, str], ...] = schema.OUI_NON_CHOICES
    else:
        choices = champ.choix
    return {
        "name": name,
        "id": f"id_{name}",
        "label": champ.libelle,
        "aide": champ.aide,
        "type": champ.type,
        "value": value if value is not None else "",
        "choices": choices,
        "error": error,
    }


def build(donnees: dict[str, Any], variante: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """Sections with their widgets for the template (values from `donnees`)."""
    sources = donnees.get("_source", {})
    result = []
    for section in schema.sections_for(variante):
        values = donnees.get(section.code) or {}
        champs = []
        for champ in section.champs:
            name = f"{section.code}-{champ.code}"
            if champ.dossier:
                champs.append(_lecture(champ, values.get(champ.code)))
                continue
            if champ.type != schema.LISTE:
                champs.append(_widget(champ, name, values.get(champ.code), errors.get(name)))
                continue
            rows = list(values.get(champ.code) or []) + [{}] * LIGNES_VIDES
            champs.append(
                {
                    "name": name,
                    "label": champ.libelle,
                    "type": schema.LISTE,
                    "error": errors.get(name),
                    "colonnes": [c.libelle for c in champ.colonnes],
                    "rows": [
                        [
                            _widget(
                                col,
                                f"{name}-{i}-{col.code}",
                                row.get(col.code),
                                errors.get(f"{name}-{i}-{col.code}"),
                            )
                            for col in champ.colonnes
                        ]
                        for i, row in enumerate(rows)
                    ],
                }
            )
        result.append(
            {
                "code": section.code,
                "titre": section.titre,
                "aide": section.aide,
                "source": sources.get(section.code, ""),
                "champs": champs,
                "edition_url": section.edition_url,
                "edition_libelle": section.edition_libelle,
                "a_reporter": _a_reporter(donnees, section),
            }
        )
    return result


def _lecture(champ: schema.Champ, value: Any) -> dict[str, Any]:
    """A record-owned field shown, not edited."""
    if champ.type != schema.LISTE:
        return {"type": "lecture", "label": champ.libelle, "value": texte(champ, value)}
    return {
        "type": "lecture_liste",
        "label": champ.libelle,
        "colonnes": [c.libelle for c in champ.colonnes],
        "rows": [
            [{"label": c.libelle, "value": texte(c, row.get(c.code, ""))} for c in champ.colonnes]
            for row in value or []
        ],
    }


def _a_reporter(donnees: dict[str, Any], section: schema.Section) -> dict[str, Any] | None:
    """Rows typed in an earlier draft that the record does not hold (see schema.A_REPORTER)."""
    rows = (donnees.get(schema.A_REPORTER) or {}).get(section.code) or []
    liste = next((c for c in section.champs_dossier if c.type == schema.LISTE), None)
    if not rows or liste is None:
        return None
    return _lecture(liste, rows)


def affichage(donnees: dict[str, Any], variante: str) -> list[dict[str, Any]]:
    """Sections of a saved DLU as readable label/value pairs (empty fields left out),
    priority sections first."""
    result = []
    for section in schema.sections_for(variante):
        values = donnees.get(section.code) or {}
        items = []
        for champ in section.champs:
            value = values.get(champ.code)
            if value in ("", None, []):
                continue
            if champ.type == schema.LISTE:
                items.append(
                    {
                        "label": champ.libelle,
                        "liste": True,
                        "colonnes": [c.libelle for c in champ.colonnes],
                        "rows": [
                            [
                                {"label": c.libelle, "value": texte(c, row.get(c.code, ""))}
                                for c in champ.colonnes
                            ]
                            for row in value
                        ],
                    }
                )
            else:
                items.append({"label": champ.libelle, "value": texte(champ, value)})
        result.append(
            {
                "code": section.code,
                "titre": section.titre,
                "items": items,
                # Only list fields filled: no empty <dl> box above the tables.
                "faits": any(not i.get("liste") for i in items),
                "prioritaire": section.prioritaire,
                "a_reporter": _a_reporter(donnees, section),
            }
        )
    # What an emergency reader needs first comes first, as on the printed DLU.
    return sorted(result, key=lambda s: not s["prioritaire"])


def texte(champ: schema.Champ, value: Any) -> str:
    """A field's value as printed: dates in French, choices by label."""
    if value in ("", None):
        return ""
    if champ.type == schema.DATE:
        try:
            return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if champ.type == schema.OUI_NON:
        return {"oui": "Oui", "non": "Non"}.get(str(value), str(value))
    if champ.type == schema.CHOIX:
        return dict(champ.choix).get(str(value), str(value))
    return str(value)
