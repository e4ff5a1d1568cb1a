"""SERAFIN-PH nomenclature of needs, as the ANS TDDUI "Évaluation SERAFIN" Questionnaire
(terminologie-SERAFINPH, questionnaire code MED-1291) structures it, and the evaluation of
a person's needs through the grid engine.

`BESOINS` is the tree of (code, libellé, children); `LINK_IDS` gives each node's TDDUI
linkId (the Questionnaire's own identifiers, kept even where they read oddly: 1.3.3.2 is
"besoin-activite-domestique"). Only the leaves are evaluated: each is present or not, with
a local intensity (the TDDUI answers leaves with an integer whose scale it does not define)
and a comment. The groups' presence is derived: a group holds when one of its needs does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

SYSTEM = "https://smt.esante.gouv.fr/terminologie-SERAFINPH"
QUESTIONNAIRE = (
    "https://interop.esante.gouv.fr/ig/fhir/tddui/Questionnaire/tddui-questionnaire-serafin"
)
COMMENT_EXTENSION = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-comment"
COMMENT_LINK_ID = "commentaire-serafin"


class Besoin(NamedTuple):
    code: str
    libelle: str
    enfants: tuple[Besoin, ...] = ()


def _b(code: str, libelle: str, *enfants: Besoin) -> Besoin:
    return Besoin(code, libelle, tuple(enfants))


BESOINS: tuple[Besoin, ...] = (
    _b(
        "1",
        "Besoins",
        _b(
            "1.1",
            "Besoins en matière de santé somatique ou psychique",
            _b(
                "1.1.1",
                "Besoins en matière de fonctions mentales, psychiques, cognitives et du "
                "système nerveux",
            ),
            _b("1.1.2", "Besoins en matière de fonctions sensorielles"),
            _b("1.1.3", "Besoins en matière de douleur"),
            _b("1.1.4", "Besoins relatifs à la voix, à la parole et à l'appareil bucco-dentaire"),
            _b(
                "1.1.5",
                "Besoins en matière de fonctions cardio-vasculaire, hématopoïétique, "
                "immunitaire et respiratoire",
            ),
            _b("1.1.6", "Besoins en matière de fonctions digestive, métabolique et endocrinienne"),
            _b("1.1.7", "Besoins en matière de fonctions génito-urinaire et reproductive"),
            _b("1.1.8", "Besoins en matière de fonctions locomotrices"),
            _b("1.1.9", "Besoins relatifs à la peau et aux structures associées"),
            _b("1.1.10", "Besoins pour entretenir et prendre soin de sa santé"),
        ),
        _b(
            "1.2",
            "Besoins en matière d'autonomie",
            _b(
                "1.2.1",
                "Besoins en matière d'autonomie",
                _b("1.2.1.1", "Besoins en lien avec l'entretien personnel"),
                _b("1.2.1.2", "Besoins en lien avec les relations et les interactions avec autrui"),
                _b("1.2.1.3", "Besoins pour la mobilité"),
                _b("1.2.1.4", "Besoins pour prendre des décisions adaptées et pour la sécurité"),
            ),
        ),
        _b(
            "1.3",
            "Besoins pour la participation sociale",
            _b(
                "1.3.1",
                "Besoins pour accéder aux droits et à la citoyenneté",
                _b("1.3.1.1", "Besoins pour accéder aux droits et à la citoyenneté"),
            ),
            _b(
                "1.3.2",
                "Besoins pour vivre dans un logement et accomplir les activités domestiques",
                _b("1.3.2.1", "Besoins pour vivre dans un logement"),
                _b("1.3.2.2", "Besoins pour accomplir les activités domestiques"),
            ),
            _b(
                "1.3.3",
                "Besoins pour l'insertion sociale et professionnelle et pour exercer ses rôles "
                "sociaux",
                _b("1.3.3.1", "Besoins en lien avec la vie scolaire et étudiante"),
                _b("1.3.3.2", "Besoins en lien avec le travail et l'emploi"),
                _b("1.3.3.3", "Besoins transversaux en matière d'apprentissages"),
                _b(
                    "1.3.3.4",
                    "Besoins pour la vie familiale, la parentalité, la vie affective et sexuelle",
                ),
                _b("1.3.3.5", "Besoins pour apprendre à être pair-aidant"),
            ),
            _b(
                "1.3.4",
                "Besoins pour participer à la vie sociale et se déplacer avec un moyen de "
                "transport",
                _b("1.3.4.1", "Besoins pour participer à la vie sociale"),
                _b("1.3.4.2", "Besoins pour se déplacer avec un moyen de transport"),
            ),
            _b(
                "1.3.5",
                "Besoins en matière de ressources et d'autosuffisance économique",
                _b("1.3.5.1", "Besoins en matière de ressources et d'autosuffisance économique"),
            ),
        ),
    ),
)

# TDDUI Questionnaire linkId of every node.
LINK_IDS: dict[str, str] = {
    "1": "besoins",
    "1.1": "besoin-sante-som-psy",
    "1.1.1": "besoin-fonc-ment",
    "1.1.2": "besoin-fonc-sensorielle",
    "1.1.3": "besoin-douleur",
    "1.1.4": "besoin-voix",
    "1.1.5": "besoin-cardio-vasc",
    "1.1.6": "besoin-dig",
    "1.1.7": "besoin-genito-uri",
    "1.1.8": "besoin-loco-mot",
    "1.1.9": "besoin-peau",
    "1.1.10": "besoin-entretien",
    "1.2": "besoin-autonomie",
    "1.2.1": "besoin-autonomie-2",
    "1.2.1.1": "besoin-entretien-personnel",
    "1.2.1.2": "besoin-relations",
    "1.2.1.3": "besoin-mobilite",
    "1.2.1.4": "besoin-decision",
    "1.3": "besoin-participation-sociale",
    "1.3.1": "besoin-droit-citoyen",
    "1.3.1.1": "besoin-droit-citoyen-2",
    "1.3.2": "besoin-logement",
    "1.3.2.1": "besoin-vivre-logement",
    "1.3.2.2": "besoin-activite-dom",
    "1.3.3": "besoin-insertion-sociale",
    "1.3.3.1": "besoin-vie-scolaire",
    "1.3.3.2": "besoin-activite-domestique",
    "1.3.3.3": "besoin-apprentissage",
    "1.3.3.4": "besoin-famille",
    "1.3.3.5": "besoin-pair-aidant",
    "1.3.4": "besoin-vie-sociale-moyen-transport",
    "1.3.4.1": "besoin-vie-sociale",
    "1.3.4.2": "besoin-moyen-transport",
    "1.3.5": "besoin-economie",
    "1.3.5.1": "besoin-economie-2",
}

# Local intensity of a present need (not a TDDUI scale: the TDDUI leaves it undefined).
INTENSITES: tuple[tuple[int, str], ...] = (
    (1, "Ponctuel ou léger"),
    (2, "Modéré"),
    (3, "Important"),
)
INTENSITE_CODES = tuple(code for code, _ in INTENSITES)


def parcours(
    noeuds: tuple[Besoin, ...] = BESOINS, parent: Besoin | None = None
) -> Iterator[tuple[Besoin, Besoin | None]]:
    """Every node of the tree with its parent, depth first, in the nomenclature's order."""
    for noeud in noeuds:
        yield noeud, parent
        yield from parcours(noeud.enfants, noeud)


