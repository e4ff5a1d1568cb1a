"""Log in with password and TOTP, switch établissement, use the home page on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import PASSWORD, AffectationFactory, UserFactory
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs in the page: the accessibility rules every page of the journey must meet.
A11Y_AUDIT = """() => {
  const problems = [];
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
  for (const el of fields) {
    const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push('champ sans étiquette : ' + (el.name || el.id));
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' titres h1');
  if (!document.querySelector('main')) problems.push('pas de <main>');
  if (!document.querySelector('body > header')) problems.push("pas d'en-tête (banner)");
  if (!document.querySelector('body > footer')) problems.push('pas de pied de page');
  if (document.documentElement.lang !== 'fr') problems.push('lang différent de fr');
  if (!document.title.trim()) problems.push('titre de page vide');
  return problems;
}"""


def assert_accessible(page) -> None:
    assert page.evaluate(A11Y_AUDIT) == [], page.url
    assert page.csp_violations == [], page.csp_violations


def current_code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def two_etab_user():
    # Transactional tests flush the tables between tests: reinstall the ready-made roles.
    install_profiles(Role, Habilitation)
    organisme = OrganismeFactory()
    ehpad = EtablissementFactory(organisme=organisme, nom="EHPAD Les Tilleuls")
    ime = EtablissementFactory(organisme=organisme, nom="IME Les Sources", categorie="183")
    user = UserFactory(prenom="Inès", nom="Deux-Maisons", email="ines@exemple.fr")
    AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code="infirmier"))
    AffectationFactory(user=user, etablissement=ime, role=Role.objects.get(code="educatif"))
    for nom in ("LEFÈVRE", "MARTIN", "N'DIAYE"):
        PriseEnChargeFactory(etablissement=ehpad, usager__nom_naissance=nom)
    PriseEnChargeFactory(etablissement=ime, usager__nom_naissance="BERNARD")
    device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    return user, device, ehpad, ime


def log_in(page, live_server, user, device) -> None:
    page.goto(live_server.url + reverse("comptes:login"))
    assert_accessible(page)
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('comptes:otp')}")
    assert_accessible(page)
    page.fill("input[name=code], input[name=token]", current_code(device))
    page.click(f"main form[action='{reverse('comptes:otp')}'] button[type=submit]")
    page.wait_for_url(live_server.url + reverse("ui:home"))


def test_user_logs_in_with_totp_switches_etablissement_and_sees_it_current(
    page, live_server, two_etab_user, artifacts
):
    user, device, ehpad, ime = two_etab_user
    log_in(page, live_server, user, device)

    assert page.inner_text("h1") == "Bonjour Inès"
    assert page.input_value("#etablissement-switch") == str(ehpad.pk)
    assert_accessible(page)

    # Selecting submits the switcher form (data-autosubmit); no click needed with JS on.
    with page.expect_navigation():
        page.select_option("#etablissement-switch", str(ime.pk))
    assert page.input_value("#etablissement-switch") == str(ime.pk)
    assert "Établissement courant : IME Les Sources" in page.inner_text(".lead")
    assert "Vous travaillez maintenant dans l'établissement IME Les Sources" in page.inner_text(
        ".messages"
    )
    assert page.locator(".card.current h3").inner_text() == "IME Les Sources"
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "home-desktop.png"), full_page=True)

    page.click("nav[aria-label='Navigation principale'] >> text=Personnes accompagnées")
    assert page.locator("tbody tr").count() == 1
    assert "BERNARD" in page.inner_text("tbody")
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "list-desktop.png"), full_page=True)


def test_navigation_is_usable_on_a_360px_phone(page, live_server, two_etab_user, artifacts):
    user, device, ehpad, _ = two_etab_user
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, user, device)
    assert_accessible(page)

    # Nothing overflows sideways, and every navigation link is on screen and large enough.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    links = page.locator("nav[aria-label='Navigation principale'] a")
    assert links.count() >= 2
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert box["height"] >= 44
    page.screenshot(path=str(artifacts / "home-mobile.png"), full_page=True)

    links.filter(has_text="Personnes accompagnées").click()
    page.wait_for_url(live_server.url + reverse("usagers:list"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "LEFÈVRE" in page.inner_text("main")
    current = page.locator("nav[aria-label='Navigation principale'] a[aria-current=page]")
    assert current.inner_text() == "Personnes accompagnées"
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "list-mobile.png"), full_page=True)
