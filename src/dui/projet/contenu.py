"""The content of a projet personnalisé, following the ANS TDDUI model (CarePlan "projet
personnalisé" and its Goal attente / Goal objectif / Goal projet de vie, ServiceRequest besoin,
Task action / prestation / moyen, Task bilan).

Stored as JSON (`ProjetPersonnalise.contenu`, frozen in `VersionProjet.contenu`) so that a
signed version is a self-contained snapshot and two versions compare field by field. The
person's own words are always kept in fields of their own (`*_personne`), apart from the
professionals' wording. No medical data here: diagnoses and treatments stay in the care file.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from typing import Any

# --- Choices -------------------------------------------------------------------------------

EXPRIME_PAR = [
    ("personne", "La personne"),
    ("representant", "Son représentant légal"),
    ("proche", "Un proche"),
]

DOMAINES_VIE = [
    ("sante_bien_etre", "Santé et bien-être"),
    ("autonomie", "Autonomie dans la vie quotidienne"),
    ("communication", "Communication"),
    ("relations", "Relations, vie sociale et affective"),
    ("loisirs", "Activités, loisirs et culture"),
    ("cadre_de_vie", "Logement et cadre de vie"),
    ("apprentissages", "Scolarité, formation, travail"),
    ("droits", "Droits, citoyenneté et ressources"),
    ("securite", "Sécurité"),
]

STATUTS_OBJECTIF = [  # TDDUI Goal lifecycle: ENPREPARATION, ACTIF, TERMINE, ANNULE
    ("en_preparation", "En préparation"),
    ("actif", "En cours"),
    ("termine", "Atteint / terminé"),
    ("annule", "Abandonné"),
]

NATURES_ACTION = [  # TDDUI Task action / prestation / moyen-ressource
    ("action", "Action"),
    ("prestation", "Prestation"),
    ("moyen", "Moyen / ressource"),
]

QUI_TYPES = [
    ("professionnel", "Un professionnel du service"),
    ("partenaire", "Un partenaire extérieur"),
    ("personne", "La personne elle-même"),
    ("proche", "Un proche"),
]

STATUTS_ACTION = [
    ("a_faire", "À faire"),
    ("en_cours", "En cours"),
    ("realisee", "Réalisée"),
    ("abandonnee", "Abandonnée"),
]


def _labels(choices: list[tuple[str, str]]) -> dict[str, str]:
    return dict(choices)


# --- Sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Champ:
    key: str
    label: str
    kind: str = "text"  # text | textarea | date | choice | bool
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    titre: str
    many: bool  # a list of items (attentes, objectifs…) or a single group of fields
    champs: tuple[Champ, ...]
    item: str = ""  # label of one item, for lists ("Attente", "Objectif"…)
    aide: str = ""


SECTIONS: tuple[Section, ...] = (
    Section(
        "recueil",
        "Recueil",
        False,
        (
            Champ(
                "paroles_personne",
                "Ce que dit la personne (ses propres mots)",
                "textarea",
                help="Notez ses mots tels qu'elle les dit, sans les reformuler.",
            ),
            Champ("projet_de_vie_personne", "Son projet de vie, selon elle", "textarea"),
            Champ("paroles_entourage", "Ce que disent ses proches", "textarea"),
            Champ(
                "observations_equipe",
                "Observations des professionnels",
                "textarea",
                help="Pas d'information médicale ici : elle relève du dossier de soins.",
            ),
        ),
        aide="Attentes, besoins et habitudes recueillis avec la personne et son entourage.",
    ),
    Section(
        "attentes",
        "Attentes",
        True,
        (
            Champ("formulation_personne", "Attente, dite par la personne", "textarea", True),
            Champ("exprimee_par", "Exprimée par", "choice", True, tuple(EXPRIME_PAR)),
            Champ("reformulation", "Reformulation par l'équipe", "textarea"),
        ),
        item="Attente",
    ),
    Section(
        "besoins",
        "Besoins identifiés",
        True,
        (
            Champ("libelle", "Besoin", "text", True),
            Champ(
                "code_serafin",
                "Code SERAFIN-PH (facultatif)",
                "text",
                help="Par exemple 1.1.1.1 ; laissez vide si la nomenclature ne s'applique pas.",
            ),
            Champ("commentaire", "Précisions", "textarea"),
        ),
        item="Besoin",
    ),
    Section(
        "objectifs",
        "Objectifs",
        True,
        (
            Champ("domaine", "Domaine de vie", "choice", True, tuple(DOMAINES_VIE)),
            Champ("formulation_personne", "L'objectif avec les mots de la personne", "textarea"),
            Champ("formulation_professionnelle", "Formulation professionnelle", "textarea", True),
            Champ(
                "indicateurs", "Indicateurs : comment saura-t-on qu'il est atteint ?", "textarea"
            ),
            Champ("echeance", "Date visée", "date"),
            Champ("statut", "Statut", "choice", True, tuple(STATUTS_OBJECTIF)),
        ),
        item="Objectif",
    ),
    Section(
        "actions",
        "Actions, prestations et moyens",
        True,
        (
            Champ("objectif", "Pour l'objectif n°", "text", help="Numéro de l'objectif (1, 2…)."),
            Champ("nature", "Nature", "choice", True, tuple(NATURES_ACTION)),
            Champ("libelle", "Quoi", "textarea", True),
            Champ("qui_type", "Qui", "choice", True, tuple(QUI_TYPES)),
            Champ("qui", "Nom ou fonction", "text"),
            Champ("quand", "Quand", "text", help="Par exemple : le mardi après-midi."),
            Champ("frequence", "Fréquence", "text", help="Par exemple : une fois par semaine."),
            Champ("statut", "Statut", "choice", True, tuple(STATUTS_ACTION)),
        ),
        item="Action",
    ),
    Section(
        "bilan",
        "Bilan",
        False,
        (
            Champ("date_bilan", "Date du bilan", "date"),
            Champ("bilan_personne", "Ce qu'en dit la personne", "textarea"),
            Champ("bilan_equipe", "Bilan de l'équipe", "textarea"),
        ),
        aide="Le bilan de chaque revue du projet : ce qui a été fait, ce qui reste à faire.",
    ),
)
SECTIONS_BY_KEY = {s.key: s for s in SECTIONS}

# Participants are chosen among the person's proches and professionals (see services).
PARTICIPANTS_LABEL = "Participants"


class ContenuError(Exception):
    """Invalid content, with the French message shown to the person."""


def serafin_codes() -> set[str] | None:
    """The SERAFIN-PH needs codes if the nomenclature module is there (None otherwise)."""
    try:
        module = importlib.import_module("dui.accompagnement.serafin")
    except ImportError:
        return None
    besoins = getattr(module, "BESOINS", None)
    if besoins is None:
        return None
    codes: set[str] = set()

    def walk(nodes: Any) -> None:
        for node in nodes or ():
            if isinstance(node, dict):
                code, children = node.get("code"), node.get("children") or node.get("enfants")
            else:
                code = node[0]
                children = node[2] if len(node) > 2 else ()
            codes.add(str(code))
            walk(children)

    walk(besoins)
    return codes


def _clean_value(champ: Champ, raw: Any, where: str) -> Any:
    if champ.kind == "bool":
        return bool(raw)
    if raw is None:
        raw = ""
    if isinstance(raw, datetime.date):
        raw = raw.isoformat()
    value = str(raw).strip()
    if champ.kind == "choice" and value and value not in dict(champ.choices):
        raise ContenuError(f"{where} : valeur inconnue pour « {champ.label} ».")
    if champ.kind == "date" and value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ContenuError(f"{where} : date invalide pour « {champ.label} ».") from None
    if champ.required and not value:
        raise ContenuError(f"{where} : « {champ.label} » est obligatoire.")
    return value


def clean_section(key: str, data: Any) -> Any:
    """The section's content normalized, or ContenuError with a French message."""
    section = SECTIONS_BY_KEY.get(key)
    if section is None:
        raise ContenuError("Section du projet inconnue.")
    if not section.many:
        data = data or {}
        return {c.key: _clean_value(c, data.get(c.key), section.titre) for c in section.champs}
    items = []
    for i, item in enumerate(data or [], start=1):
        where = f"{section.item} {i}"
        items.append({c.key: _clean_value(c, item.get(c.key), where) for c in section.champs})
    if key == "besoins":
        known = serafin_codes()
        for i, item in enumerate(items, start=1):
            if item["code_serafin"] and known is not None and item["code_serafin"] not in known:
                raise ContenuError(
                    f"Besoin {i} : le code SERAFIN-PH « {item['code_serafin']} » "
                    "n'existe pas dans la nomenclature."
                )
    return items


