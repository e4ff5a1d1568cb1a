"""The GIR computation against the official tables and the ANS worked examples.

The reference folder (../shared/reference, beside the checkout) is read here only, never by
the code: the tables in aggir.py are a transcription that these tests check.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dui.accompagnement import aggir

REFERENCE = Path(__file__).resolve().parents[5] / "shared" / "reference"
TDDUI = REFERENCE / "official" / "tddui" / "fsh" / "instances"
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "aggir_tables.json").exists(), reason="dossier de référence absent"
)

ALL_PROFILES = list(itertools.product("ABC", repeat=8))


def _reference_gir(tables: dict, codes: tuple[str, ...]) -> tuple[int, int]:
    """An independent reading of aggir_tables.json: (rank, GIR)."""
    for groupe, seuils in tables["rang_thresholds"].items():
        weights = tables["groups"][groupe]
        somme = sum(weights[c][i] for i, c in enumerate(codes) if c != "A")
        for minimum, r in seuils:
            if somme >= minimum:
                return r, tables["rang_to_gir"][str(r)]
    raise AssertionError


def _adverbes(code: str) -> dict[str, bool]:
    return {
        "A": {"S": True, "T": True, "C": True, "H": True},
        "B": {"S": False, "T": True, "C": False, "H": False},
        "C": {"S": False, "T": False, "C": False, "H": False},
    }[code]


def _answers(codes: dict[str, str]) -> dict[str, dict[str, bool]]:
    """Answers where every sub-variable of a variable gets the variable's code."""
    return {i["code"]: _adverbes(codes.get(i["variable"], "A")) for i in aggir.items()}


# --- Adverbs → A/B/C ----------------------------------------------------------------------


def test_all_four_adverbs_done_codes_a():
    assert aggir.code_adverbes({"S": True, "T": True, "C": True, "H": True}) == "A"


def test_no_adverb_done_codes_c():
    assert aggir.code_adverbes({"S": False, "T": False, "C": False, "H": False}) == "C"


@pytest.mark.parametrize("done", [1, 2, 3])
def test_one_to_three_adverbs_not_done_codes_b(done):
    for combo in itertools.combinations("STCH", done):
        assert aggir.code_adverbes({a: a in combo for a in "STCH"}) == "B"


def test_a_missing_adverb_counts_as_not_done():
    assert aggir.code_adverbes({"S": True, "T": True, "C": True}) == "B"


# --- Sub-variables → variable ------------------------------------------------------------

COMBINATIONS = {
    "toilette": {
        "AA": "A",
        "CC": "C",
        "AB": "B",
        "BA": "B",
        "BB": "B",
        "AC": "B",
        "CA": "B",
        "BC": "B",
        "CB": "B",
    },
    "alimentation": {
        "AA": "A",
        "CC": "C",
        "BC": "C",
        "CB": "C",
        "AB": "B",
        "BA": "B",
        "BB": "B",
        "AC": "B",
        "CA": "B",
    },
    "elimination": {
        "AA": "A",
        "CC": "C",
        "BC": "C",
        "CB": "C",
        "AC": "C",
        "CA": "C",
        "AB": "B",
        "BA": "B",
        "BB": "B",
    },
    "coherence": {
        "AA": "A",
        "AB": "B",
        "BA": "B",
        "BB": "B",
        "CC": "C",
        "BC": "C",
        "CB": "C",
        "AC": "C",
        "CA": "C",
    },
    "orientation": {
        "AA": "A",
        "AB": "B",
        "BA": "B",
        "BB": "B",
        "CC": "C",
        "BC": "C",
        "CB": "C",
        "AC": "C",
        "CA": "C",
    },
}


@pytest.mark.parametrize(
    ("variable", "pair", "expected"),
    [(v, p, e) for v, table in COMBINATIONS.items() for p, e in table.items()],
)
def test_two_sub_variables_combine_as_the_guide_says(variable, pair, expected):
    assert aggir.combine(variable, pair) == expected