def feuilles() -> list[tuple[Besoin, Besoin]]:
    """The needs that are evaluated (leaves), each with its parent."""
    return [(n, p) for n, p in parcours() if not n.enfants and p is not None]


LIBELLES: dict[str, str] = {n.code: n.libelle for n, _ in parcours()}


def domaine(code: str) -> str:
    """The level-2 domain of a node (1.1 santé, 1.2 autonomie, 1.3 participation sociale)."""
    return ".".join(code.split(".")[:2])


def items() -> list[dict[str, Any]]:
    """The grid's items: one per evaluated need, grouped by parent (variable) and domain."""
    return [
        {
            "code": besoin.code,
            "libelle": besoin.libelle,
            "variable": parent.code,
            "variable_libelle": parent.libelle,
            "section": domaine(besoin.code),
        }
        for besoin, parent in feuilles()
    ]


def presents(reponses: Mapping[str, Any]) -> set[str]:
    """Codes of the needs answered present, and of every group above one of them."""
    codes: set[str] = set()
    for code, valeur in reponses.items():
        if isinstance(valeur, Mapping) and valeur.get("present") is True:
            parts = code.split(".")
            codes.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return codes


def calcule(reponses: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The evaluation's result: the needs present, counted per domain."""
    leaves = [b.code for b, _ in feuilles()]
    present = [c for c in leaves if c in presents(reponses)]
    par_domaine = {
        n.code: sum(1 for c in present if domaine(c) == n.code) for n in BESOINS[0].enfants
    }
    prioritaires = [
        c for c in present if (reponses.get(c) or {}).get("intensite") == INTENSITE_CODES[-1]
    ]
    total = len(present)
    libelle = f"{total} besoin{'s' if total > 1 else ''} identifié{'s' if total > 1 else ''}"
    return (
        {
            "score": total,
            "besoins": present,
            "par_domaine": par_domaine,
            "importants": prioritaires,
        },
        libelle,
    )


def questionnaire_response(
    *,
    identifier: str,
    reponses: Mapping[str, Any],
    commentaire: str,
    authored: str,
    subject_reference: str,
) -> dict[str, Any]:
    """The TDDUI SERAFIN QuestionnaireResponse of a signed evaluation.

    Every node is answered on the Questionnaire's documented scale 0 = no, 1 = yes (a group
    holds when one of its needs does); the evaluation's comment goes in the comment item and
    the TDDUI comment extension. Intensities and per-need comments stay in the DUI.
    """
    present = presents(reponses)

    def node(besoin: Besoin) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "linkId": LINK_IDS[besoin.code],
            "text": besoin.libelle,
            "answer": [{"valueInteger": 1 if besoin.code in present else 0}],
        }
        if besoin.enfants:
            entry["item"] = [node(child) for child in besoin.enfants]
        return entry

    items_qr: list[dict[str, Any]] = []
    if commentaire:
        items_qr.append(
            {
                "linkId": COMMENT_LINK_ID,
                "text": "Commentaire",
                "answer": [{"valueString": commentaire}],
            }
        )
    items_qr.extend(node(b) for b in BESOINS)
    document: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"value": identifier},
        "questionnaire": QUESTIONNAIRE,
        "status": "completed",
        "subject": {"reference": subject_reference},
        "authored": authored,
        "item": items_qr,
    }
    if commentaire:
        document["extension"] = [{"url": COMMENT_EXTENSION, "valueString": commentaire}]
    return document
