"""The journey pages: waiting list, application, admission, transfer, exit, archive."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from conftest import make_pro
from dui.audit.models import Entree
from dui.comptes.models import Role
from dui.comptes.tests.factories import AffectationFactory
from dui.structures.tests.factories import UniteFactory
from dui.usagers import services_parcours as services
from dui.usagers.models import Candidature, MotifSortie, PriseEnCharge, SuiviSortie
from dui.usagers.tests.factories import CandidatureFactory, PriseEnChargeFactory, UsagerFactory


@pytest.fixture
def accueil(etab):
    return make_pro(etab, "accueil")


def _parcours(usager):
    return f"/usagers/{usager.pk}/parcours/"


# --- Journey tab ---------------------------------------------------------------------------


def test_journey_tab_shows_stays_and_the_actions_the_writer_may_take(login, accueil, usager):
    response = login(accueil).get(_parcours(usager))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enregistrer la sortie" in body
    assert "Nouvelle candidature" in body
    assert Entree.objects.filter(usager_id=usager.pk, details__onglet="usagers:parcours").exists()


def test_soignant_sees_the_journey_without_any_action(login, collegue, usager):
    body = login(collegue).get(_parcours(usager)).content.decode()
    assert "Accompagnements" in body
    assert "Enregistrer la sortie" not in body
    assert "Nouvelle candidature" not in body


def test_journey_of_an_out_of_scope_person_is_not_found(login, autre_etab_pro, usager):
    assert login(autre_etab_pro).get(_parcours(usager)).status_code == 404


def test_journey_shows_exit_details_and_follow_ups(login, accueil, prise_en_charge, usager):
    services.prise_en_charge_sortir(
        user=accueil,
        sejour=prise_en_charge,
        date_sortie=datetime.date(2024, 10, 1),
        motif=MotifSortie.DECES,
    )
    body = login(accueil).get(_parcours(usager)).content.decode()
    assert "Décès" in body
    assert "Informer la famille et les partenaires" in body
    assert "Marquer comme fait" in body


# --- Refusals for read-only users ------------------------------------------------------------


def test_soignant_cannot_record_an_exit(login, collegue, usager, prise_en_charge):
    url = f"/usagers/{usager.pk}/sejours/{prise_en_charge.pk}/sortie/"
    response = login(collegue).post(
        url, {"date_sortie": "2024-10-01", "motif": MotifSortie.RETOUR_DOMICILE}
    )
    assert response.status_code == 404
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.date_fin is None


def test_soignant_cannot_decide_an_application(login, collegue, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    response = login(collegue).post(
        f"/usagers/{usager.pk}/candidatures/{candidature.pk}/",
        {"action": "decider", "decider-version": 1, "decider-decision": "acceptee"},
    )
    assert response.status_code == 404
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.RECUE


def test_soignant_cannot_mark_a_follow_up_done(login, accueil, collegue, usager, prise_en_charge):
    services.prise_en_charge_sortir(
        user=accueil, sejour=prise_en_charge, date_sortie=datetime.date(2024, 10, 1), motif="autre"
    )
    suivi = prise_en_charge.suivis_sortie.first()
    response = login(collegue).post(f"/usagers/{usager.pk}/suivis/{suivi.pk}/fait/")
    assert response.status_code == 404
    suivi.refresh_from_db()
    assert suivi.fait_le is None


def test_soignant_cannot_archive(login, collegue, usager):
    assert login(collegue).post(f"/usagers/{usager.pk}/archiver/").status_code == 404


# --- Waiting list ----------------------------------------------------------------------------


def test_waiting_list_is_sorted_by_priority_then_date(login, accueil, etab, organisme):
    old = CandidatureFactory(etablissement=etab, date_reception=datetime.date(2024, 1, 1))
    urgent = CandidatureFactory(etablissement=etab, priorite=3)
    recent = CandidatureFactory(etablissement=etab, date_reception=datetime.date(2024, 6, 1))
    CandidatureFactory(etablissement=etab, statut="refusee")
    response = login(accueil).get("/usagers/candidatures/")
    assert [c.pk for c in response.context["candidatures"]] == [urgent.pk, old.pk, recent.pk]
    entry = Entree.objects.filter(object_type="usagers.candidature", action="list").get()
    assert set(entry.details["usager_ids"]) == {old.usager_id, urgent.usager_id, recent.usager_id}


def test_waiting_list_filters_by_status(login, accueil, etab):
    CandidatureFactory(etablissement=etab)
    refusee = CandidatureFactory(etablissement=etab, statut="refusee")
    response = login(accueil).get("/usagers/candidatures/", {"statut": "refusee"})
    assert [c.pk for c in response.context["candidatures"]] == [refusee.pk]


def test_waiting_list_shows_only_the_current_etablissement_unless_asked(login, etab, autre_etab):
    user = make_pro(etab, "accueil")
    AffectationFactory(user=user, etablissement=autre_etab, role=Role.objects.get(code="accueil"))
    ici = CandidatureFactory(etablissement=etab)
    la_bas = CandidatureFactory(etablissement=autre_etab)
    client = login(user)
    client.post("/etablissement/", {"etablissement_id": etab.pk})
    default = client.get("/usagers/candidatures/")
    assert [c.pk for c in default.context["candidatures"]] == [ici.pk]
    toutes = client.get("/usagers/candidatures/", {"organisme": "on"})
    assert {c.pk for c in toutes.context["candidatures"]} == {ici.pk, la_bas.pk}
    service = client.get("/usagers/candidatures/", {"organisme": "on", "service": autre_etab.pk})
    assert [c.pk for c in service.context["candidatures"]] == [la_bas.pk]


def test_waiting_list_leaves_out_services_without_administrative_read(login, accueil, autre_etab):
    CandidatureFactory(etablissement=autre_etab)
    response = login(accueil).get("/usagers/candidatures/", {"organisme": "on"})
    assert response.context["candidatures"] == []


def test_waiting_list_query_count_does_not_grow_with_rows(login, accueil, etab):
    client = login(accueil)
    CandidatureFactory(etablissement=etab)
    client.get("/usagers/candidatures/")
    with CaptureQueriesContext(connection) as few:
        client.get("/usagers/candidatures/")
    for _ in range(5):
        CandidatureFactory(etablissement=etab, premier_contact_prevu_le=timezone.now())
    with CaptureQueriesContext(connection) as many:
        client.get("/usagers/candidatures/")
    assert len(many) == len(few)


# --- Applications ----------------------------------------------------------------------------


def test_new_application_from_the_journey_tab(login, accueil, etab, usager):
    response = login(accueil).post(
        f"/usagers/{usager.pk}/candidatures/nouvelle/",
        {
            "etablissement": etab.pk,
            "source": "mdph",
            "mdph_date_notification": "2024-02-01",
            "mdph_decision_debut": "2024-02-01",
            "mdph_decision_fin": "2029-01-31",
            "date_reception": "2024-03-01",
            "priorite": 2,
        },
    )
    candidature = usager.candidatures.get()
    assert response.status_code == 302
    assert candidature.mdph_decision_fin == datetime.date(2029, 1, 31)
    assert candidature.cree_par == accueil


def test_new_application_to_a_service_without_write_right_is_refused(
    login, accueil, autre_etab, usager
):
    response = login(accueil).post(
        f"/usagers/{usager.pk}/candidatures/nouvelle/",
        {"etablissement": autre_etab.pk, "source": "directe", "date_reception": "2024-03-01"},
    )
    assert response.status_code == 200
    assert "etablissement" in response.context["form"].errors
    assert not usager.candidatures.exists()


def test_stale_decision_is_shown_in_french_and_saves_nothing(login, accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    client = login(accueil)
    url = f"/usagers/{usager.pk}/candidatures/{candidature.pk}/"
    client.post(url, {"action": "decider", "decider-version": 1, "decider-decision": "acceptee"})
    response = client.post(
        url,
        {
            "action": "decider",
            "decider-version": 1,
            "decider-decision": "refusee",
            "decider-motif": "Dossier incomplet.",
        },
    )
    assert response.status_code == 200
    assert escape("modifiée par quelqu'un d'autre") in response.content.decode()
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.ACCEPTEE


def test_planning_the_first_contact_through_the_page(login, accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    response = login(accueil).post(
        f"/usagers/{usager.pk}/candidatures/{candidature.pk}/",
        {"action": "planifier", "planifier-version": 1, "planifier-prevu_le": "2030-01-02T10:30"},
    )
    assert response.status_code == 302
    candidature.refresh_from_db()
    assert timezone.localtime(candidature.premier_contact_prevu_le).hour == 10


# --- Admission, transfer, exit ---------------------------------------------------------------


def test_admission_from_an_accepted_application_through_the_page(
    login, etab, autre_etab, organisme
):
    user = make_pro(autre_etab, "chef_service")
    personne = UsagerFactory(organisme=organisme)
    candidature = CandidatureFactory(usager=personne, etablissement=autre_etab, statut="acceptee")
    unite = UniteFactory(etablissement=autre_etab)
    response = login(user).post(
        f"/usagers/{personne.pk}/admission/?candidature={candidature.pk}",
        {
            "etablissement": autre_etab.pk,
            "unite": unite.pk,
            "type": "heb_temporaire",
            "date_admission": "2024-05-02",
        },
    )
    assert response.status_code == 302
    sejour = PriseEnCharge.objects.get(usager=personne)
    assert (sejour.unite, sejour.candidature) == (unite, candidature)


def test_duplicate_open_stay_is_refused_with_a_message(login, accueil, etab, usager):
    response = login(accueil).post(
        f"/usagers/{usager.pk}/admission/",
        {"etablissement": etab.pk, "type": "heb_permanent", "date_admission": "2024-05-02"},
    )
    assert response.status_code == 200
    assert "déjà un accompagnement en cours" in response.content.decode()
    assert usager.prises_en_charge.count() == 1


def test_unit_transfer_through_the_page(login, accueil, etab, usager, prise_en_charge):
    unite = UniteFactory(etablissement=etab)
    response = login(accueil).post(
        f"/usagers/{usager.pk}/sejours/{prise_en_charge.pk}/transfert/",
        {"transfert": "unite", "unite-unite": unite.pk, "unite-date": "2024-06-01"},
    )
    assert response.status_code == 302
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.unite == unite
    assert prise_en_charge.mouvements.count() == 1


def test_service_transfer_through_the_page(login, etab, autre_etab, usager, prise_en_charge):
    user = make_pro(etab, "direction")
    AffectationFactory(user=user, etablissement=autre_etab, role=Role.objects.get(code="direction"))
    response = login(user).post(
        f"/usagers/{usager.pk}/sejours/{prise_en_charge.pk}/transfert/",
        {
            "transfert": "service",
            "service-etablissement": autre_etab.pk,
            "service-type": "heb_permanent",
            "service-date_admission": "2024-07-01",
        },
    )
    assert response.status_code == 302
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.motif_sortie == MotifSortie.TRANSFERT_INTERNE
    assert usager.prises_en_charge.get(date_fin__isnull=True).etablissement == autre_etab


def test_exit_date_before_admission_is_refused_with_a_message(
    login, accueil, usager, prise_en_charge
):
    response = login(accueil).post(
        f"/usagers/{usager.pk}/sejours/{prise_en_charge.pk}/sortie/",
        {"date_sortie": "2023-12-31", "motif": MotifSortie.RETOUR_DOMICILE},
    )
    assert response.status_code == 200
    assert escape("ne peut pas précéder la date d'admission") in response.content.decode()
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.date_fin is None


def test_exit_through_the_page_creates_follow_ups(login, accueil, usager, prise_en_charge):
    response = login(accueil).post(
        f"/usagers/{usager.pk}/sejours/{prise_en_charge.pk}/sortie/",
        {"date_sortie": "2024-10-01", "motif": MotifSortie.AUTRE_ETABLISSEMENT},
    )
    assert response.status_code == 302
    assert prise_en_charge.suivis_sortie.count() == len(
        services.suivis_par_defaut(MotifSortie.AUTRE_ETABLISSEMENT)
    )


def test_follow_up_marked_done_through_the_page(login, accueil, usager, prise_en_charge):
    services.prise_en_charge_sortir(
        user=accueil, sejour=prise_en_charge, date_sortie=datetime.date(2024, 10, 1), motif="autre"
    )
    suivi = prise_en_charge.suivis_sortie.first()
    response = login(accueil).post(
        f"/usagers/{usager.pk}/suivis/{suivi.pk}/fait/", {"commentaire": "Remis en main propre."}
    )
    assert response.status_code == 302
    suivi.refresh_from_db()
    assert (suivi.fait_par, suivi.commentaire) == (accueil, "Remis en main propre.")


def test_overdue_follow_ups_of_the_etablissement(login, accueil, etab, usager, prise_en_charge):
    services.prise_en_charge_sortir(
        user=accueil, sejour=prise_en_charge, date_sortie=datetime.date(2024, 10, 1), motif="autre"
    )
    autre = PriseEnChargeFactory(etablissement=etab, date_fin=timezone.localdate())
    SuiviSortie.objects.create(
        prise_en_charge=autre,
        libelle="Pas encore dû",
        echeance=timezone.localdate() + datetime.timedelta(days=5),
    )
    response = login(accueil).get("/usagers/suivis-sortie/")
    libelles = {s.libelle for s in response.context["suivis"]}
    assert libelles == {libelle for libelle, _ in services.suivis_par_defaut("autre")}
    assert "Pas encore dû" in {
        s.libelle for s in login(accueil).get("/usagers/suivis-sortie/?tous=1").context["suivis"]
    }


# --- Archive -------------------------------------------------------------------------------


def test_archived_record_is_still_readable_and_journaled(login, accueil, usager, prise_en_charge):
    services.prise_en_charge_sortir(
        user=accueil, sejour=prise_en_charge, date_sortie=datetime.date(2024, 10, 1), motif="deces"
    )
    client = login(accueil)
    assert client.post(f"/usagers/{usager.pk}/archiver/").status_code == 302
    response = client.get(_parcours(usager))
    assert response.status_code == 200
    assert "Dossier archivé" in response.content.decode()
    assert "Nouvelle candidature" not in response.content.decode()
    reads = Entree.objects.filter(usager_id=usager.pk, action="read")
    assert reads.filter(details__onglet="usagers:parcours").exists()


def test_change_on_an_archived_record_is_refused_through_the_page(
    login, accueil, etab, usager, prise_en_charge
):
    services.prise_en_charge_sortir(
        user=accueil, sejour=prise_en_charge, date_sortie=datetime.date(2024, 10, 1), motif="deces"
    )
    services.usager_archive(user=accueil, usager=usager)
    response = login(accueil).post(
        f"/usagers/{usager.pk}/candidatures/nouvelle/",
        {"etablissement": etab.pk, "source": "directe", "date_reception": "2024-11-01"},
    )
    assert response.status_code == 200
    assert "archivé" in response.content.decode()
    assert not usager.candidatures.exists()


def test_archive_page_explains_why_an_open_stay_prevents_it(login, accueil, usager):
    response = login(accueil).post(f"/usagers/{usager.pk}/archiver/")
    assert response.status_code == 200
    assert "encore accompagnée" in response.content.decode()
    usager.refresh_from_db()
    assert usager.archive_le is None