def test_habillage_is_a_only_when_all_three_are_a_and_c_only_when_all_three_are_c():
    for triple in itertools.product("ABC", repeat=3):
        expected = "A" if triple == ("A",) * 3 else "C" if triple == ("C",) * 3 else "B"
        assert aggir.combine("habillage", triple) == expected


# --- Weight tables, thresholds, ranks ----------------------------------------------------


@needs_reference
def test_every_profile_gives_the_reference_tables_rank_and_gir():
    tables = json.loads((REFERENCE / "aggir_tables.json").read_text(encoding="utf-8"))
    assert list(aggir.ORDRE_CALCUL) == tables["variables_order"]
    mismatches = []
    for codes in ALL_PROFILES:
        r = aggir.rang(codes)
        if (r.rang, r.gir) != _reference_gir(tables, codes):
            mismatches.append("".join(codes))
    assert mismatches == []


# (group, threshold, rank at the threshold, rank just below: None = next group), aggir.md §3.
BOUNDARIES = [
    ("A", 4380, 1, 2),
    ("A", 4140, 2, 3),
    ("A", 3390, 3, None),
    ("B", 2016, 4, None),
    ("C", 1700, 5, 6),
    ("C", 1432, 6, None),
    ("D", 2400, 7, None),
    ("E", 1200, 8, None),
    ("F", 800, 9, None),
    ("G", 650, 10, None),
    ("H", 4000, 11, 12),
    ("H", 2000, 12, 13),
]


@pytest.mark.parametrize(("groupe", "seuil", "at", "below"), BOUNDARIES)
def test_each_threshold_is_included_and_one_point_below_is_not(groupe, seuil, at, below):
    assert aggir.rang_du_total(groupe, seuil) == at
    assert aggir.rang_du_total(groupe, seuil - 1) == below


def test_group_h_always_gives_a_rank():
    assert aggir.rang_du_total("H", 0) == 13


def _reaches(groupe: str, codes: tuple[str, ...]) -> bool:
    groupes = list(aggir.SEUILS)
    return all(
        aggir.rang_du_total(g, aggir.total(g, codes)) is None
        for g in groupes[: groupes.index(groupe)]
    )


@pytest.mark.parametrize(("groupe", "seuil", "at", "below"), BOUNDARIES)
def test_profiles_on_either_side_of_each_threshold_get_their_rank(groupe, seuil, at, below):
    # Real profiles that reach the group: the lowest total at or above the threshold gets
    # its rank, the highest total under it gets the lower rank (or moves on).
    reaching = [c for c in ALL_PROFILES if _reaches(groupe, c)]
    above = min(
        (c for c in reaching if aggir.total(groupe, c) >= seuil),
        key=lambda c: aggir.total(groupe, c),
    )
    under = max(
        (c for c in reaching if aggir.total(groupe, c) < seuil),
        key=lambda c: aggir.total(groupe, c),
    )
    assert aggir.rang(above).rang == at and aggir.rang(above).groupe == groupe
    if below is None:
        assert aggir.rang(under).groupe != groupe
    else:
        assert (aggir.rang(under).groupe, aggir.rang(under).rang) == (groupe, below)


def test_rank_to_gir_is_the_official_table():
    assert [aggir.RANG_GIR[r] for r in range(1, 14)] == [1, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 6]


def test_outside_and_alert_weigh_nothing():
    base = {v: "B" for v in aggir.ORDRE_CALCUL}
    a = aggir.calcule(_answers({**base, "deplacement_exterieur": "A", "alerter": "A"}))
    c = aggir.calcule(_answers({**base, "deplacement_exterieur": "C", "alerter": "C"}))
    assert (a.gir, a.rang, a.total) == (c.gir, c.rang, c.total)


def test_illustrative_variables_are_coded_but_do_not_change_the_gir():
    r1 = aggir.calcule(_answers({"gestion": "C", "cuisine": "C"}))
    r2 = aggir.calcule(_answers({}))
    assert r1.codes["gestion"] == "C" and r2.codes["gestion"] == "A"
    assert r1.gir == r2.gir


def test_a_missing_discriminant_answer_is_refused():
    answers = _answers({})
    del answers["toilette.bas"]
    with pytest.raises(aggir.AggirIncomplet):
        aggir.calcule(answers)


