"""Built-in data grids: Braden and Morse totals at their band boundaries, the SERAFIN-PH
tree and its evaluation, through the evaluation services and the person's tab."""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.accompagnement import grilles_data, serafin, services
from dui.accompagnement.models import Grille
from dui.accompagnement.tests.factories_grilles import evaluate
from dui.audit.models import AuditAction, Entree

pytestmark = pytest.mark.django_db

TDDUI = Path("/work/shared/reference/official/tddui/fsh/instances")


def _answers_for_total(grille: Grille, total: int) -> dict[str, str]:
    """Answers whose points add up to `total`, found by trying every combination of the
    grid's real scales (a few thousand at most), not from a stored result."""
    items = list(grille.items.all())
    for combination in itertools.product(*(i.echelle["options"] for i in items)):
        if sum(o["points"] for o in combination) == total:
            return {i.code: o["code"] for i, o in zip(items, combination, strict=True)}
    raise AssertionError(f"total {total} not reachable")


BRADEN_CASES = [
    (6, "Risque très élevé"),
    (9, "Risque très élevé"),
    (10, "Risque élevé"),
    (12, "Risque élevé"),
    (13, "Risque modéré"),
    (14, "Risque modéré"),
    (15, "Risque faible"),
    (18, "Risque faible"),
    (19, "Pas de risque"),
    (23, "Pas de risque"),
]


@pytest.mark.parametrize(("total", "bande"), BRADEN_CASES)
def test_braden_total_falls_in_its_risk_band(usager, referent, total, bande):
    grille = Grille.objects.get(code="braden")
    evaluation = evaluate(usager, referent, grille, _answers_for_total(grille, total))
    assert evaluation.resultat["score"] == total
    assert evaluation.resultat_libelle == f"{total} — {bande}"


MORSE_CASES = [
    (0, "Risque faible"),
    (20, "Risque faible"),
    (25, "Risque modéré"),
    (40, "Risque modéré"),
    (45, "Risque élevé"),
    (125, "Risque élevé"),
]


@pytest.mark.parametrize(("total", "bande"), MORSE_CASES)
def test_morse_total_falls_in_its_risk_band(usager, referent, total, bande):
    grille = Grille.objects.get(code="morse")
    evaluation = evaluate(usager, referent, grille, _answers_for_total(grille, total))
    assert (evaluation.resultat["score"], evaluation.resultat["bande"]) == (total, bande)


@pytest.mark.parametrize("definition", [grilles_data.BRADEN, grilles_data.MORSE])
def test_data_grid_bands_cover_every_possible_total_once(definition):
    items = grilles_data.grid_items(definition)
    low, high = grilles_data.bornes(items)
    covered = [t for b in definition["bandes"] for t in range(b["min"], b["max"] + 1)]
    assert sorted(covered) == list(range(low, high + 1))


def test_braden_totals_range_from_6_to_23():
    assert grilles_data.bornes(grilles_data.grid_items(grilles_data.BRADEN)) == (6, 23)


