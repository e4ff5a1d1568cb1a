"""Background INSi tasks: retry after an outage, periodic re-verification, its command."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend

from dui.audit.models import AuditAction, Entree
from dui.interop.pki import make_test_pki
from dui.usagers import tasks
from dui.usagers.identite import StatutIdentite
from dui.usagers.tests.insi_support import (
    qualify,
    running_insi,
    simulated,
    stop,
    valid_matricule,
)

MARTIN_DURAND = ("MARTIN-DURAND", "1941-05-03")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def insi(settings, pki):
    with running_insi(settings, pki) as server:
        yield server


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def test_reverification_downgrades_an_identity_whose_matricule_insi_no_longer_confirms(
    insi, usager
):
    qualify(usager, simulated(*MARTIN_DURAND), matricule=valid_matricule("2410569123099"))
    counts = tasks.reverifier()
    usager.refresh_from_db()
    assert counts["declassees"] == 1
    assert (usager.statut_identite, usager.matricule_ins) == (StatutIdentite.VALIDEE, "")
    event = usager.evenements_identite.get()
    assert event.user is None
    assert event.motif == "Vérification INSi : le matricule INS a changé"
    assert Entree.objects.filter(
        action=AuditAction.UPDATE, usager_id=usager.pk, details__declassement="VALI"
    ).exists()


def test_reverification_confirms_a_matching_identity_and_dates_the_call(insi, usager):
    qualify(usager, simulated(*MARTIN_DURAND))
    counts = tasks.reverifier()
    usager.refresh_from_db()
    assert counts["conformes"] == 1
    assert usager.statut_identite == StatutIdentite.QUALIFIEE
    assert usager.ins_interroge_le is not None
    assert usager.evenements_identite.get().details == {"code_cr": "00", "tache": "verification"}
    assert Entree.objects.filter(usager_id=usager.pk, details__tache="verification").exists()


def test_reverification_leaves_the_identity_when_insi_is_down(insi, usager):
    qualify(usager, simulated(*MARTIN_DURAND), matricule=valid_matricule("2410569123099"))
    stop(insi)
    counts = tasks.reverifier()
    usager.refresh_from_db()
    assert counts["injoignable"] == 1
    assert usager.statut_identite == StatutIdentite.QUALIFIEE
    assert not usager.evenements_identite.exists()


def test_recently_verified_identity_is_not_verified_again(insi, usager, settings):
    settings.INSI_REVERIFY_DAYS = 30
    qualify(usager, simulated(*MARTIN_DURAND))
    usager.ins_interroge_le = timezone.now() - datetime.timedelta(days=10)
    usager.save()
    assert tasks.reverifier()["verifiees"] == 0
    assert insi.requests == []


def test_retry_records_the_return_code_and_changes_nothing_else(insi, usager, referent):
    usager.nom_naissance = "MARTIN-DURAND"
    usager.prenoms_naissance = "Hélène"
    usager.date_naissance = datetime.date(1941, 5, 3)
    usager.lieu_naissance_insee = "69123"
    usager.save()
    assert tasks.insi_retry.call(usager.pk, referent.pk) == "00"
    usager.refresh_from_db()
    assert (usager.statut_identite, usager.matricule_ins) == ("PROV", "")
    event = usager.evenements_identite.get()
    assert event.details["tache"] == "relance" and event.details["code_cr"] == "00"
    assert Entree.objects.filter(usager_id=usager.pk, details__tache="relance").exists()


def test_retry_reschedules_itself_while_insi_stays_down(insi, usager, referent, dummy_tasks):
    stop(insi)
    assert tasks.insi_retry.call(usager.pk, referent.pk, 1) == "reprogrammee"
    [queued] = dummy_tasks.results
    assert queued.args == [usager.pk, referent.pk, 2]
    assert queued.task.run_after is not None
    assert not usager.evenements_identite.exists()


def test_retry_gives_up_after_the_last_attempt(insi, usager, referent, dummy_tasks):
    stop(insi)
    assert tasks.insi_retry.call(usager.pk, referent.pk, tasks.MAX_TENTATIVES) == "echec"
    assert dummy_tasks.results == []


def test_command_runs_the_reverification_and_prints_counts(insi, usager):
    qualify(usager, simulated(*MARTIN_DURAND))
    out = io.StringIO()
    call_command("insi_reverifier", stdout=out)
    assert "Identités vérifiées : 1 ; conformes : 1 ; déclassées : 0" in out.getvalue()


def test_command_can_enqueue_the_task(usager, dummy_tasks):
    out = io.StringIO()
    call_command("insi_reverifier", "--enqueue", "--batch", "50", stdout=out)
    [queued] = dummy_tasks.results
    assert queued.task.name == "insi_reverifier_identites_qualifiees"
    assert queued.kwargs == {"batch": 50}
    assert "Tâche programmée" in out.getvalue()