@given(st.tuples(*[st.sampled_from("ABC")] * 8))
def test_gir_is_always_between_1_and_6(codes):
    assert 1 <= aggir.rang(codes).gir <= 6


@given(
    st.dictionaries(
        st.sampled_from([i["code"] for i in aggir.items()]),
        st.fixed_dictionaries({a: st.booleans() for a in "STCH"}),
    )
)
def test_any_answers_give_a_gir_between_1_and_6(partial):
    answers = {**_answers({}), **partial}
    assert 1 <= aggir.calcule(answers).gir <= 6


def test_fully_autonomous_person_is_gir_6():
    assert aggir.calcule(_answers({})).gir == 6


def test_fully_dependent_person_is_gir_1():
    result = aggir.calcule(_answers({v: "C" for v, _, _ in aggir.DISCRIMINANTES}))
    assert (result.gir, result.rang, result.groupe) == (1, 1, "A")


# --- ANS worked examples ----------------------------------------------------------------


def test_ans_cda_example_e1_profile_is_gir_2_rank_6_group_c():
    # E1 (CDA TDDUI example, aggir.md §6.1): codes A A C C B B C C, stated GIR-2.
    r = aggir.rang("AACCBBCC")
    assert (r.gir, r.rang, r.groupe, r.total) == (2, 6, "C", 1520)


def _stated_gir(path: Path) -> str:
    match = re.search(r'"GIR-(\d)"', path.read_text(encoding="utf-8"))
    assert match is not None
    return match.group(1)


def _fsh_answers(path: Path) -> dict[str, dict[str, bool]]:
    """linkId of each item → its four adverbs, read from an example QuestionnaireResponse."""
    text = path.read_text(encoding="utf-8")
    result: dict[str, dict[str, bool]] = {}
    current = None
    for line in text.splitlines():
        m = re.search(r'linkId = "([^"]+)"', line)
        if m:
            current = m.group(1)
            continue
        b = re.search(r"valueBoolean = (true|false)", line)
        if b and current:
            item, _, suffix = current.rpartition("-")
            adverbe = {"spont": "S", "tot": "T", "correct": "C", "habit": "H", "commentaire": "H"}[
                suffix
            ]
            result.setdefault(item, {})[adverbe] = b.group(1) == "true"
    return result


@needs_reference
def test_ans_fhir_ph_example_e2_gives_its_stated_gir_2():
    path = TDDUI / "TDDUIQuestionnaireResponseAGGIRPHExample.fsh"
    stated = _stated_gir(path)
    adverbs = _fsh_answers(path)
    # PH grid: one ICF item per variable (aggir.md §6.1, E2).
    prefix = {
        "coherence": "pensee",
        "orientation": "orientation",
        "toilette": "laver",
        "habillage": "habiller",
        "alimentation": "manger",
        "elimination": "toilette",
        "transferts": "position-corps",
        "deplacement_interieur": "deplacer-maison",
    }
    codes = [aggir.code_adverbes(adverbs[prefix[v]]) for v in aggir.ORDRE_CALCUL]
    assert aggir.rang(codes).gir == int(stated) == 2


@needs_reference
@pytest.mark.parametrize("motricite_fine", ["A", "C"])
def test_ans_fhir_pa_example_e3_gives_its_stated_gir_2(motricite_fine):
    from dui.accompagnement.tddui import PA_ITEMS

    path = TDDUI / "TDDUIQuestionnaireResponseAGGIRPAExample.fsh"
    stated = _stated_gir(path)
    adverbs = _fsh_answers(path)
    answers = _answers({})
    for link_id, (item, prefix) in PA_ITEMS.items():
        # The example spells position-corps "pos-corps" (tddui/INDEX.md, inconsistency 3).
        key = "pos-corps" if link_id == "position-corps" else prefix
        if item and key in adverbs:
            answers[item] = adverbs[key]
    # The example leaves motricité fine (habillage moyen) out: GIR 2 either way (§6.1, E3).
    answers["habillage.moyen"] = _adverbes(motricite_fine)
    assert aggir.calcule(answers).gir == int(stated) == 2