def empty_section(key: str) -> Any:
    section = SECTIONS_BY_KEY[key]
    return [] if section.many else {c.key: "" for c in section.champs}


def section_of(contenu: dict[str, Any], key: str) -> Any:
    value = (contenu or {}).get(key)
    return empty_section(key) if value is None else value


# --- Readable values, flattening and differences -------------------------------------------


def display(champ: Champ, value: Any) -> str:
    if champ.kind == "bool":
        return "Oui" if value else "Non"
    if value in (None, ""):
        return ""
    if champ.kind == "choice":
        return dict(champ.choices).get(value, str(value))
    if champ.kind == "date":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)


def flatten_section(key: str, data: Any) -> list[tuple[str, str]]:
    """(label, readable value) of every filled field of the section, in order."""
    section = SECTIONS_BY_KEY[key]
    rows: list[tuple[str, str]] = []
    if section.many:
        for i, item in enumerate(data or [], start=1):
            for c in section.champs:
                rows.append((f"{section.item} {i} — {c.label}", display(c, item.get(c.key))))
    else:
        for c in section.champs:
            rows.append((f"{section.titre} — {c.label}", display(c, (data or {}).get(c.key))))
    return rows


def habitudes_snapshot(usager: Any) -> list[dict[str, Any]]:
    """The person's habits of life (accompagnement), filled domains only, in domain order:
    part of the recueil, frozen with each signed version."""
    from dui.accompagnement.habitudes import habitudes_by_domain

    return [
        {
            "domaine": d["libelle"],
            "description": h.description,
            "preferences": h.preferences,
            "a_eviter": h.a_eviter,
            "dit_par_la_personne": h.dit_par_la_personne,
        }
        for d in habitudes_by_domain(usager)
        if (h := d["habitude"]) is not None
    ]


