"""At night, on a tablet, the nurse opens a resident's DLU from the fiche de synthèse,
prepares it from the record (the allergy is already there), completes where the advance
directives are kept, validates it, prints it, then prints the fiche de transfert for the
SAMU. Every page passes the accessibility and CSP checks."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.models import AuditAction, Entree
from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.dlu import queries
from dui.soins.models import Allergie
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def nurse_and_resident():
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    usager = PriseEnChargeFactory(etablissement=ehpad, usager__nom_naissance="LEFÈVRE").usager
    user = UserFactory(prenom="Sophie", nom="Marchal", email="idec@exemple.fr")
    AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code="infirmier"))
    Allergie.objects.create(
        usager=usager, substance="Pénicilline", severite="anaphylaxie", saisi_par=user
    )
    device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    return usager, user, device


def test_nurse_prepares_validates_and_prints_the_dlu(
    browser, live_server, nurse_and_resident, artifacts
):
    usager, user, device = nurse_and_resident
    context = browser.new_context(viewport={"width": 820, "height": 1180}, locale="fr-FR")
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
    log_in(page, live_server, user, device)

    page.goto(live_server.url + reverse("usagers:detail", args=[usager.pk]))
    page.click("main a:has-text('Urgence : DLU et fiche de transfert')")
    page.wait_for_url(f"**{reverse('dlu:dlu', args=[usager.pk])}")
    assert "Aucun DLU validé" in page.inner_text("main")
    assert_accessible(page)

    page.click("main button:has-text('Préparer le DLU à partir du dossier')")
    page.wait_for_url(f"**{reverse('dlu:modifier', args=[usager.pk])}")
    assert_accessible(page)
    # Allergies come from the care file, read-only in the draft.
    assert page.locator("#id_allergies-liste-0-substance").count() == 0
    assert "Pénicilline" in page.inner_text("main fieldset:has(legend:has-text('Allergies'))")
    page.select_option("#id_directives_anticipees-redigees", "oui")
    page.fill("#id_directives_anticipees-lieu", "Classeur infirmier")
    page.click("main button:has-text('Enregistrer le brouillon')")
    page.wait_for_url(f"**{reverse('dlu:dlu', args=[usager.pk])}")
    assert_accessible(page)

    page.click("main button:has-text('Valider la version 1')")
    page.wait_for_url(f"**{reverse('dlu:dlu', args=[usager.pk])}")
    assert "DLU version 1 validée" in page.inner_text("main")
    assert "Classeur infirmier" in page.inner_text("main")
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "dlu-valide.png"), full_page=True)
    dlu = queries.dlu_courant(usager)
    assert dlu is not None and dlu.valide_par == user

    href = page.get_attribute("main a:has-text('Imprimer le DLU (PDF)')", "href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.body()[:5] == b"%PDF-"

    page.click("main a:has-text('Transfert aux urgences')")
    page.wait_for_url(f"**{reverse('dlu:transfert', args=[usager.pk])}")
    assert_accessible(page)
    page.fill("#id_motif", "Chute avec plaie du cuir chevelu")
    # The PDF opens in the browser (inline), as the emergency team would print it from there.
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/dlu/transfert/")
    ) as answer:
        page.click("main button:has-text('Imprimer la fiche de transfert')")
    # (Chromium's PDF viewer replaces the body Playwright sees: the type and status tell.)
    assert answer.value.status == 200
    assert answer.value.headers["content-type"] == "application/pdf"
    assert Entree.objects.filter(action=AuditAction.PRINT, usager_id=usager.pk).count() == 2
    context.close()
