"""A médecin, on a phone, generates the lettre de liaison d'entrée of a person whose identity
is qualifiée: the PDF/A and its valid CDA R2 land in the person's documents."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.documents.models import Document
from dui.interop.cda import valider
from dui.interop.cda.header import lire_entete
from dui.interop.cda.tests.conftest import qualifier
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_letter_is_generated_from_a_phone(browser, live_server, artifacts):
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    usager = qualifier(PriseEnChargeFactory(etablissement=ehpad).usager)
    medecin = UserFactory(prenom="Marc", nom="Médecin", email="medecin@exemple.fr")
    AffectationFactory(user=medecin, etablissement=ehpad, role=Role.objects.get(code="medecin"))
    device = TOTPDevice.objects.create(user=medecin, name="téléphone", confirmed=True)

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
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
    try:
        log_in(page, live_server, medecin, device)
        page.goto(live_server.url + reverse("cda:generer", args=[usager.pk]))
        assert_accessible(page)
        page.select_option("#id_kind", "lettre_entree")
        page.fill("#id_texte", "Arrive avec son fauteuil roulant.")
        page.screenshot(path=str(artifacts / "cda-generer-telephone.png"), full_page=True)
        page.click("main form button[type=submit]")
        document = Document.objects.get(usager=usager)
        page.wait_for_url(f"**{reverse('documents:detail', args=[usager.pk, document.pk])}")
        assert_accessible(page)
        assert "Document généré" in page.inner_text("body")
    finally:
        context.close()

    cda = document.versions.get().cda_bytes()
    assert valider(cda) == []
    assert lire_entete(cda)["patient"]["ins"] == usager.matricule_ins
