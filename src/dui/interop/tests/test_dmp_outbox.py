"""Consent rules and the outbox: decision + task in one transaction, retries with backoff on
technical errors, none on refusals, idempotent resends (counted in the simulator)."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dui.audit.models import AuditAction, Entree
from dui.interop.dmp import client, services
from dui.interop.dmp.services import DMPRegleError
from dui.interop.models import EnvoiDMP, StatutEnvoi, TypeConsentementDMP
from dui.interop.tests.dmp_support import (
    INS_A,
    qualifier,
    running_dmp,
    start_dmp,
    version_generee,
)
from dui.usagers.identite import StatutIdentite

TODAY = datetime.date.today()


@pytest.fixture
def simulateur(dmp_pki, settings):
    settings.DMP_RETRY_BASE_SECONDS = 0
    with running_dmp(settings, dmp_pki) as server:
        yield server


def restart(server, dmp_pki):
    """A new simulator on the same port with the same DMP contents."""
    return start_dmp(dmp_pki, server.server_address[:2], registre=server.registre)


def stop(server):
    server.stop()


def informer(user, usager):
    etat = services.etat_consentement(usager)
    return services.enregistrer_consentement(
        user,
        usager,
        type=TypeConsentementDMP.INFORMATION,
        date=TODAY,
        destinataire="personne",
        moyen="oral",
        par="Rita Référente",
        dernier_vu=etat.dernier.pk if etat.dernier else None,
    )


def opposer(user, usager):
    etat = services.etat_consentement(usager)
    return services.enregistrer_consentement(
        user,
        usager,
        type=TypeConsentementDMP.OPPOSITION,
        date=TODAY,
        motif="Ne souhaite pas",
        dernier_vu=etat.dernier.pk if etat.dernier else None,
    )


def worker(max_tasks=None):
    """The real database worker, in this process: it must not close the test's connection
    (it does so between tasks to drop expired connections)."""
    args = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"]
    if max_tasks:
        args += ["--max-tasks", str(max_tasks)]
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command(*args)


@pytest.fixture
def pret(usager, referent):
    qualifier(usager)
    informer(referent, usager)
    return usager


# --- consent ---------------------------------------------------------------------------


def test_consent_history_is_kept_and_the_latest_decision_counts(usager, referent):
    informer(referent, usager)
    opposer(referent, usager)
    assert services.etat_consentement(usager).oppose
    etat = services.etat_consentement(usager)
    services.enregistrer_consentement(
        referent,
        usager,
        type=TypeConsentementDMP.RETRAIT,
        date=TODAY,
        motif="A changé d'avis",
        dernier_vu=etat.dernier.pk,
    )
    etat = services.etat_consentement(usager)
    assert not etat.oppose and etat.informe
    assert [c.type for c in etat.historique] == ["retrait", "opposition", "information"]
    assert Entree.objects.filter(
        usager_id=usager.pk, action=AuditAction.CREATE, details__consentement_dmp="opposition"
    ).exists()


def test_a_stale_consent_form_changes_nothing(usager, referent):
    informer(referent, usager)
    with pytest.raises(DMPRegleError, match="entre-temps"):
        services.enregistrer_consentement(
            referent, usager, type="opposition", date=TODAY, dernier_vu=None
        )
    assert not services.etat_consentement(usager).oppose


def test_information_needs_who_how_and_by_whom(usager, referent):
    with pytest.raises(DMPRegleError, match="qui a été informé"):
        services.enregistrer_consentement(
            referent, usager, type="information", date=TODAY, dernier_vu=None, moyen="oral"
        )
    with pytest.raises(DMPRegleError, match="futur"):
        services.enregistrer_consentement(
            referent,
            usager,
            type="information",
            date=TODAY + datetime.timedelta(days=1),
            destinataire="personne",
            moyen="oral",
            par="X",
            dernier_vu=None,
        )
    assert not services.etat_consentement(usager).historique


# --- the decision to send ---------------------------------------------------------------


def test_opposition_blocks_sending(pret, referent, simulateur):
    version = version_generee(pret, referent)
    opposer(referent, pret)
    with pytest.raises(DMPRegleError, match="opposée"):
        services.demander_envoi(referent, version)
    assert not EnvoiDMP.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_opposition_recorded_after_the_decision_cancels_the_pending_send(
    pret, referent, simulateur
):
    envoi = services.demander_envoi(referent, version_generee(pret, referent))
    opposer(referent, pret)
    worker()
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.REFUSE
    assert "opposée" in envoi.motif
    assert simulateur.registre.depots == 0


def test_no_sending_without_a_qualified_identity_or_information(usager, referent, simulateur):
    qualifier(usager)
    version = version_generee(usager, referent)
    with pytest.raises(DMPRegleError, match="informée"):
        services.demander_envoi(referent, version)
    informer(referent, usager)
    usager.statut_identite = StatutIdentite.VALIDEE
    usager.save()
    with pytest.raises(DMPRegleError, match="qualifiée"):
        services.demander_envoi(referent, version)
    assert not EnvoiDMP.objects.exists()


def test_decision_and_task_are_written_together_and_the_worker_sends(pret, referent, simulateur):
    version = version_generee(pret, referent)
    envoi = services.demander_envoi(referent, version, invisible_patient=True)
    assert envoi.statut == StatutEnvoi.A_ENVOYER
    assert DBTaskResult.objects.count() == 1
    worker()
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE
    assert envoi.envoye_le is not None
    stored = simulateur.registre.documents[envoi.unique_id]
    assert stored.contenu == version.cda_bytes()
    assert stored.fiche.visibilites == ("INVISIBLE_PATIENT",)
    assert Entree.objects.filter(
        action=AuditAction.EXPORT,
        usager_id=pret.pk,
        actor_id=referent.pk,
        details__transaction="ITI-41",
        details__resultat="envoye",
    ).exists()
    with pytest.raises(DMPRegleError, match="déjà envoyée"):
        services.demander_envoi(referent, version)


def test_a_new_version_replaces_the_previous_one_in_the_dmp(pret, referent, simulateur):
    v1 = version_generee(pret, referent)
    services.demander_envoi(referent, v1)
    worker()
    v2 = version_generee(pret, referent, document=v1.document)
    envoi2 = services.demander_envoi(referent, v2)
    assert envoi2.remplace.version == v1
    worker()
    envoi2.refresh_from_db()
    assert envoi2.statut == StatutEnvoi.ENVOYE
    statuts = {u: d.fiche.statut for u, d in simulateur.registre.documents.items()}
    assert statuts[envoi2.remplace.unique_id].endswith("Deprecated")
    assert statuts[envoi2.unique_id].endswith("Approved")


def test_a_business_refusal_is_final_and_not_retried(pret, referent, simulateur):
    simulateur.registre.sans_dmp.add(INS_A)
    envoi = services.demander_envoi(referent, version_generee(pret, referent))
    worker()
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.REFUSE
    assert envoi.codes_erreur == "XDSUnknownPatientId"
    assert "pas de DMP" in envoi.motif
    assert DBTaskResult.objects.count() == 1  # no retry task
    assert simulateur.registre.depots == 1


def test_backoff_is_exponential_and_retries_end_in_error(pret, referent, simulateur, settings):
    settings.DMP_RETRY_BASE_SECONDS = 60
    assert services.delai_nouvel_essai(1) == datetime.timedelta(minutes=1)
    assert services.delai_nouvel_essai(3) == datetime.timedelta(minutes=4)
    assert services.delai_nouvel_essai(30) == datetime.timedelta(hours=6)
    simulateur.disponible = False
    envoi = services.demander_envoi(referent, version_generee(pret, referent))
    before = timezone.now()
    assert services.executer_envoi(envoi.pk) == "nouvel_essai"
    envoi.refresh_from_db()
    assert envoi.tentatives == 1
    assert envoi.prochain_essai >= before + datetime.timedelta(minutes=1)
    assert envoi.statut == StatutEnvoi.A_ENVOYER
    settings.DMP_RETRY_BASE_SECONDS = 0
    for _ in range(services.MAX_TENTATIVES - 1):
        services.executer_envoi(envoi.pk)
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ERREUR
    assert "injoignable" in envoi.motif or "HTTP 503" in envoi.motif
    simulateur.disponible = True
    services.relancer(referent, envoi)
    worker()
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE


def test_the_outbox_survives_a_dmp_outage(pret, referent, simulateur, dmp_pki):
    stop(simulateur)
    envois = [services.demander_envoi(referent, version_generee(pret, referent)) for _ in range(3)]
    worker(max_tasks=3)  # one attempt each, all fail and are rescheduled
    for envoi in envois:
        envoi.refresh_from_db()
        assert (envoi.statut, envoi.tentatives) == (StatutEnvoi.A_ENVOYER, 1)
    server = restart(simulateur, dmp_pki)
    try:
        worker()
    finally:
        stop(server)
    for envoi in envois:
        envoi.refresh_from_db()
        assert envoi.statut == StatutEnvoi.ENVOYE
    assert server.registre.recus == 3
    assert set(server.registre.documents) == {e.unique_id for e in envois}


def test_a_worker_killed_after_the_dmp_accepted_resends_without_duplicate(
    pret, referent, simulateur, monkeypatch
):
    envoi = services.demander_envoi(referent, version_generee(pret, referent))

    def crash(*args, **kwargs):
        raise SystemExit("worker tué avant le commit local")

    monkeypatch.setattr(services, "marquer_envoye", crash)
    with pytest.raises(SystemExit):
        services.executer_envoi(envoi.pk)
    monkeypatch.undo()
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.A_ENVOYER
    assert simulateur.registre.recus == 1
    # Nothing is due yet; later, the sweeper finds the envoi without a task and re-enqueues.
    assert services.reprendre_envois_perdus() == 0
    later = timezone.now() + services.DELAI_REPRISE + datetime.timedelta(seconds=1)
    assert services.reprendre_envois_perdus(now=later) == 1
    worker()
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE
    assert envoi.deja_recu is True
    assert simulateur.registre.recus == 1
    assert simulateur.registre.doublons == 1


def test_query_and_retrieve_with_the_users_vihf(pret, referent, simulateur, etab):
    envoi = services.demander_envoi(referent, version_generee(pret, referent))
    worker()
    envoi.refresh_from_db()
    contexte = services.contexte_vihf(referent, etab, pret)
    fiches = client.rechercher_documents(contexte.patient_ins, contexte)
    assert [f.unique_id for f in fiches] == [envoi.unique_id]
    assert fiches[0].type_code.code == "88348-8"
