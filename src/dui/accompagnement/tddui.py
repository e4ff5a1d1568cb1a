"""Export of a signed AGGIR evaluation as the answers to the ANS TDDUI Questionnaire
"Évaluation AGGIR PA SSIAD" (tddui-questionnaire-aggir-pa-ssiad), as a FHIR-like
QuestionnaireResponse dict.

The TDDUI grid uses 15 ICF items, each answered with the four adverbs and a qualifier
qf0/qf2/qf4. The mapping of our AGGIR (sub-)variables to those items is inferred from the
ANS examples (they state no mapping): qf0 = A, qf2 = B, qf4 = C.
"""

from __future__ import annotations

from typing import Any

from dui.accompagnement import aggir

QUESTIONNAIRE_PA = (
    "https://interop.esante.gouv.fr/ig/fhir/tddui/Questionnaire/tddui-questionnaire-aggir-pa-ssiad"
)
CISIS = "https://smt.esante.gouv.fr/terminologie-cisis"
ICF = "http://hl7.org/fhir/sid/icf-nl"

# linkId → (our item code, prefix of the adverb sub-items' linkIds).
# Cohérence and orientation have one TDDUI item each: their two sub-variables are merged.
PA_ITEMS: dict[str, tuple[str, str]] = {
    "fonction-pensee": ("coherence", "pensee"),
    "fonction-orientation": ("orientation", "orientation"),
    "se-laver": ("toilette.haut", "laver"),
    "prendre-soin": ("toilette.bas", "prendre-soin"),
    "mettre-vetement": ("habillage.haut", "mettre-vetement"),
    "motricite-fine": ("habillage.moyen", "motricite-fine"),
    "mettre-chaussure": ("habillage.bas", "mettre-chaussure"),
    "manger": ("alimentation.manger", "manger"),
    "passage-aliment": ("alimentation.se_servir", "passage-aliment"),
    "assurer-regulation-miction": ("elimination.urinaire", "miction"),
    "assurer-regulation-defecation": ("elimination.fecale", "defecation"),
    "position-corps": ("transferts", "position-corps"),
    "deplacer-maison": ("deplacement_interieur", "deplacer-maison"),
    "deplacer-dehors": ("deplacement_exterieur", "deplacer-dehors"),
    "appareil-communication": ("alerter", "appareil"),
}
PA_TEXTS: dict[str, tuple[str, str]] = {
    "fonction-pensee": ("b160", "Fonctions de la pensée"),
    "fonction-orientation": ("b114", "Fonctions d'orientation"),
    "se-laver": ("d5100", "Se laver des parties du corps"),
    "prendre-soin": ("d520", "Prendre soin des parties de son corps"),
    "mettre-vetement": ("d5400", "Mettre des vêtements"),
    "motricite-fine": ("d440", "Activités de motricité fine"),
    "mettre-chaussure": ("d5402", "Mettre des chaussures"),
    "manger": ("d550", "Manger"),
    "passage-aliment": ("b5105", "Passage des aliments par l'estomac et les intestins"),
    "assurer-regulation-miction": ("d5300", "Assurer la régulation de la miction"),
    "assurer-regulation-defecation": ("d5301", "Assurer la régulation de la défécation"),
    "position-corps": ("d410", "Changer la position corporelle de base"),
    "deplacer-maison": ("d4600", "Se déplacer dans la maison"),
    "deplacer-dehors": ("d4602", "Se déplacer en dehors de la maison et d'autres bâtiments"),
    "appareil-communication": (
        "d3608",
        "Utiliser d'autres appareils et techniques de communication précisés",
    ),
}
ADVERB_SUFFIX = {"S": "spont", "T": "tot", "C": "correct", "H": "habit"}
QUALIFIER = {
    "A": ("qf0", "aucun facilitateur"),
    "B": ("qf2", "facilitateur modéré"),
    "C": ("qf4", "facilitateur absolu"),
}
GIR_CODES = {g: f"MED-{338 + g}" for g in range(1, 7)}  # GIR-1 = MED-339 … GIR-6 = MED-344


def _adverbs_and_code(
    item: str, reponses: dict[str, dict[str, Any]], codes: dict[str, str]
) -> tuple[dict[str, bool], str]:
    """The four adverbs and the A/B/C code of one TDDUI item."""
    if item in reponses:
        adverbs = {a: reponses[item].get(a) is True for a in aggir.ADVERBE_CODES}
        return adverbs, aggir.code_adverbes(adverbs)
    # A variable with sub-variables (cohérence, orientation): an adverb holds when it holds
    # for every sub-variable; the qualifier is the variable's combined code.
    subs = [v for k, v in reponses.items() if k.startswith(item + ".")]
    adverbs = {a: bool(subs) and all(s.get(a) is True for s in subs) for a in aggir.ADVERBE_CODES}
    return adverbs, codes[item]


def questionnaire_response_pa(
    *,
    identifier: str,
    reponses: dict[str, dict[str, Any]],
    resultat: dict[str, Any],
    authored: str,
    subject_reference: str,
) -> dict[str, Any]:
    """The TDDUI AGGIR PA QuestionnaireResponse for one signed evaluation."""
    codes = resultat["codes"]
    children = []
    for link_id, (item, prefix) in PA_ITEMS.items():
        adverbs, code = _adverbs_and_code(item, reponses, codes)
        qf, qf_label = QUALIFIER[code]
        children.append(
            {
                "linkId": link_id,
                "text": PA_TEXTS[link_id][1],
                "answer": [
                    {
                        "valueCoding": {"system": ICF, "code": qf, "display": qf_label},
                        "item": [
                            {
                                "linkId": f"{prefix}-{ADVERB_SUFFIX[a]}",
                                "text": label,
                                "answer": [{"valueBoolean": adverbs[a]}],
                            }
                            for a, label in aggir.ADVERBES
                        ],
                    }
                ],
            }
        )
    gir = int(resultat["gir"])
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"value": identifier},
        "questionnaire": QUESTIONNAIRE_PA,
        "status": "completed",
        "subject": {"reference": subject_reference},
        "authored": authored,
        "item": [
            {
                "linkId": "resultat-eval",
                "text": "Résultat évaluation",
                "answer": [
                    {
                        "valueCoding": {
                            "system": CISIS,
                            "code": GIR_CODES[gir],
                            "display": f"GIR-{gir}",
                        },
                        "item": children,
                    }
                ],
            }
        ],
    }
