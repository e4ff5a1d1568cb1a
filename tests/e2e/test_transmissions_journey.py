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


@pytest.fixture
def home_care():
    install_profiles(Role, Habilitation)
    sad = EtablissementFactory(
        organisme=OrganismeFactory(), nom="SAD Les Quatre Saisons", categorie="460"
    )
    usager = PriseEnChargeFactory(etablissement=sad, usager__nom_naissance="MARTIN").usager
    people = {}
    for key, prenom, nom, role in (
        ("chef", "Claire", "Chef", "chef_service"),
        ("infirmier", "Ivan", "Infirmier", "infirmier"),
    ):
        user = UserFactory(prenom=prenom, nom=nom, email=f"{key}@exemple.fr")
        AffectationFactory(user=user, etablissement=sad, role=Role.objects.get(code=role))
        device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
        people[key] = (user, device)
    return usager, people


def test_partner_created_then_a_note_shared_with_it_in_the_cahier_de_liaison(
    browser, page, live_server, home_care, artifacts
):
    usager, people = home_care
    chef, chef_device = people["chef"]
    infirmier, infirmier_device = people["infirmier"]

    log_in(page, live_server, chef, chef_device)
    page.goto(live_server.url + reverse("accompagnement:partenaires"))
    assert_accessible(page)
    page.click("main >> text=Nouveau partenaire")
    assert_accessible(page)
    page.fill("#id_nom", "SSIAD Lyon Est")
    page.fill("#id_siret", "732 829 320 00074")
    page.fill("#id_convention_debut", "2026-01-01")
    page.fill("#id_contact_nom", "Mme Perrin")
    page.click("main form button[type=submit]:has-text('Enregistrer')")
    page.wait_for_url(f"**{reverse('accompagnement:partenaires')}")
    assert "SSIAD Lyon Est" in page.inner_text("main") and "en cours" in page.inner_text("main")

    context_b = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page_b = context_b.new_page()
    page_b.csp_violations = []  # type: ignore[attr-defined]
    page_b.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page_b.csp_violations.append(m.text),
    )
    try:
        log_in(page_b, live_server, infirmier, infirmier_device)
        page_b.goto(live_server.url + reverse("accompagnement:transmission_new", args=[usager.pk]))
        page_b.select_option("#id_categorie", "soins")
        page_b.check("input[name=type][value=libre]")
        page_b.fill("#id_texte", "Pansement refait, à revoir jeudi par le SSIAD.")
        page_b.check("#id_partage_cahier_liaison")
        page_b.click("main form button[type=submit]:has-text('Enregistrer')")
        page_b.wait_for_url(f"**{reverse('accompagnement:transmissions', args=[usager.pk])}")
        page_b.click("main >> text=Cahier de liaison")
        page_b.wait_for_url(f"**{reverse('accompagnement:cahier_liaison', args=[usager.pk])}")
        assert_accessible(page_b)
        page_b.click("main >> text=Partager avec un autre destinataire")
        assert_accessible(page_b)
        page_b.select_option("#id_destinataire", label="SSIAD Lyon Est (partenaire)")
        page_b.click("main form button[type=submit]:has-text('Partager')")
        page_b.wait_for_url(f"**{reverse('accompagnement:cahier_liaison', args=[usager.pk])}")
        main = page_b.inner_text("main")
        assert "La personne et ses aidants" in main and "SSIAD Lyon Est" in main
        assert page_b.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page_b)
        page_b.screenshot(path=str(artifacts / "cahier-de-liaison-mobile.png"), full_page=True)
        export = page_b.locator("main a:has-text('SSIAD Lyon Est (PDF)')").get_attribute("href")
        response = page_b.request.get(live_server.url + export)
        assert response.ok and response.headers["content-type"] == "application/pdf"
    finally:
        context_b.close()
