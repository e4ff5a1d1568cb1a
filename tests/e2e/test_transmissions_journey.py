"""Write an urgent transmission about a person; a colleague logging in for their shift finds
it in the handover view ("depuis ma dernière prise de poste") through the navigation and
acknowledges it; the author then sees who read it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.accompagnement.models import LectureTransmission, Transmission
from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URGENT_TEXT = "Chute dans la salle de bains à 14 h, pas de douleur ; surveiller cette nuit."


@pytest.fixture
def team():
    # Transactional tests flush the tables between tests: reinstall the ready-made roles.
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    usager = PriseEnChargeFactory(etablissement=ehpad, usager__nom_naissance="LEFÈVRE").usager
    people = {}
    for key, prenom, nom, role in (
        ("auteur", "Sonia", "Soignante", "soignant"),
        ("releve", "Ivan", "Infirmier", "infirmier"),
    ):
        user = UserFactory(prenom=prenom, nom=nom, email=f"{key}@exemple.fr")
        AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code=role))
        device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
        people[key] = (user, device)
    return usager, people


def test_urgent_transmission_is_acknowledged_from_the_handover_view(
    browser, page, live_server, team, artifacts
):
    usager, people = team
    auteur, auteur_device = people["auteur"]
    releve, releve_device = people["releve"]

    # A writes the urgent note from the person's Transmissions tab.
    log_in(page, live_server, auteur, auteur_device)
    page.goto(live_server.url + reverse("accompagnement:transmissions", args=[usager.pk]))
    assert_accessible(page)
    page.click("main >> text=Nouvelle transmission")
    page.wait_for_url(f"**{reverse('accompagnement:transmission_new', args=[usager.pk])}")
    assert_accessible(page)
    page.select_option("#id_categorie", "vie_quotidienne")
    page.check("input[name=type][value=libre]")
    page.fill("#id_texte", URGENT_TEXT)
    page.check("#id_is_urgent")
    page.click("main form button[type=submit]:has-text('Enregistrer')")
    page.wait_for_url(f"**{reverse('accompagnement:transmissions', args=[usager.pk])}")
    note = Transmission.objects.get()
    assert (note.is_urgent, note.auteur_id) == (True, auteur.pk)
    card = page.locator(f"#transmission-{note.pk}").locator("xpath=..")
    assert "Urgente" in card.inner_text()
    assert "personne pour l'instant" in card.inner_text()

    # B, in another browser context, starts their shift: the navigation leads to the handover.
    context_b = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page_b = context_b.new_page()
    page_b.csp_violations = []  # type: ignore[attr-defined]
    page_b.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page_b.csp_violations.append(m.text),
    )
    try:
        log_in(page_b, live_server, releve, releve_device)
        page_b.click("nav[aria-label='Navigation principale'] >> text=Transmissions")
        page_b.click("main >> text=Depuis ma dernière prise de poste")
        page_b.wait_for_url(f"**{reverse('accompagnement:transmissions_releve')}")
        assert_accessible(page_b)
        main = page_b.inner_text("main")
        assert URGENT_TEXT in main and "LEFÈVRE" in main.upper()
        assert page_b.evaluate("document.documentElement.scrollWidth") <= 390
        page_b.screenshot(path=str(artifacts / "transmissions-releve-mobile.png"), full_page=True)
        card_b = page_b.locator(f"#transmission-{note.pk}").locator("xpath=..")
        card_b.locator('button:has-text("J\'ai lu")').click()
        page_b.wait_for_url(f"**{reverse('accompagnement:transmissions_releve')}")
        assert "Lecture enregistrée" in page_b.inner_text(".messages")
        card_b = page_b.locator(f"#transmission-{note.pk}").locator("xpath=..")
        assert "Lu par : Ivan Infirmier" in card_b.inner_text()
        assert card_b.locator('button:has-text("J\'ai lu")').count() == 0
        assert_accessible(page_b)
    finally:
        context_b.close()
    assert LectureTransmission.objects.filter(transmission=note, lecteur=releve).count() == 1

    # A sees B's acknowledgement on the person's timeline.
    page.reload()
    card = page.locator(f"#transmission-{note.pk}").locator("xpath=..")
    assert "Lu par : Ivan Infirmier" in card.inner_text()
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "transmission-lue.png"), full_page=True)
