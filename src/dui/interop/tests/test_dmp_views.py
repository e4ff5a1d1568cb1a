"""The DMP tab: consent records, sending, consultation of the DMP (ITI-18/ITI-43), failure
list; who may do what, journal entries."""

import datetime
import html

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.interop.dmp import services
from dui.interop.models import ConsentementDMP, EnvoiDMP, StatutEnvoi
from dui.interop.tests.dmp_support import qualifier, running_dmp, version_generee

TODAY = datetime.date.today()


@pytest.fixture
def simulateur(dmp_pki, settings):
    with running_dmp(settings, dmp_pki) as server:
        yield server


def informer(client, usager, **overrides):
    data = {
        "type": "information",
        "date": TODAY.isoformat(),
        "destinataire": "personne",
        "moyen": "document",
        "par": "Rita Référente",
        "motif": "",
        "dernier_vu": "",
        **overrides,
    }
    return client.post(reverse("dmp:consentement", args=[usager.pk]), data)


def envoye(usager, referent):
    """A document of the person sent to the simulated DMP."""
    qualifier(usager)
    services.enregistrer_consentement(
        referent,
        usager,
        type="information",
        date=TODAY,
        destinataire="personne",
        moyen="oral",
        par="X",
        dernier_vu=None,
    )
    envoi = services.demander_envoi(referent, version_generee(usager, referent))
    assert services.executer_envoi(envoi.pk) == "envoye"
    envoi.refresh_from_db()
    return envoi


def test_the_tab_shows_the_consent_state_and_is_journaled(login, referent, usager):
    response = login(referent).get(reverse("dmp:documents", args=[usager.pk]))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Pas encore informée" in body
    assert "n'est pas qualifiée" in body
    assert Entree.objects.filter(
        action=AuditAction.READ, usager_id=usager.pk, details__onglet="dmp:documents"
    ).exists()