def habitude_text(h: dict[str, Any]) -> str:
    parts = [h.get("description", "")]
    if h.get("preferences"):
        parts.append(f"préférences : {h['preferences']}")
    if h.get("a_eviter"):
        parts.append(f"à éviter : {h['a_eviter']}")
    if h.get("dit_par_la_personne"):
        parts.append("(dit par la personne)")
    return " ; ".join(p for p in parts if p)


def flatten(contenu: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for section in SECTIONS:
        rows += flatten_section(section.key, section_of(contenu, section.key))
    for h in (contenu or {}).get("habitudes") or []:
        rows.append((f"Habitudes de vie — {h.get('domaine', '')}", habitude_text(h)))
    participants = (contenu or {}).get("participants") or []
    rows.append((PARTICIPANTS_LABEL, ", ".join(p.get("libelle", "") for p in participants)))
    return rows


@dataclass(frozen=True)
class Difference:
    label: str
    avant: str
    apres: str

    @property
    def nature(self) -> str:
        if not self.avant:
            return "ajouté"
        if not self.apres:
            return "retiré"
        return "modifié"


def compare_rows(avant: list[tuple[str, str]], apres: list[tuple[str, str]]) -> list[Difference]:
    """The fields whose readable value differs, in the order of `apres` then removed ones."""
    before = dict(avant)
    after = dict(apres)
    diffs = [Difference(label, before.get(label, ""), v) for label, v in apres]
    diffs += [Difference(label, v, "") for label, v in avant if label not in after]
    return [d for d in diffs if d.avant != d.apres]


def compare(avant: dict[str, Any], apres: dict[str, Any]) -> list[Difference]:
    return compare_rows(flatten(avant), flatten(apres))


def view_sections(contenu: dict[str, Any]) -> list[dict[str, Any]]:
    """The content laid out for templates: per section, items of (label, value) rows."""
    out = []
    for section in SECTIONS:
        data = section_of(contenu, section.key)
        items = data if section.many else ([data] if any(data.values()) else [])
        out.append(
            {
                "section": section,
                "items": [
                    [(c.label, display(c, item.get(c.key))) for c in section.champs]
                    for item in items
                ],
            }
        )
    return out
