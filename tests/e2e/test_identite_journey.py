"""Create a person, qualify the identity through the INSi simulator (search, compare, accept,
passport), then see the duplicate warning when creating the same person again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.interop.pki import make_test_pki
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.models import Usager
from dui.usagers.tests.insi_support import running_insi
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def insi(settings, tmp_path):
    with running_insi(settings, make_test_pki(tmp_path)) as server:
        yield server


@pytest.fixture
def accueil_user():
    install_profiles(Role, Habilitation)
    etab = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    user = UserFactory(prenom="Alice", nom="Accueil", email="alice@exemple.fr")
    AffectationFactory(user=user, etablissement=etab, role=Role.objects.get(code="accueil"))
    device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    return user, device


def fill_new_person(page) -> None:
    page.fill("#id_nom_naissance", "Martin-Durand")
    page.fill("#id_prenoms_naissance", "Hélène")
    page.fill("#id_date_naissance", "1941-05-03")
    page.select_option("#id_sexe", "F")
    page.fill("#id_lieu_naissance_insee", "69123")
    page.fill("#id_date_admission", "2025-03-01")
    page.select_option("#id_type_prise_en_charge", "heb_permanent")


def test_create_qualify_through_insi_then_duplicate_warning(
    page, live_server, accueil_user, insi, artifacts
):
    user, device = accueil_user
    log_in(page, live_server, user, device)

    page.goto(live_server.url + reverse("usagers:list"))
    page.click("main >> text=Nouvelle personne")
    page.wait_for_url(f"**{reverse('usagers:nouveau')}")
    assert_accessible(page)
    fill_new_person(page)
    page.click("main form button[type=submit]:has-text('Créer le dossier')")
    usager = Usager.objects.get()
    page.wait_for_url(f"**{reverse('usagers:identite', args=[usager.pk])}")
    assert "Identité provisoire" in page.inner_text("main")
    assert_accessible(page)

    page.click("text=Rechercher l'identité auprès de l'INSi")
    assert page.locator("table.comparaison tr.diff").count() == 1  # the other first names
    assert "HELENE MARIE THERESE" in page.inner_text("table.comparaison")
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "insi-comparaison.png"), full_page=True)
    page.click("text=Accepter l'identité de l'INSi")
    page.wait_for_url(f"**{reverse('usagers:identite', args=[usager.pk])}")
    assert "Identité récupérée" in page.inner_text(".messages")

    page.select_option("#justificatif_justificatif", "PA")
    page.click("text=Enregistrer le contrôle")
    page.wait_for_url(f"**{reverse('usagers:identite', args=[usager.pk])}")
    main = page.inner_text("main")
    assert "Identité qualifiée" in main
    assert "Matricule INS (NIR)" in main
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "identite-qualifiee.png"), full_page=True)

    page.goto(live_server.url + reverse("usagers:nouveau"))
    fill_new_person(page)
    page.click("main form button[type=submit]:has-text('Créer le dossier')")
    warning = page.locator("main .alert.warning").first.inner_text()
    assert "Doublon possible" in warning
    assert "MARTIN-DURAND HELENE" in page.inner_text("main .doublons")
    assert_accessible(page)
    assert Usager.objects.count() == 1
