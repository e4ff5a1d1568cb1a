"""The référent opens a person's projet personnalisé, writes down the person's own words and
an objective, goes through the steps, signs it with the person and downloads "Mon projet
personnalisé"; a colleague's stale save is refused with both values shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.projet.models import Etape, ProjetPersonnalise, VersionProjet
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAROLES = "Je veux continuer à aller au marché le samedi."


@pytest.fixture
def team():
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    usager = PriseEnChargeFactory(etablissement=ehpad, usager__nom_naissance="LEFÈVRE").usager
    people = {}
    for key, prenom, nom, role in (
        ("idec", "Sophie", "Marchal", "infirmier"),
        ("psy", "Nadia", "Ferrand", "psychologue"),
    ):
        user = UserFactory(prenom=prenom, nom=nom, email=f"{key}@exemple.fr")
        AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code=role))
        device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
        people[key] = (user, device)
    MembreEquipeFactory(
        usager=usager, user=people["idec"][0], etablissement=ehpad, is_referent=True
    )
    return usager, people


def _step(page, label: str) -> None:
    page.click(f'main button:has-text("{label}")')
    page.wait_for_load_state()
    assert_accessible(page)


def test_referent_builds_signs_and_prints_the_project(browser, page, live_server, team, artifacts):
    usager, people = team
    idec, idec_device = people["idec"]
    psy, psy_device = people["psy"]
    log_in(page, live_server, idec, idec_device)

    # The due list, from the navigation, shows the person (admitted in 2024, no project).
    page.click("nav[aria-label='Navigation principale'] >> text=Projets personnalisés")
    page.wait_for_url(f"**{reverse('projet:echeances')}")
    assert_accessible(page)
    assert "En retard" in page.inner_text("main")
    page.click("main >> text=LEFÈVRE")
    page.wait_for_url(f"**{reverse('projet:projet', args=[usager.pk])}")
    assert_accessible(page)
    page.click("main button:has-text('Ouvrir le projet personnalisé')")
    page.wait_for_load_state()
    projet = ProjetPersonnalise.objects.get(usager=usager)
    detail = reverse("projet:detail", args=[usager.pk, projet.pk])

    # The person's own words in the recueil.
    page.click("main a:has-text('Modifier'):has-text('Recueil')")
    assert_accessible(page)
    page.fill("#id_recueil-paroles_personne", PAROLES)
    page.click("main button:has-text('Enregistrer')")
    page.wait_for_url(f"**{detail}")
    assert PAROLES in page.inner_text("main")

    # A colleague opened the same section before that save: her save is refused, with both.
    context_b = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page_b = context_b.new_page()
    page_b.csp_violations = []  # type: ignore[attr-defined]
    try:
        log_in(page_b, live_server, psy, psy_device)
        section = reverse("projet:section", args=[usager.pk, projet.pk, "recueil"])
        page_b.goto(live_server.url + section)
        # Simulate the form shown before the référent saved: version 1.
        page_b.evaluate("document.querySelector('input[name=version]').value = '1'")
        page_b.fill("#id_recueil-paroles_personne", "Je préfère rester dans ma chambre.")
        page_b.click("main button:has-text('Enregistrer')")
        page_b.wait_for_load_state()
        text = page_b.inner_text("main")
        assert "modifié par Sophie Marchal" in text and PAROLES in text
        assert "Je préfère rester dans ma chambre." in text
        assert page_b.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page_b)
        page_b.screenshot(path=str(artifacts / "projet-conflit-mobile.png"), full_page=True)
    finally:
        context_b.close()
    projet.refresh_from_db()
    assert projet.contenu["recueil"]["paroles_personne"] == PAROLES

    # Steps, then an objective in the person's words and the professional wording.
    page.goto(live_server.url + detail)
    _step(page, "Passer à l'analyse en équipe")
    _step(page, "Passer à la co-construction")
    page.click("main a:has-text('Modifier'):has-text('Objectifs')")
    assert_accessible(page)
    page.select_option("#id_objectifs-0-domaine", "loisirs")
    page.fill("#id_objectifs-0-formulation_personne", "Aller au marché")
    page.fill("#id_objectifs-0-formulation_professionnelle", "Une sortie accompagnée par semaine")
    page.select_option("#id_objectifs-0-statut", "actif")
    page.click("main button:has-text('Enregistrer')")
    page.wait_for_url(f"**{detail}")

    # Signature with the person: the version is frozen, the project is applied.
    page.click("main a:has-text('Signer le projet')")
    assert_accessible(page)
    page.check("input[name=personne_qualite][value=personne]")
    page.select_option("#id_personne_moyen", "manuscrite")
    page.click("main button:has-text('Signer et figer cette version')")
    page.wait_for_url(f"**{detail}")
    assert "Version 1 signée" in page.inner_text(".messages")
    projet.refresh_from_db()
    assert projet.etape == Etape.MISE_EN_OEUVRE
    assert VersionProjet.objects.get(projet=projet).contenu["objectifs"][0]["formulation_personne"]
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "projet-signe.png"), full_page=True)

    with page.expect_download() as download:
        page.click("main a:has-text('PDF « Mon projet personnalisé »')")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:5] == b"%PDF-"
