"""An administrator defines a simple grid on a phone and publishes it; a nurse then finds it
in the person's evaluations tab, fills it, signs it and sees the result and its chart."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.accompagnement import grilles_data
from dui.accompagnement.models import Evaluation, Grille, GrilleItem
from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUESTIONS = "Appétit\n- Bon = 0\n- Diminué = 1\n- Absent = 2\nSommeil\n- Reposant = 0\n- Agité = 2"


@pytest.fixture
def team():
    # Transactional tests flush the tables between tests: reinstall roles and data grids.
    install_profiles(Role, Habilitation)
    grilles_data.install(Grille, GrilleItem)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    usager = PriseEnChargeFactory(etablissement=ehpad, usager__nom_naissance="LEFÈVRE").usager
    people = {}
    for key, role in (("admin", "administrateur"), ("idec", "infirmier")):
        user = UserFactory(prenom=key.capitalize(), nom="Test", email=f"{key}@exemple.fr")
        AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code=role))
        device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
        people[key] = (user, device)
    return ehpad, usager, people


def test_admin_grid_is_published_then_used_in_an_evaluation(
    browser, page, live_server, team, artifacts
):
    ehpad, usager, people = team
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    phone = context.new_page()
    phone.csp_violations = []  # type: ignore[attr-defined]
    phone.on(
        "console",
        lambda m: "Content Security Policy" in m.text and phone.csp_violations.append(m.text),
    )
    try:
        admin, admin_device = people["admin"]
        log_in(phone, live_server, admin, admin_device)
        phone.goto(live_server.url + reverse("accompagnement:grilles"))
        assert_accessible(phone)
        phone.click("main >> text=Créer une grille")
        assert_accessible(phone)
        phone.fill("#id_libelle", "Appétit et sommeil")
        phone.fill("#id_questions", QUESTIONS)
        phone.fill("#id_bandes", "0-1 = Pas d'inquiétude\n2-3 = À surveiller")
        phone.click("main form button[name=enregistrer]")
        grille = Grille.objects.get(libelle="Appétit et sommeil")
        phone.wait_for_url(f"**{reverse('accompagnement:grille', args=[grille.pk])}")
        # Bands stop at 3 but the highest total is 4: refused, explained, nothing published.
        phone.click("main form button[name=publier]")
        assert "total maximum possible (4)" in phone.inner_text("main")
        assert_accessible(phone)
        phone.fill("#id_bandes", "0-1 = Pas d'inquiétude\n2-4 = À surveiller")
        phone.click("main form button[name=publier]")
        assert "Grille publiée" in phone.inner_text("main")
        assert_accessible(phone)
        grille.refresh_from_db()
        assert grille.publiee
        phone.screenshot(path=str(artifacts / "grille-publiee-mobile.png"), full_page=True)
    finally:
        context.close()

    idec, idec_device = people["idec"]
    log_in(page, live_server, idec, idec_device)
    page.goto(live_server.url + reverse("accompagnement:evaluations", args=[usager.pk]))
    assert_accessible(page)
    page.click("main >> text=Nouvelle évaluation : Appétit et sommeil")
    assert_accessible(page)
    page.check("input[name=q1__choix][value='2']")
    page.check("input[name=q2__choix][value='2']")
    page.click("main form button[name=signer]")
    page.wait_for_url("**/evaluations/*/")
    assert "3 — À surveiller" in page.inner_text("main")
    assert_accessible(page)
    evaluation = Evaluation.objects.get()
    assert (evaluation.signee_par_id, evaluation.grille_id) == (idec.pk, grille.pk)
    page.goto(live_server.url + reverse("accompagnement:evaluations", args=[usager.pk]))
    assert page.locator("svg.chart circle").count() == 1
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "grille-evaluations.png"), full_page=True)