def test_a_carer_records_the_information_then_an_opposition(login, collegue, usager):
    client = login(collegue)
    assert informer(client, usager).status_code == 302
    info = ConsentementDMP.objects.get()
    assert (info.moyen, info.par, info.enregistre_par) == ("document", "Rita Référente", collegue)
    response = client.post(
        reverse("dmp:consentement", args=[usager.pk]),
        {
            "type": "opposition",
            "date": TODAY.isoformat(),
            "motif": "Ne souhaite pas",
            "dernier_vu": info.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("dmp:documents", args=[usager.pk])).content.decode()
    assert "Opposée à l'alimentation de son DMP" in html.unescape(page)


def test_bad_consent_input_is_refused_and_nothing_changes(login, referent, usager):
    client = login(referent)
    response = informer(client, usager, moyen="")
    assert response.status_code == 400
    assert "qui a été informé" in html.unescape(response.content.decode())
    response = informer(client, usager, date="pas une date")
    assert response.status_code == 400
    assert not ConsentementDMP.objects.exists()
    # A stale form (someone recorded an event meanwhile) changes nothing either.
    assert informer(client, usager).status_code == 302
    assert informer(client, usager).status_code == 400
    assert ConsentementDMP.objects.count() == 1


def test_who_cannot_write_soins_cannot_record_consent(login, usager, etab, autre_etab_pro):
    educatif = make_pro(etab, "educatif")
    for user in (educatif, autre_etab_pro):
        assert informer(login(user), usager).status_code == 404
    assert not ConsentementDMP.objects.exists()


def test_sending_from_the_tab_with_visibility_choices(login, referent, usager, simulateur):
    qualifier(usager)
    client = login(referent)
    informer(client, usager)
    version = version_generee(usager, referent)
    page = client.get(reverse("dmp:documents", args=[usager.pk])).content.decode()
    assert reverse("dmp:envoyer", args=[usager.pk, version.pk]) in page
    response = client.post(
        reverse("dmp:envoyer", args=[usager.pk, version.pk]), {"masque_ps": "on"}
    )
    assert response.status_code == 302
    envoi = EnvoiDMP.objects.get()
    assert (envoi.masque_ps, envoi.invisible_patient, envoi.statut) == (
        True,
        False,
        StatutEnvoi.A_ENVOYER,
    )
    page = client.get(reverse("dmp:documents", args=[usager.pk])).content.decode()
    assert "DMP : à envoyer" in page


def test_sending_is_refused_when_opposed(login, referent, usager, simulateur):
    qualifier(usager)
    version = version_generee(usager, referent)
    client = login(referent)
    informer(client, usager)
    client.post(
        reverse("dmp:consentement", args=[usager.pk]),
        {
            "type": "opposition",
            "date": TODAY.isoformat(),
            "dernier_vu": ConsentementDMP.objects.get().pk,
        },
    )
    response = client.post(reverse("dmp:envoyer", args=[usager.pk, version.pk]), follow=True)
    assert "opposée" in html.unescape(response.content.decode())
    assert not EnvoiDMP.objects.exists()


def test_another_persons_version_is_not_found(login, referent, usager, simulateur, etab):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    other = PriseEnChargeFactory(etablissement=etab).usager
    qualifier(other)
    version = version_generee(other, referent)
    response = login(referent).post(reverse("dmp:envoyer", args=[usager.pk, version.pk]))
    assert response.status_code == 404


def test_a_health_professional_lists_and_opens_dmp_documents(login, referent, usager, simulateur):
    envoi = envoye(usager, referent)
    client = login(referent)
    response = client.get(reverse("dmp:consulter", args=[usager.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lettre de liaison" in body
    assert Entree.objects.filter(
        action=AuditAction.LIST,
        usager_id=usager.pk,
        actor_id=referent.pk,
        details__transaction="ITI-18",
        details__documents=1,
    ).exists()
    url = reverse("dmp:ouvrir", args=[usager.pk])
    params = {"uid": envoi.unique_id, "repo": "1.2.250.1.213.4.1.1.99"}
    page = client.get(url, params)
    assert page.status_code == 200
    assert "Ouvrir le PDF" in page.content.decode()
    pdf = client.get(url, {**params, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        Entree.objects.filter(
            action=AuditAction.READ, details__transaction="ITI-43", details__resultat="ok"
        ).count()
        == 2
    )


def test_a_care_worker_without_medical_access_does_not_consult_the_dmp(
    login, collegue, usager, referent, simulateur
):
    envoi = envoye(usager, referent)
    client = login(collegue)
    assert client.get(reverse("dmp:consulter", args=[usager.pk])).status_code == 404
    params = {"uid": envoi.unique_id, "repo": "1.2.250.1.213.4.1.1.99"}
    assert client.get(reverse("dmp:ouvrir", args=[usager.pk]), params).status_code == 404
    assert not Entree.objects.filter(details__transaction="ITI-43").exists()
    page = client.get(reverse("dmp:documents", args=[usager.pk])).content.decode()
    assert reverse("dmp:consulter", args=[usager.pk]) not in page
    # The letter is medical data (dui.documents types): not listed for a care worker either.
    assert "Lettre de liaison" not in page
    tab = login(referent).get(reverse("dmp:documents", args=[usager.pk]))
    assert "DMP : envoyé" in tab.content.decode()


def test_a_structured_document_is_rendered_readably(login, referent, usager, simulateur):
    from pathlib import Path

    from dui.interop.dmp.rendu import rendre

    dlu = (
        Path(__file__).resolve().parents[5]
        / "shared/reference/ci-sis/ExemplesCDA/DLU-EHPAD-DLU_2022.01.xml"
    ).read_bytes()
    lu = rendre(dlu)
    assert lu.pdf is None
    titres = [s.titre for s in lu.sections]
    assert any("Allergies" in t for t in titres)
    assert all("<script" not in s.html for s in lu.sections)


def test_dmp_unreachable_shows_a_french_error(login, referent, usager, simulateur):
    qualifier(usager)
    simulateur.disponible = False
    response = login(referent).get(reverse("dmp:consulter", args=[usager.pk]))
    assert response.status_code == 200
    assert "DMP injoignable" in response.content.decode()
    assert Entree.objects.filter(details__transaction="ITI-18", details__resultat="erreur").exists()


def test_failure_list_and_retry(login, referent, usager, simulateur):
    envoi = envoye(usager, referent)
    EnvoiDMP.objects.filter(pk=envoi.pk).update(statut=StatutEnvoi.ERREUR, motif="DMP injoignable")
    client = login(referent)
    page = client.get(reverse("dmp:echecs"))
    assert page.status_code == 200
    assert "DMP injoignable" in page.content.decode()
    assert client.post(reverse("dmp:relancer", args=[envoi.pk])).status_code == 302
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.A_ENVOYER
    # Retrying something that is not in error changes nothing.
    response = client.post(reverse("dmp:relancer", args=[envoi.pk]), follow=True)
    assert "Seul un envoi en erreur" in html.unescape(response.content.decode())


def test_the_tab_costs_the_same_queries_whatever_the_number_of_documents(
    login, referent, usager, simulateur
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    qualifier(usager)
    client = login(referent)
    informer(client, usager)
    url = reverse("dmp:documents", args=[usager.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.demander_envoi(referent, version_generee(usager, referent))
    one = count()
    for _ in range(3):
        services.demander_envoi(referent, version_generee(usager, referent))
    assert count() == one


def test_the_document_page_shows_its_dmp_state(login, referent, usager, simulateur):
    envoi = envoye(usager, referent)
    document = envoi.version.document
    page = html.unescape(
        login(referent)
        .get(reverse("documents:detail", args=[usager.pk, document.pk]))
        .content.decode()
    )
    assert "DMP : envoyé" in page


def test_the_documents_tab_offers_generation_to_who_may_generate(login, referent, usager, etab):
    generer = reverse("cda:generer", args=[usager.pk])
    liste = reverse("documents:liste", args=[usager.pk])
    assert generer in login(referent).get(liste).content.decode()
    accueil = make_pro(etab, "accueil")
    assert generer not in login(accueil).get(liste).content.decode()