def test_signing_an_incomplete_points_grid_is_refused(usager, referent):
    grille = Grille.objects.get(code="braden")
    evaluation = services.evaluation_create(
        actor=referent,
        usager=usager,
        grille=grille,
        date=timezone.localdate(),
        answers={"perception": "1"},
    )
    with pytest.raises(services.EvaluationError, match="« Humidité » n'a pas de réponse"):
        services.evaluation_sign(actor=referent, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert not evaluation.signee


def test_an_answer_outside_the_scale_is_refused(usager, referent):
    with pytest.raises(services.EvaluationError, match="Réponse invalide pour « Friction"):
        services.evaluation_create(
            actor=referent,
            usager=usager,
            grille=Grille.objects.get(code="braden"),
            date=timezone.localdate(),
            answers={"friction": "4"},
        )
    assert not usager.evaluations.exists()


# --- SERAFIN-PH -------------------------------------------------------------------------------


def test_serafin_codes_are_unique_and_every_parent_exists():
    codes = [n.code for n, _ in serafin.parcours()]
    assert len(codes) == len(set(codes))
    for node, parent in serafin.parcours():
        if parent is None:
            assert node.code == "1"
        else:
            assert node.code.rsplit(".", 1)[0] == parent.code
            assert parent.code in codes


def test_serafin_tree_matches_the_tddui_questionnaire_codes_and_link_ids():
    # The official Questionnaire (FSH) names each node's code and linkId, in order.
    text = (TDDUI / "TDDUIQuestionnaireSERAFINDefinition.fsh").read_text()
    official = re.findall(
        r"linkId = \"([^\"]+)\"\n\* [^\n]*code = \$terminologie-SERAFINPH#([\d.]+)", text
    )
    assert official, "the reference questionnaire was not read"
    assert {code: link for link, code in official} == serafin.LINK_IDS
    assert set(serafin.LINK_IDS) == set(serafin.LIBELLES)


def test_serafin_evaluates_the_25_leaves_grouped_by_domain():
    grille = Grille.objects.get(code="serafin")
    items = list(grille.items.all())
    assert len(items) == 25
    assert {i.section for i in items} == {"1.1", "1.2", "1.3"}
    assert all(
        not any(n.code == i.code and n.enfants for n, _ in serafin.parcours()) for i in items
    )


@pytest.fixture
def ime(etab):
    etab.categorie = "183"
    etab.save()
    return etab


def _besoins(**codes):
    return {
        code.replace("_", "."): {"present": True, "intensite": intensite, "commentaire": ""}
        for code, intensite in codes.items()
    }


def test_serafin_result_counts_needs_per_domain_and_important_ones(ime, usager, referent):
    grille = Grille.objects.get(code="serafin")
    answers = {
        "1.1.8": {"present": True, "intensite": 3, "commentaire": "Rééducation de la hanche"},
        "1.2.1.3": {"present": True, "intensite": 2, "commentaire": ""},
        "1.3.2.1": {"present": True, "intensite": None, "commentaire": ""},
        "1.3.3.1": {"present": False, "intensite": None, "commentaire": ""},
    }
    evaluation = evaluate(usager, referent, grille, answers)
    assert evaluation.resultat_libelle == "3 besoins identifiés"
    assert evaluation.resultat["par_domaine"] == {"1.1": 1, "1.2": 1, "1.3": 1}
    assert evaluation.resultat["importants"] == ["1.1.8"]


def test_serafin_intensity_of_an_absent_need_is_refused(ime, usager, referent):
    with pytest.raises(services.EvaluationError, match="le besoin n'est pas coché"):
        services.evaluation_create(
            actor=referent,
            usager=usager,
            grille=Grille.objects.get(code="serafin"),
            date=timezone.localdate(),
            answers={"1.1.3": {"present": False, "intensite": 2, "commentaire": ""}},
        )
    assert not usager.evaluations.exists()


def test_serafin_is_not_offered_outside_disability_services(usager, referent):
    # The conftest établissement is an EHPAD.
    assert "serafin" not in [g.code for g in services.grilles_offered(usager)]
    with pytest.raises(services.EvaluationError, match="pas proposée"):
        services.evaluation_create(
            actor=referent,
            usager=usager,
            grille=Grille.objects.get(code="serafin"),
            date=timezone.localdate(),
        )


def test_serafin_export_answers_each_node_on_the_tddui_yes_no_scale(ime, usager, referent, login):
    grille = Grille.objects.get(code="serafin")
    evaluation = evaluate(
        usager,
        referent,
        grille,
        {"1.2.1.3": {"present": True, "intensite": 2, "commentaire": ""}},
        commentaire="Demande d'hébergement temporaire.",
    )
    url = reverse("accompagnement:evaluation_export", args=[usager.pk, evaluation.pk])
    document = login(referent).get(url).json()
    assert document["questionnaire"].endswith("/tddui-questionnaire-serafin")
    assert document["extension"][0]["valueString"] == "Demande d'hébergement temporaire."
    answers = {}

    def walk(items):
        for item in items:
            if "valueInteger" in item["answer"][0]:
                answers[item["linkId"]] = item["answer"][0]["valueInteger"]
            walk(item.get("item", []))

    walk(document["item"])
    assert len(answers) == len(serafin.LINK_IDS)
    assert {k for k, v in answers.items() if v == 1} == {
        "besoins",
        "besoin-autonomie",
        "besoin-autonomie-2",
        "besoin-mobilite",
    }
    assert Entree.objects.filter(action=AuditAction.EXPORT, object_id=str(evaluation.pk)).exists()


def test_educateur_fills_serafin_from_the_form(ime, usager, login):
    educ = make_pro(ime, "educatif")
    grille = Grille.objects.get(code="serafin")
    url = reverse("accompagnement:evaluation_grille_new", args=[usager.pk, grille.pk])
    client = login(educ)
    page = client.get(url).content.decode()
    assert page.count('type="checkbox"') == 25 and "1.3.3.5 Besoins pour apprendre" in page
    response = client.post(
        url,
        {
            "date": timezone.localdate().isoformat(),
            "1__2__1__3__present": "on",
            "1__2__1__3__intensite": "3",
            "1__2__1__3__commentaire": "Accompagnement aux transports",
            "commentaire": "Bilan d'admission",
            "signer": "",
        },
    )
    assert response.status_code == 302
    evaluation = usager.evaluations.get()
    assert evaluation.signee and evaluation.auteur == educ and evaluation.signee_par == educ
    assert evaluation.resultat_libelle == "1 besoin identifié"
    detail = client.get(response["Location"]).content.decode()
    assert "Accompagnement aux transports" in detail and "Important" in detail


def test_every_grid_gets_its_history_chart_in_the_tab(usager, referent, login):
    grille = Grille.objects.get(code="morse")
    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    evaluate(usager, referent, grille, _answers_for_total(grille, 50), date=year_ago)
    evaluate(usager, referent, grille, _answers_for_total(grille, 15))
    html = login(referent).get(reverse("accompagnement:evaluations", args=[usager.pk])).content
    html = html.decode()
    assert "Évolution : Échelle de Morse (risque de chute)" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<circle ") == 2 and " style=" not in svg
    assert "50 — Risque élevé" in html and "15 — Risque faible" in html
    # Higher totals are drawn higher: the first point (50) sits above the second (15).
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[0] < ys[1]


def test_answers_read_in_french_for_documents():
    braden = Grille.objects.get(code="braden").items.get(code="friction")
    assert services.answer_text(braden, "2") == "Problème potentiel (2 points)"
    need = Grille.objects.get(code="serafin").items.get(code="1.1.3")
    value = {"present": True, "intensite": 3, "commentaire": "Céphalées"}
    assert services.answer_text(need, value) == (
        "Besoin présent — intensité : important — Céphalées"
    )
    assert services.answer_text(need, {"present": False}) == "Besoin absent"


def test_tab_query_count_does_not_grow_with_evaluations(
    usager, referent, login, django_assert_max_num_queries
):
    client = login(referent)
    url = reverse("accompagnement:evaluations", args=[usager.pk])
    morse, braden = Grille.objects.get(code="morse"), Grille.objects.get(code="braden")
    evaluate(usager, referent, morse, _answers_for_total(morse, 50))
    evaluate(usager, referent, braden, _answers_for_total(braden, 12))
    client.get(url)  # warm caches (session, rights)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        evaluate(usager, referent, morse, _answers_for_total(morse, 25))
        evaluate(usager, referent, braden, _answers_for_total(braden, 20))
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
