"""Built-in grids defined as data: each is items with a points scale, the result is the sum
with labelled bands ("somme"), the same computation as administrator-defined grids.

Braden: pressure-ulcer risk, 6 items (1–4 points, friction 1–3), total 6–23; the LOWER the
total, the higher the risk (bands: ≤ 9 très élevé, 10–12 élevé, 13–14 modéré, 15–18 faible,
≥ 19 pas de risque). Morse: fall risk, 6 items, total 0–125 (0–24 faible, 25–44 modéré,
≥ 45 élevé). SERAFIN-PH needs are in serafin.py (their own result).
"""

from __future__ import annotations

from typing import Any

from dui.accompagnement import serafin

# FINESS categories of disability établissements and services (structures.models).
CATEGORIES_HANDICAP = [
    "183",  # IME
    "186",  # ITEP
    "192",  # IEM
    "182",  # SESSAD
    "190",  # CAMSP
    "255",  # MAS
    "437",  # FAM
    "246",  # ESAT
    "382",  # Foyer de vie
    "445",  # SAMSAH
    "446",  # SAVS
]


def _item(code: str, libelle: str, *options: tuple[str, int]) -> dict[str, Any]:
    return {
        "code": code,
        "libelle": libelle,
        "options": [
            {"code": str(index), "libelle": label, "points": points}
            for index, (label, points) in enumerate(options, start=1)
        ],
    }


BRADEN: dict[str, Any] = {
    "code": "braden",
    "libelle": "Échelle de Braden (risque d'escarre)",
    "version": "1987",
    "categorie": "soins",
    "calcul": "somme",
    "items": [
        _item(
            "perception",
            "Perception sensorielle",
            ("Complètement limitée", 1),
            ("Très limitée", 2),
            ("Légèrement limitée", 3),
            ("Aucune atteinte", 4),
        ),
        _item(
            "humidite",
            "Humidité",
            ("Constamment humide", 1),
            ("Très humide", 2),
            ("Occasionnellement humide", 3),
            ("Rarement humide", 4),
        ),
        _item(
            "activite",
            "Activité",
            ("Alité", 1),
            ("Au fauteuil", 2),
            ("Marche occasionnellement", 3),
            ("Marche fréquemment", 4),
        ),
        _item(
            "mobilite",
            "Mobilité",
            ("Complètement immobile", 1),
            ("Très limitée", 2),
            ("Légèrement limitée", 3),
            ("Aucune limitation", 4),
        ),
        _item(
            "nutrition",
            "Nutrition",
            ("Très pauvre", 1),
            ("Probablement inadéquate", 2),
            ("Adéquate", 3),
            ("Excellente", 4),
        ),
        _item(
            "friction",
            "Friction et cisaillement",
            ("Problème", 1),
            ("Problème potentiel", 2),
            ("Pas de problème apparent", 3),
        ),
    ],
    "bandes": [
        {"min": 6, "max": 9, "libelle": "Risque très élevé"},
        {"min": 10, "max": 12, "libelle": "Risque élevé"},
        {"min": 13, "max": 14, "libelle": "Risque modéré"},
        {"min": 15, "max": 18, "libelle": "Risque faible"},
        {"min": 19, "max": 23, "libelle": "Pas de risque"},
    ],
    "categories_finess": [],
}

MORSE: dict[str, Any] = {
    "code": "morse",
    "libelle": "Échelle de Morse (risque de chute)",
    "version": "1989",
    "categorie": "soins",
    "calcul": "somme",
    "items": [
        _item("antecedent", "Antécédent de chute (3 derniers mois)", ("Non", 0), ("Oui", 25)),
        _item("diagnostic", "Diagnostic secondaire", ("Non", 0), ("Oui", 15)),
        _item(
            "aide_marche",
            "Aide à la marche",
            ("Aucune, alitement ou aide d'un soignant", 0),
            ("Béquilles, canne ou déambulateur", 15),
            ("S'appuie sur le mobilier", 30),
        ),
        _item("perfusion", "Perfusion ou cathéter veineux", ("Non", 0), ("Oui", 20)),
        _item(
            "demarche",
            "Démarche",
            ("Normale, alitement ou fauteuil roulant", 0),
            ("Faible", 10),
            ("Altérée", 20),
        ),
        _item(
            "etat_mental",
            "État mental",
            ("Conscient de ses capacités", 0),
            ("Surestime ou oublie ses limites", 15),
        ),
    ],
    "bandes": [
        {"min": 0, "max": 24, "libelle": "Risque faible"},
        {"min": 25, "max": 44, "libelle": "Risque modéré"},
        {"min": 45, "max": 125, "libelle": "Risque élevé"},
    ],
    "categories_finess": [],
}

SERAFIN: dict[str, Any] = {
    "code": "serafin",
    "libelle": "Besoins SERAFIN-PH",
    "version": "TDDUI 2",
    # Needs are assessed by the educational and care team together: the éducatif category
    # is read by every profile of a disability service's team (soignants included).
    "categorie": "educatif",
    "calcul": "serafin",
    "items": [],
    "bandes": [],
    "categories_finess": CATEGORIES_HANDICAP,
}

GRILLES: tuple[dict[str, Any], ...] = (BRADEN, MORSE, SERAFIN)


def grid_items(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """GrilleItem field values of a data grid, in order (without the grid and the order)."""
    if definition["calcul"] == "serafin":
        return [
            {**item, "echelle": {"type": "besoin", "intensites": serafin.INTENSITE_CODES}}
            for item in serafin.items()
        ]
    return [
        {
            "code": item["code"],
            "libelle": item["libelle"],
            "variable": item["code"],
            "variable_libelle": item["libelle"],
            "section": "",
            "echelle": {"type": "choix", "options": item["options"]},
        }
        for item in definition["items"]
    ]


def bornes(items: list[dict[str, Any]]) -> tuple[int, int]:
    """Lowest and highest possible totals of a points grid (items as grid_items gives)."""
    low = sum(min(o["points"] for o in i["echelle"]["options"]) for i in items)
    high = sum(max(o["points"] for o in i["echelle"]["options"]) for i in items)
    return low, high


def install(grille_model: Any, item_model: Any) -> None:
    """Create or refresh the data grids (idempotent; also run by a data migration)."""
    for definition in GRILLES:
        grille, _ = grille_model.objects.update_or_create(
            code=definition["code"],
            defaults={
                "libelle": definition["libelle"],
                "version": definition["version"],
                "type": "integree",
                "categorie": definition["categorie"],
                "calcul": definition["calcul"],
                "actif": True,
                "famille": definition["code"],
                "numero": 1,
                "statut": "publiee",
                "bandes": definition["bandes"],
                "categories_finess": definition["categories_finess"],
            },
        )
        for ordre, item in enumerate(grid_items(definition), start=1):
            item_model.objects.update_or_create(
                grille=grille, code=item["code"], defaults={**item, "ordre": ordre}
            )
