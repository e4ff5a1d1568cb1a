"""The INSi journey through the views, against the real simulator over a TLS socket."""

import datetime
import html

import pytest
from django.urls import reverse
from django_tasks import default_task_backend

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.interop.pki import make_test_pki
from dui.usagers import views_identite
from dui.usagers.identite import StatutIdentite
from dui.usagers.tests.insi_support import running_insi, simulated, stop


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def insi(settings, pki):
    with running_insi(settings, pki) as server:
        yield server


@pytest.fixture
def accueil(etab):
    return make_pro(etab, "accueil")


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def with_traits(usager, nom, prenoms, date, sexe="F", lieu=""):
    usager.nom_naissance = nom
    usager.prenoms_naissance = prenoms
    usager.date_naissance = datetime.date.fromisoformat(date)
    usager.sexe = sexe
    usager.lieu_naissance_insee = lieu
    usager.save()
    return usager


def url(name, usager):
    return reverse(f"usagers:{name}", args=[usager.pk])


def text(response):
    return html.unescape(response.content.decode())


def search(client, usager):
    return client.post(url("identite_insi", usager), {"version": usager.version})


def test_found_identity_is_compared_accepted_then_qualified_with_a_passport(
    insi, accueil, usager, login
):
    with_traits(usager, "MARTIN-DURAND", "Hélène", "1941-05-03", lieu="69123")
    client = login(accueil)

    compared = search(client, usager)
    page = text(compared)
    assert compared.status_code == 200
    assert "Renvoyé par l'INSi" in page
    assert 'class="diff"' in page and "⚠ Différent" in page  # the other first names
    assert "HELENE MARIE THERESE" in page
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.PROVISOIRE  # nothing until accepted

    signed = compared.context["accepter_form"].initial["resultat"]
    accepted = client.post(url("identite_insi_accepter", usager), {"resultat": signed})
    assert accepted.status_code == 302
    usager.refresh_from_db()
    expected = simulated("MARTIN-DURAND", "1941-05-03")
    assert usager.statut_identite == StatutIdentite.RECUPEREE
    assert usager.matricule_ins == expected.ins.matricule
    assert usager.prenoms_naissance == "HELENE MARIE THERESE"
    assert usager.ins_interroge_le is not None
    assert Entree.objects.filter(
        action=AuditAction.UPDATE, usager_id=usager.pk, details__insi="00"
    ).exists()

    client.post(
        url("identite_justificatif", usager), {"version": usager.version, "justificatif": "PA"}
    )
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.QUALIFIEE
    page = text(client.get(url("identite", usager)))
    assert "Matricule INS (NIR)" in page


def test_several_identities_advise_other_first_names_then_the_birthplace(
    insi, accueil, usager, login
):
    with_traits(usager, "BERNARD", "Louise", "1938-02-11")
    response = search(login(accueil), usager)
    page = text(response)
    assert "Plusieurs identités correspondent" in page
    assert "tous les prénoms de naissance" in page and "lieu de naissance" in page
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.PROVISOIRE
    assert usager.evenements_identite.get().details["code_cr"] == "02"


def test_no_identity_found_is_explained_and_traced(insi, accueil, usager, login):
    with_traits(usager, "INCONNUE", "Personne", "1950-01-01")
    page = text(search(login(accueil), usager))
    assert "Aucune identité trouvée" in page
    assert "Vérifiez les traits sur la pièce d'identité" in page
    assert usager.evenements_identite.get().details["code_cr"] == "01"


def test_insi_down_changes_nothing_and_schedules_a_retry(insi, accueil, usager, login, dummy_tasks):
    with_traits(usager, "MARTIN-DURAND", "Hélène", "1941-05-03")
    stop(insi)
    version = usager.version
    client = login(accueil)
    response = search(client, usager)
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert views_identite.INSI_INDISPONIBLE in page
    usager.refresh_from_db()
    assert (usager.version, usager.statut_identite) == (version, "PROV")
    assert not usager.evenements_identite.exists()
    [queued] = dummy_tasks.results
    assert queued.task.name == "insi_retry"
    assert queued.args[:2] == [usager.pk, accueil.pk]


def test_insi_fault_is_handled_like_an_outage(insi, accueil, usager, login, dummy_tasks):
    with_traits(usager, "ERREUR-TECHNIQUE", "Test", "1950-01-01")
    response = search(login(accueil), usager)
    assert response.status_code == 302
    assert len(dummy_tasks.results) == 1
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.PROVISOIRE


def test_tampered_insi_answer_is_refused(insi, accueil, usager, login):
    with_traits(usager, "MARTIN-DURAND", "Hélène", "1941-05-03")
    client = login(accueil)
    signed = search(client, usager).context["accepter_form"].initial["resultat"]
    tampered = signed.replace(signed[5], "A" if signed[5] != "A" else "B", 1)
    response = client.post(url("identite_insi_accepter", usager), {"resultat": tampered})
    assert response.status_code == 400
    assert "données altérées" in text(response)
    usager.refresh_from_db()
    assert (usager.statut_identite, usager.matricule_ins) == ("PROV", "")


def test_answer_for_another_person_is_refused(insi, accueil, usager, etab, login):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    other = PriseEnChargeFactory(etablissement=etab).usager
    with_traits(usager, "MARTIN-DURAND", "Hélène", "1941-05-03")
    client = login(accueil)
    signed = search(client, usager).context["accepter_form"].initial["resultat"]
    response = client.post(url("identite_insi_accepter", other), {"resultat": signed})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.matricule_ins == ""


def test_expired_insi_answer_is_refused(insi, accueil, usager, login, monkeypatch):
    with_traits(usager, "MARTIN-DURAND", "Hélène", "1941-05-03")
    client = login(accueil)
    signed = search(client, usager).context["accepter_form"].initial["resultat"]
    monkeypatch.setattr(views_identite, "INSI_MAX_AGE_SECONDS", -1)
    response = client.post(url("identite_insi_accepter", usager), {"resultat": signed})
    assert "plus de 10 minutes" in text(client.get(response["Location"]))
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.PROVISOIRE


def test_soignant_cannot_call_insi(insi, collegue, usager, login):
    response = login(collegue).post(url("identite_insi", usager), {"version": usager.version})
    assert response.status_code == 404
    assert insi.requests == []
