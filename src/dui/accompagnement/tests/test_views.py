"""The evaluations tab, the AGGIR form, the result page and the GIR history chart."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.accompagnement import aggir
from dui.accompagnement.models import Evaluation, Reponse, StatutEvaluation
from dui.accompagnement.tests.factories import ADVERBES, make_evaluation
from dui.audit.models import AuditAction, Entree

pytestmark = pytest.mark.django_db


def _post_data(date: str, **codes: str) -> dict[str, str]:
    """Form data ticking the adverbs of each item's code (A unless given)."""
    data = {"date": date}
    for item in aggir.items():
        for adverbe, done in ADVERBES[codes.get(item["variable"], "A")].items():
            if done:
                data[f"{item['code'].replace('.', '__')}__{adverbe}"] = "on"
    return data


def test_form_shows_each_variable_as_a_fieldset_with_the_four_adverbs(login, referent, usager):
    response = login(referent).get(reverse("accompagnement:evaluation_new", args=[usager.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend>Toilette : Haut du corps</legend>" in html
    assert "<legend>Gestion</legend>" in html
    assert html.count('type="checkbox"') == 4 * len(aggir.items())
    for label in (
        "Fait spontanément",
        "Fait totalement",
        "Fait correctement",
        "Fait habituellement",
    ):
        assert html.count(f">{label}</label>") == len(aggir.items())


def test_signing_from_the_form_computes_the_gir_and_shows_the_codes(login, referent, usager):
    data = _post_data(
        timezone.localdate().isoformat(),
        toilette="C",
        habillage="C",
        transferts="C",
        deplacement_interieur="C",
        alimentation="B",
        elimination="B",
    )
    data["signer"] = ""
    client = login(referent)
    response = client.post(reverse("accompagnement:evaluation_new", args=[usager.pk]), data)
    evaluation = Evaluation.objects.get(usager=usager)
    assert response.status_code == 302
    assert evaluation.statut == StatutEvaluation.SIGNEE and evaluation.resultat_libelle == "GIR 2"
    page = client.get(response["Location"]).content.decode()
    assert "GIR 2" in page and "rang 6, groupe C" in page
    assert re.search(r"<th scope=\"row\">Toilette</th><td>C</td>", page)


def test_saving_a_draft_does_not_sign_it(login, referent, usager):
    data = _post_data(timezone.localdate().isoformat())
    data["brouillon"] = ""
    login(referent).post(reverse("accompagnement:evaluation_new", args=[usager.pk]), data)
    evaluation = Evaluation.objects.get(usager=usager)
    assert evaluation.statut == StatutEvaluation.BROUILLON and evaluation.resultat_libelle == ""
    assert evaluation.reponses.count() == len(aggir.items())


def test_a_future_date_is_refused_with_a_french_message(login, referent, usager):
    date = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = login(referent).post(
        reverse("accompagnement:evaluation_new", args=[usager.pk]), _post_data(date)
    )
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert not Evaluation.objects.filter(usager=usager).exists()


def test_a_stale_draft_save_is_refused_and_nothing_is_saved(login, referent, collegue, usager):
    evaluation = make_evaluation(usager, referent, signed=False)
    url = reverse("accompagnement:evaluation_edit", args=[usager.pk, evaluation.pk])
    stale = evaluation.version
    data_collegue = {**_post_data(evaluation.date.isoformat(), transferts="B"), "version": stale}
    login(collegue).post(url, data_collegue)
    data = {**_post_data(evaluation.date.isoformat(), transferts="A"), "version": stale}
    response = login(referent).post(url, data)
    assert "enregistrée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    valeur = Reponse.objects.get(evaluation=evaluation, item_code="transferts").valeur
    assert aggir.code_adverbes(valeur) == "B"


def test_a_signed_evaluation_is_not_editable_from_its_page(login, referent, usager):
    evaluation = make_evaluation(usager, referent, signed=True)
    url = reverse("accompagnement:evaluation_edit", args=[usager.pk, evaluation.pk])
    response = login(referent).post(
        url, {**_post_data(evaluation.date.isoformat()), "version": evaluation.version}
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.version == 2 and evaluation.resultat["codes"]["transferts"] == "C"
    assert (
        aggir.code_adverbes(
            Reponse.objects.get(evaluation=evaluation, item_code="transferts").valeur
        )
        == "C"
    )


def test_tab_shows_the_gir_history_as_a_table_and_an_svg_chart(login, referent, usager):
    old = make_evaluation(usager, referent, signed=False)
    old.date = timezone.localdate() - datetime.timedelta(days=365)
    old.save()
    from dui.accompagnement import services

    services.evaluation_sign(actor=referent, evaluation=old)
    make_evaluation(usager, referent, signed=True)
    response = login(referent).get(reverse("accompagnement:evaluations", args=[usager.pk]))
    html = response.content.decode()
    assert "<caption>Historique du GIR (évaluations AGGIR signées)</caption>" in html
    assert html.count("<circle ") == 2
    assert 'role="img"' in html and '<title id="gir-chart-titre">' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert " style=" not in svg and "<script" not in svg and " on" not in svg
    entry = Entree.objects.filter(action=AuditAction.READ, usager_id=usager.pk).last()
    assert entry is not None and entry.details["onglet"] == "accompagnement:evaluations"


def test_tab_shows_only_the_grids_whose_category_the_user_reads(login, referent, etab, usager):
    aggir_eval = make_evaluation(usager, referent, signed=True)
    etab.categorie = "183"  # an IME: SERAFIN-PH needs are offered
    etab.save()
    url = reverse("accompagnement:evaluations", args=[usager.pk])
    educ = make_pro(etab, "educatif")
    page = login(educ).get(reverse("usagers:identite", args=[usager.pk])).content.decode()
    assert url in page
    tab = login(educ).get(url).content.decode()
    # An éducateur of the IME evaluates SERAFIN-PH needs (éducatif), not AGGIR (soins).
    assert "Nouvelle évaluation : Besoins SERAFIN-PH" in tab
    assert "Nouvelle évaluation AGGIR" not in tab and "Évolution du GIR" not in tab
    assert reverse("accompagnement:evaluation", args=[usager.pk, aggir_eval.pk]) not in tab
    detail = reverse("accompagnement:evaluation", args=[usager.pk, aggir_eval.pk])
    assert login(educ).get(detail).status_code == 404
    assert (
        login(educ).get(reverse("accompagnement:evaluation_new", args=[usager.pk])).status_code
        == 404
    )


def test_export_gives_the_tddui_questionnaire_response_and_journals_it(login, referent, usager):
    evaluation = make_evaluation(usager, referent, signed=True)
    response = login(referent).get(
        reverse("accompagnement:evaluation_export", args=[usager.pk, evaluation.pk])
    )
    document = response.json()
    assert document["resourceType"] == "QuestionnaireResponse"
    assert (
        document["item"][0]["answer"][0]["valueCoding"]["display"]
        == f"GIR-{evaluation.resultat['gir']}"
    )
    assert Entree.objects.filter(action=AuditAction.EXPORT, object_id=str(evaluation.pk)).exists()


def test_a_draft_cannot_be_exported(login, referent, usager):
    evaluation = make_evaluation(usager, referent, signed=False)
    url = reverse("accompagnement:evaluation_export", args=[usager.pk, evaluation.pk])
    assert login(referent).get(url).status_code == 404
