"""An infirmière records the fiche de retour des urgences received for a person: a file whose
content lies about its extension is refused in French; the real PDF is stored, linked to the
stay, signed in the software with a fresh code, downloaded; a soignant on a phone finds it
from the Parcours tab, and does not see the medical ordonnance."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.documents.models import Document, Signature
from dui.documents.tests import factories as f
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    sejour = PriseEnChargeFactory(etablissement=ehpad, usager__nom_naissance="LEFÈVRE")
    people = {}
    for key, prenom, nom, role in (
        ("ide", "Irène", "Infirmière", "infirmier"),
        ("as", "Sonia", "Soignante", "soignant"),
    ):
        user = UserFactory(prenom=prenom, nom=nom, email=f"{key}@exemple.fr")
        AffectationFactory(user=user, etablissement=ehpad, role=Role.objects.get(code=role))
        device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
        people[key] = (user, device)
    return sejour, people


def _next_code(device: TOTPDevice) -> str:
    # The login used this time step's code; django-otp accepts each step once.
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0 - device.step, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def test_received_urgences_sheet_is_stored_signed_and_found_from_the_stay(
    browser, page, live_server, team, artifacts, tmp_path
):
    sejour, people = team
    usager = sejour.usager
    ide, ide_device = people["ide"]
    f.document(ide, usager, type_code="57833-6", titre="Ordonnance du médecin traitant")

    log_in(page, live_server, ide, ide_device)
    page.goto(live_server.url + reverse("documents:liste", args=[usager.pk]))
    assert_accessible(page)
    page.click("main >> text=Enregistrer une fiche de retour des urgences")
    assert_accessible(page)
    assert page.input_value("#id_type_code") == "60280-5"
    page.select_option("#id_prise_en_charge", str(sejour.pk))
    page.fill("#id_emetteur", "Urgences du CH de Melun")
    lying = tmp_path / "retour.pdf"
    lying.write_bytes(f.EXE)
    page.set_input_files("#id_fichier", str(lying))
    page.click("main form button[type=submit]:has-text('Enregistrer')")
    assert "n'est pas reconnu comme un format accepté" in page.inner_text("main")
    assert_accessible(page)
    assert Document.objects.count() == 1  # the ordonnance only

    real = tmp_path / "retour-urgences.pdf"
    real.write_bytes(f.PDF)
    page.set_input_files("#id_fichier", str(real))
    page.fill("#id_emetteur", "Urgences du CH de Melun")
    page.click("main form button[type=submit]:has-text('Enregistrer')")
    doc = Document.objects.get(type_code="60280-5")
    page.wait_for_url(f"**{reverse('documents:detail', args=[usager.pk, doc.pk])}")
    assert_accessible(page)
    assert doc.prise_en_charge == sejour and doc.origine == "recu"

    page.click("main >> text=Signer la version 1")
    assert_accessible(page)
    page.check("input[name=mode][value=logiciel]")
    page.fill("#id_code_otp", _next_code(ide_device))
    page.click("main form button[type=submit]:has-text('Signer')")
    page.wait_for_url(f"**{reverse('documents:detail', args=[usager.pk, doc.pk])}")
    assert Signature.objects.get().signataire == ide
    assert "Dans le logiciel (compte + second facteur)" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("main >> text=Télécharger >> nth=0")
    assert download.value.suggested_filename.endswith("-v1.pdf")
    page.screenshot(path=str(artifacts / "documents-detail.png"), full_page=True)

    # The soignant, on a phone, goes from the stay in Parcours to its documents.
    aide, aide_device = people["as"]
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page_b = phone.new_page()
    page_b.csp_violations = []  # type: ignore[attr-defined]
    page_b.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page_b.csp_violations.append(m.text),
    )
    try:
        log_in(page_b, live_server, aide, aide_device)
        page_b.goto(live_server.url + reverse("usagers:parcours", args=[usager.pk]))
        page_b.click("main >> text=Documents de ce séjour")
        assert_accessible(page_b)
        text = page_b.inner_text("main")
        assert "Fiche de retour du service des urgences" in text
        assert "Ordonnance du médecin traitant" not in text
        page_b.screenshot(path=str(artifacts / "documents-liste-phone.png"), full_page=True)
    finally:
        phone.close()
