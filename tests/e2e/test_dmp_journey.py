"""An infirmière of an EHPAD feeds a resident's DMP: the identity is qualifiée and a DLU was
generated (PDF + CDA, as the DLU tab does); she records that the resident was informed,
sends the DLU masked to other professionals, the outbox delivers it to the DMP simulator,
and she finds it listed from the DMP and opens its readable content. A soignante on a
phone sees the sending state but cannot consult the DMP."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.interop.dmp import services
from dui.interop.models import EnvoiDMP, StatutEnvoi
from dui.interop.pki import make_test_pki
from dui.interop.tests.dmp_support import qualifier, running_dmp
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dmp(settings, tmp_path):
    with running_dmp(settings, make_test_pki(tmp_path / "pki")) as server:
        yield server


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
    return ehpad, sejour.usager, people


def generate_dlu(usager, user, etab):
    from dui.dlu import schema
    from dui.dlu.models import DLU
    from dui.interop.cda import generer
    from dui.interop.cda.generation import enregistrer

    donnees = schema.vide("ehpad")
    donnees["allergies"]["liste"] = [
        {"substance": "Pénicilline", "reaction": "Urticaire", "severite": "moderee"}
    ]
    dlu = DLU.objects.create(
        usager=usager,
        numero=1,
        statut="valide",
        etablissement=etab,
        donnees=donnees,
        cree_par=user,
        modifie_par=user,
        valide_le=timezone.now(),
        valide_par=user,
    )
    generated = generer("dlu", usager, user, dlu=dlu)
    assert generated.valide, generated.erreurs
    return enregistrer(generated, user=user, usager=usager)


def test_inform_send_a_dlu_and_find_it_in_the_dmp(browser, page, live_server, team, dmp, artifacts):
    etab, usager, people = team
    ide, ide_device = people["ide"]
    qualifier(usager)
    version = generate_dlu(usager, ide, etab)

    log_in(page, live_server, ide, ide_device)
    page.goto(live_server.url + reverse("dmp:documents", args=[usager.pk]))
    assert_accessible(page)
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

    form = f"main form[action='{reverse('dmp:envoyer', args=[usager.pk, version.pk])}']"
    page.check(f"{form} input[name=masque_ps]")
    page.click(f"{form} button[type=submit]")
    page.wait_for_url(f"**{reverse('dmp:documents', args=[usager.pk])}")
    assert "DMP : à envoyer" in page.inner_text("main")
    envoi = EnvoiDMP.objects.get()
    assert services.executer_envoi(envoi.pk) == "envoye"  # what the task worker runs
    page.reload()
    assert "DMP : envoyé" in page.inner_text("main")
    assert dmp.registre.recus == 1
    page.screenshot(path=str(artifacts / "dmp-onglet.png"), full_page=True)

    page.click("main >> text=Consulter le DMP de la personne")
    page.wait_for_url(f"**{reverse('dmp:consulter', args=[usager.pk])}")
    assert_accessible(page)
    text = page.inner_text("main")
    assert "Masqué aux professionnels de santé" in text
    page.click("main table >> a >> nth=0")
    assert_accessible(page)
    assert "Allergies" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "dmp-document.png"), full_page=True)
    assert EnvoiDMP.objects.get().statut == StatutEnvoi.ENVOYE

    aide, aide_device = people["as"]
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page_b = phone.new_page()
    page_b.csp_violations = []  # type: ignore[attr-defined]
    try:
        log_in(page_b, live_server, aide, aide_device)
        page_b.goto(live_server.url + reverse("dmp:documents", args=[usager.pk]))
        assert_accessible(page_b)
        assert "Consulter le DMP" not in page_b.inner_text("main")
        page_b.screenshot(path=str(artifacts / "dmp-onglet-phone.png"), full_page=True)
    finally:
        phone.close()
