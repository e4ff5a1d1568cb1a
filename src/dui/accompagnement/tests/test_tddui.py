"""The TDDUI AGGIR PA QuestionnaireResponse export against the official definition and
example (../shared/reference/official/tddui, read by the tests only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dui.accompagnement import aggir, tddui
from dui.accompagnement.tests.factories import aggir_answers

INSTANCES = (
    Path(__file__).resolve().parents[5]
    / "shared"
    / "reference"
    / "official"
    / "tddui"
    / "fsh"
    / "instances"
)
DEFINITION = INSTANCES / "TDDUIQuestionnaireAGGIRPADefinition.fsh"
EXAMPLE = INSTANCES / "TDDUIQuestionnaireResponseAGGIRPAExample.fsh"
pytestmark = pytest.mark.skipif(not DEFINITION.exists(), reason="dossier de référence absent")

# Documented differences of the ANS example from its own Questionnaire (INDEX.md, item 3).
EXAMPLE_SPELLING = {"laver-commentaire": "laver-habit", "pos-corps": "position-corps"}


def _export(**codes: str) -> dict:
    answers = aggir_answers(**codes)
    result = aggir.calcule(answers)
    return tddui.questionnaire_response_pa(
        identifier="EVAL-1",
        reponses=answers,
        resultat=result.as_json(),
        authored="2026-01-02",
        subject_reference="Patient/1",
    )


def _link_ids(items: list[dict]) -> list[str]:
    found = []
    for item in items:
        found.append(item["linkId"])
        for answer in item.get("answer", []):
            found.extend(_link_ids(answer.get("item", [])))
        found.extend(_link_ids(item.get("item", [])))
    return found


def _fsh_link_ids(path: Path) -> list[str]:
    return re.findall(r'linkId = "([^"]+)"', path.read_text(encoding="utf-8"))


def test_export_uses_exactly_the_link_ids_of_the_tddui_questionnaire():
    exported = _link_ids(_export()["item"])
    assert sorted(exported) == sorted(_fsh_link_ids(DEFINITION))
    assert len(exported) == len(set(exported))


def test_export_has_every_link_id_of_the_ans_example():
    example = {
        EXAMPLE_SPELLING.get(i, re.sub(r"^pos-corps-", "position-corps-", i))
        for i in _fsh_link_ids(EXAMPLE)
    }
    assert example <= set(_link_ids(_export()["item"]))


def test_export_nests_the_items_under_the_result_like_the_example():
    document = _export()
    root = document["item"][0]
    assert root["linkId"] == "resultat-eval"
    children = [i["linkId"] for i in root["answer"][0]["item"]]
    assert children[:2] == ["fonction-pensee", "fonction-orientation"]
    assert document["questionnaire"].endswith("/Questionnaire/tddui-questionnaire-aggir-pa-ssiad")


def test_export_codes_the_gir_with_the_terminology_of_the_questionnaire():
    text = DEFINITION.read_text(encoding="utf-8")
    coding = _export(
        toilette="C",
        habillage="C",
        transferts="C",
        deplacement_interieur="C",
        alimentation="B",
        elimination="B",
    )["item"][0]["answer"][0]["valueCoding"]
    assert (coding["code"], coding["display"]) == ("MED-340", "GIR-2")
    assert f'#{coding["code"]} "{coding["display"]}"' in text


def test_export_gives_each_item_its_qualifier_and_four_adverbs():
    children = _export(transferts="C", alimentation="B")["item"][0]["answer"][0]["item"]
    by_id = {i["linkId"]: i["answer"][0] for i in children}
    assert by_id["position-corps"]["valueCoding"]["code"] == "qf4"
    assert by_id["manger"]["valueCoding"]["code"] == "qf2"
    assert by_id["fonction-pensee"]["valueCoding"]["code"] == "qf0"
    assert [a["answer"][0]["valueBoolean"] for a in by_id["position-corps"]["item"]] == [False] * 4


def test_coherence_adverbs_hold_only_when_they_hold_for_both_sub_variables():
    answers = aggir_answers()
    answers["coherence.comportement"] = {"S": False, "T": True, "C": True, "H": True}
    result = aggir.calcule(answers)
    document = tddui.questionnaire_response_pa(
        identifier="EVAL-1",
        reponses=answers,
        resultat=result.as_json(),
        authored="2026-01-02",
        subject_reference="Patient/1",
    )
    pensee = document["item"][0]["answer"][0]["item"][0]["answer"][0]
    assert [a["answer"][0]["valueBoolean"] for a in pensee["item"]] == [False, True, True, True]
    assert pensee["valueCoding"]["code"] == "qf2"
