"""From the reception desk to the DMP, through the UI only. The secrétariat qualifies a
resident's identity with the INSi simulator (the nurse's profile only reads identities);
then the nurse, on a tablet, prepares and validates the DLU, generates its document (PDF +
CDA) from the link on the DLU tab, finds it in the Documents tab, records that the resident
was informed, sends it to the DMP masked from the resident's legal representatives, the
task worker delivers it to the DMP simulator, and she finds it listed from the DMP and
opens it. Every page passes the accessibility and CSP checks."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.documents.models import Document
from dui.interop.models import EnvoiDMP, StatutEnvoi
from dui.interop.pki import make_test_pki
from dui.interop.tests.dmp_support import running_dmp
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.identite import StatutIdentite
from dui.usagers.tests.factories import PriseEnChargeFactory
from dui.usagers.tests.insi_support import running_insi
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pki(tmp_path):
    return make_test_pki(tmp_path / "pki")


@pytest.fixture
def insi(settings, pki):
    with running_insi(settings, pki) as server:
        yield server


@pytest.fixture
def dmp(settings, pki):
    with running_dmp(settings, pki) as server:
        yield server


@pytest.fixture
def ehpad_team():
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    # A resident with a provisional identity whose traits match one of the INSi simulator's
    # synthetic identities (MARTIN-DURAND Hélène Marie Thérèse, 03/05/1941, Lyon).
    usager = PriseEnChargeFactory(
        etablissement=ehpad,
        usager__nom_naissance="MARTIN-DURAND",
        usager__prenoms_naissance="Hélène",
        usager__date_naissance="1941-05-03",
        usager__lieu_naissance_insee="69123",
    ).usager
    people = {}
    for key, prenom, nom, role in (
        ("accueil", "Alice", "Accueil", "accueil"),
        ("ide", "Irène", "Infirmière", "infirmier"),
    ):
        user = UserFactory(prenom=prenom, nom=nom, email=f"{key}@exemple.fr")
        AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code=role))
        device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
        people[key] = (user, device)
    return usager, people


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda m: (
            page.csp_violations.append(m.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in m.text
            else None
        ),
    )
    return context, page


def run_task_worker() -> None:
    """The real database task worker, in this process, until the queue is empty (it must not
    close the live server's shared connection between tasks)."""
    args = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"]
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command(*args)


def open_tab(page, live_server, label: str, url_name: str, usager) -> None:
    page.click(f"nav.sub-nav >> text='{label}'")
    page.wait_for_url(f"**{reverse(url_name, args=[usager.pk])}")
    assert_accessible(page)


def test_qualify_prepare_generate_send_and_read_back_the_dlu(
    browser, live_server, ehpad_team, insi, dmp, artifacts
):
    usager, people = ehpad_team

    # 1. The secrétariat qualifies the identity (INSi search, compare, accept, passport).
    accueil, accueil_device = people["accueil"]
    context, page = new_page(browser, {"width": 1280, "height": 800})
    try:
        log_in(page, live_server, accueil, accueil_device)
        page.goto(live_server.url + reverse("usagers:identite", args=[usager.pk]))
        assert "Identité provisoire" in page.inner_text("main")
        page.click("text=Rechercher l'identité auprès de l'INSi")
        assert "HELENE MARIE THERESE" in page.inner_text("table.comparaison")
        assert_accessible(page)
        page.click("text=Accepter l'identité de l'INSi")
        page.wait_for_url(f"**{reverse('usagers:identite', args=[usager.pk])}")
        page.select_option("#justificatif_justificatif", "PA")
        page.click("text=Enregistrer le contrôle")
        page.wait_for_url(f"**{reverse('usagers:identite', args=[usager.pk])}")
        assert "Identité qualifiée" in page.inner_text("main")
        assert_accessible(page)
    finally:
        context.close()
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.QUALIFIEE

    # 2. The nurse, on a tablet, prepares and validates the DLU.
    ide, ide_device = people["ide"]
    context, page = new_page(browser, {"width": 820, "height": 1180})
    try:
        log_in(page, live_server, ide, ide_device)
        page.goto(live_server.url + reverse("usagers:detail", args=[usager.pk]))
        open_tab(page, live_server, "DLU", "dlu:dlu", usager)
        page.click("main button:has-text('Préparer le DLU à partir du dossier')")
        page.wait_for_url(f"**{reverse('dlu:modifier', args=[usager.pk])}")
        assert_accessible(page)
        # Allergies are not typed in the DLU: the draft links to the care file, where the
        # allergy is recorded; "Reprendre les données du dossier" brings it in.
        assert page.locator("#id_allergies-liste-0-substance").count() == 0
        page.click("main a:has-text('Modifier les allergies dans le dossier de soins')")
        page.wait_for_url(f"**{reverse('soins:dossier', args=[usager.pk])}")
        page.click("main a:has-text('Ajouter une allergie ou intolérance')")
        page.wait_for_url(f"**{reverse('soins:allergie_ajouter', args=[usager.pk])}")
        page.fill("#id_substance", "Pénicilline")
        page.select_option("#id_severite", "moderee")
        page.click("main form button[type=submit]:has-text('Enregistrer')")
        page.wait_for_url(f"**{reverse('soins:dossier', args=[usager.pk])}")
        assert "Pénicilline" in page.inner_text(".alert.allergies")
        page.goto(live_server.url + reverse("dlu:modifier", args=[usager.pk]))
        page.click("main button:has-text('Reprendre les données du dossier')")
        page.wait_for_url(f"**{reverse('dlu:modifier', args=[usager.pk])}")
        assert "Pénicilline" in page.inner_text("main fieldset:has(legend:has-text('Allergies'))")
        page.click("main button:has-text('Enregistrer le brouillon')")
        page.wait_for_url(f"**{reverse('dlu:dlu', args=[usager.pk])}")
        page.click("main button:has-text('Valider la version 1')")
        page.wait_for_url(f"**{reverse('dlu:dlu', args=[usager.pk])}")
        assert "DLU version 1 validée" in page.inner_text("main")
        # The validated DLU and the record banner say the same thing; no empty box.
        assert "Pénicilline" in page.inner_text("main section[aria-labelledby='dlu-allergies']")
        assert "Pénicilline" in page.inner_text(".alert.allergies")
        assert (
            page.eval_on_selector_all(
                "main dl", "els => els.filter(e => !e.textContent.trim()).length"
            )
            == 0
        )
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "dlu-dmp-1-dlu-valide.png"), full_page=True)

        # 3. Its document (PDF + CDA), generated from the DLU tab's link, DLU preselected.
        page.click("main a:has-text('Générer le document DLU (PDF + CDA)')")
        page.wait_for_url(f"**{reverse('cda:generer', args=[usager.pk])}?kind=dlu")
        assert_accessible(page)
        assert page.input_value("#id_kind") == "dlu"
        page.click("main form button:has-text('Générer et enregistrer')")
        document = Document.objects.get(usager=usager)
        page.wait_for_url(f"**{reverse('documents:detail', args=[usager.pk, document.pk])}")
        assert "Document généré (PDF et CDA R2 valide)" in page.inner_text("body")
        assert page.locator("main a:has-text('Envoyer au DMP (onglet DMP)')").count() == 1
        assert_accessible(page)
        open_tab(page, live_server, "Documents", "documents:liste", usager)
        assert document.titre in page.inner_text("main")
        page.screenshot(path=str(artifacts / "dlu-dmp-2-documents.png"), full_page=True)

        # 4. The DMP tab: information recorded, then the DLU sent with a visibility choice.
        open_tab(page, live_server, "DMP", "dmp:documents", usager)
        assert "Pas encore informée" in page.inner_text("main")
        page.click("main summary:has-text('Enregistrer une information')")
        page.select_option("#id_type", "information")
        page.select_option("#id_destinataire", "personne")
        page.select_option("#id_moyen", "oral")
        page.fill("#id_par", "Irène Infirmière")
        page.click("main form[action$='/consentement/'] button[type=submit]")
        page.wait_for_url(f"**{reverse('dmp:documents', args=[usager.pk])}")
        assert "Informée" in page.inner_text("main")
        assert_accessible(page)
        version = document.versions.get()
        form = f"main form[action='{reverse('dmp:envoyer', args=[usager.pk, version.pk])}']"
        page.check(f"{form} input[name=invisible_representants]")
        page.click(f"{form} button[type=submit]")
        page.wait_for_url(f"**{reverse('dmp:documents', args=[usager.pk])}")
        assert "DMP : à envoyer" in page.inner_text("main")
        assert dmp.registre.recus == 0

        run_task_worker()
        page.reload()
        assert "DMP : envoyé" in page.inner_text("main")
        assert EnvoiDMP.objects.get().statut == StatutEnvoi.ENVOYE
        assert dmp.registre.recus == 1
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "dlu-dmp-3-envoye.png"), full_page=True)

        page.click("main >> text=Consulter le DMP de la personne")
        page.wait_for_url(f"**{reverse('dmp:consulter', args=[usager.pk])}")
        assert_accessible(page)
        listed = page.inner_text("main table")
        assert "Non visible par les représentants légaux" in listed
        page.screenshot(path=str(artifacts / "dlu-dmp-4-liste-dmp.png"), full_page=True)
        page.click("main table >> a >> nth=0")
        assert_accessible(page)
        assert "Pénicilline" in page.inner_text("main")
        page.screenshot(path=str(artifacts / "dlu-dmp-5-document-dmp.png"), full_page=True)
    finally:
        context.close()
