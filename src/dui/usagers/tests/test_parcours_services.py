"""The journey services: applications, admission, transfers, exit, follow-ups, archive."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.structures.tests.factories import EtablissementFactory, UniteFactory
from dui.usagers import services_parcours as services
from dui.usagers.identite import IdentiteError
from dui.usagers.models import (
    Candidature,
    MotifSortie,
    MouvementUnite,
    PriseEnCharge,
    SuiviSortie,
    TypePriseEnCharge,
    Usager,
)
from dui.usagers.tests.factories import CandidatureFactory, PriseEnChargeFactory, UsagerFactory

HEB = TypePriseEnCharge.HEBERGEMENT_PERMANENT


@pytest.fixture
def accueil(etab, autre_etab):
    return make_pro(etab, "accueil")


def _entries(obj, action):
    return Entree.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def _admit(user, usager, etablissement, **kwargs):
    values = {"unite": None, "type": HEB, "date_admission": datetime.date(2024, 5, 1)}
    values.update(kwargs)
    return services.prise_en_charge_admettre(
        user=user, usager=usager, etablissement=etablissement, **values
    )


# --- Applications ------------------------------------------------------------------------


def test_application_is_created_and_journaled(accueil, etab, usager):
    candidature = services.candidature_create(
        user=accueil,
        usager=usager,
        etablissement=etab,
        source=Candidature.Source.VIATRAJECTOIRE,
        reference_viatrajectoire="VT-123",
        priorite=Candidature.Priorite.HAUTE,
    )
    assert candidature.statut == Candidature.Statut.RECUE
    assert candidature.cree_par == accueil
    entry = _entries(candidature, "create").get()
    assert entry.usager_id == usager.pk
    assert entry.etablissement_id == etab.pk


def test_person_may_apply_to_several_services_of_the_organisme(accueil, etab, autre_etab, usager):
    for service in (etab, autre_etab):
        services.candidature_create(
            user=accueil, usager=usager, etablissement=service, source="directe"
        )
    assert usager.candidatures.count() == 2


def test_second_open_application_to_the_same_service_is_refused(accueil, etab, usager):
    services.candidature_create(user=accueil, usager=usager, etablissement=etab, source="directe")
    with pytest.raises(services.ParcoursError, match="déjà en cours"):
        services.candidature_create(
            user=accueil, usager=usager, etablissement=etab, source="directe"
        )
    assert usager.candidatures.count() == 1


def test_application_to_a_service_of_another_organisme_is_refused(accueil, usager):
    ailleurs = EtablissementFactory()
    with pytest.raises(services.ParcoursError, match="organisme gestionnaire"):
        services.candidature_create(
            user=accueil, usager=usager, etablissement=ailleurs, source="directe"
        )
    assert not usager.candidatures.exists()


def test_viatrajectoire_application_needs_its_reference(accueil, etab, usager):
    with pytest.raises(services.ParcoursError, match="ViaTrajectoire"):
        services.candidature_create(
            user=accueil, usager=usager, etablissement=etab, source="viatrajectoire"
        )
    assert not usager.candidatures.exists()


def test_planning_the_first_contact_puts_the_application_under_study(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    prevu = timezone.now() + datetime.timedelta(days=3)
    services.candidature_plan_contact(
        user=accueil, candidature=candidature, prevu_le=prevu, expected_version=1
    )
    candidature.refresh_from_db()
    assert candidature.premier_contact_prevu_le == prevu
    assert candidature.statut == Candidature.Statut.EN_ETUDE
    assert candidature.version == 2
    assert _entries(candidature, "update").get().details["champ"] == "premier_contact_prevu_le"


def test_tracing_the_first_contact_records_its_report(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    fait = timezone.now() - datetime.timedelta(hours=2)
    services.candidature_trace_contact(
        user=accueil,
        candidature=candidature,
        fait_le=fait,
        compte_rendu="Visite avec la fille.",
        expected_version=1,
    )
    candidature.refresh_from_db()
    assert candidature.premier_contact_fait_le == fait
    assert candidature.premier_contact_compte_rendu == "Visite avec la fille."
    assert _entries(candidature, "update").count() == 1


def test_accepting_records_who_and_when(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    services.candidature_decide(
        user=accueil, candidature=candidature, decision="acceptee", expected_version=1
    )
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.ACCEPTEE
    assert candidature.decision_par == accueil
    assert candidature.decision_le is not None
    assert _entries(candidature, "update").get().details["decision"] == "acceptee"


def test_refusal_without_reason_is_refused(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    with pytest.raises(services.ParcoursError, match="motif du refus"):
        services.candidature_decide(
            user=accueil, candidature=candidature, decision="refusee", expected_version=1
        )
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.RECUE
    assert not _entries(candidature, "update").exists()


def test_withdrawal_after_acceptance_is_recorded_with_its_reason(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab, statut="acceptee")
    services.candidature_decide(
        user=accueil,
        candidature=candidature,
        decision="desistement",
        motif="Entrée dans un autre EHPAD.",
        expected_version=1,
    )
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.DESISTEMENT
    assert candidature.motif_decision == "Entrée dans un autre EHPAD."
    assert _entries(candidature, "update").count() == 1


def test_stale_decision_is_refused(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab)
    services.candidature_decide(
        user=accueil, candidature=candidature, decision="acceptee", expected_version=1
    )
    with pytest.raises(services.CandidatureVersionConflict, match="modifiée par quelqu'un"):
        services.candidature_decide(
            user=accueil,
            candidature=candidature,
            decision="refusee",
            motif="Pas de place.",
            expected_version=1,
        )
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.ACCEPTEE
    assert _entries(candidature, "update").count() == 1


def test_refused_application_cannot_be_accepted_afterwards(accueil, etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=etab, statut="refusee")
    with pytest.raises(services.ParcoursError, match="ne peut pas passer"):
        services.candidature_decide(
            user=accueil, candidature=candidature, decision="acceptee", expected_version=1
        )
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.REFUSEE


# --- Admission -------------------------------------------------------------------------------


def test_admission_creates_a_stay_in_the_unit_and_journals_it(accueil, autre_etab, usager):
    unite = UniteFactory(etablissement=autre_etab)
    sejour = _admit(accueil, usager, autre_etab, unite=unite)
    assert sejour.unite == unite
    assert sejour.admis_par == accueil
    assert sejour.date_fin is None
    entry = _entries(sejour, "create").get()
    assert entry.usager_id == usager.pk
    assert entry.etablissement_id == autre_etab.pk


def test_simultaneous_stays_in_different_services_are_allowed(accueil, etab, autre_etab, usager):
    _admit(accueil, usager, autre_etab)
    open_etabs = set(
        usager.prises_en_charge.filter(date_fin__isnull=True).values_list(
            "etablissement_id", flat=True
        )
    )
    assert open_etabs == {etab.pk, autre_etab.pk}


def test_second_open_stay_in_the_same_etablissement_is_refused(accueil, etab, usager):
    with pytest.raises(services.ParcoursError, match="déjà un accompagnement en cours"):
        _admit(accueil, usager, etab)
    assert usager.prises_en_charge.count() == 1
    assert not Entree.objects.filter(object_type="usagers.priseencharge").exists()


def test_unit_of_another_etablissement_is_refused(accueil, etab, autre_etab, usager):
    with pytest.raises(services.ParcoursError, match="unité"):
        _admit(accueil, usager, autre_etab, unite=UniteFactory(etablissement=etab))
    assert not usager.prises_en_charge.filter(etablissement=autre_etab).exists()


def test_admission_from_an_accepted_application_marks_it_admitted(accueil, autre_etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=autre_etab, statut="acceptee")
    sejour = _admit(accueil, usager, autre_etab, candidature=candidature)
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.ADMISE
    assert sejour.candidature == candidature
    assert _entries(sejour, "create").get().details["candidature_id"] == candidature.pk


def test_admission_from_an_application_not_accepted_is_refused(accueil, autre_etab, usager):
    candidature = CandidatureFactory(usager=usager, etablissement=autre_etab)
    with pytest.raises(services.ParcoursError, match="acceptée"):
        _admit(accueil, usager, autre_etab, candidature=candidature)
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.RECUE
    assert not usager.prises_en_charge.filter(etablissement=autre_etab).exists()


# --- Transfers -------------------------------------------------------------------------------


def test_unit_transfer_records_the_move_and_updates_the_stay(accueil, etab, prise_en_charge):
    avant, apres = UniteFactory(etablissement=etab), UniteFactory(etablissement=etab)
    PriseEnCharge.objects.filter(pk=prise_en_charge.pk).update(unite=avant)
    prise_en_charge.refresh_from_db()
    mouvement = services.prise_en_charge_changer_unite(
        user=accueil, sejour=prise_en_charge, unite=apres, date=datetime.date(2024, 6, 1)
    )
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.unite == apres
    assert (mouvement.unite_avant, mouvement.unite_apres) == (avant, apres)
    assert _entries(mouvement, "create").get().usager_id == prise_en_charge.usager_id


def test_unit_transfer_before_admission_is_refused(accueil, etab, prise_en_charge):
    with pytest.raises(services.ParcoursError, match="précéder la date d'admission"):
        services.prise_en_charge_changer_unite(
            user=accueil,
            sejour=prise_en_charge,
            unite=UniteFactory(etablissement=etab),
            date=prise_en_charge.date_debut - datetime.timedelta(days=1),
        )
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.unite is None
    assert not MouvementUnite.objects.exists()


def test_service_transfer_exits_here_and_admits_there(accueil, etab, autre_etab, prise_en_charge):
    date = datetime.date(2024, 9, 1)
    nouveau = services.prise_en_charge_transferer_service(
        user=accueil,
        sejour=prise_en_charge,
        etablissement=autre_etab,
        unite=None,
        type=HEB,
        date=date,
    )
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.date_fin == date
    assert prise_en_charge.motif_sortie == MotifSortie.TRANSFERT_INTERNE
    assert prise_en_charge.destination_sortie == autre_etab.nom
    assert (nouveau.etablissement, nouveau.date_debut) == (autre_etab, date)
    assert _entries(prise_en_charge, "update").get().details["motif"] == "transfert_interne"
    assert _entries(nouveau, "create").get().details["transfert_de"] == prise_en_charge.pk


def test_failed_service_transfer_leaves_the_stay_open(accueil, autre_etab, prise_en_charge):
    PriseEnChargeFactory(usager=prise_en_charge.usager, etablissement=autre_etab)
    with pytest.raises(services.ParcoursError, match="déjà un accompagnement"):
        services.prise_en_charge_transferer_service(
            user=accueil,
            sejour=prise_en_charge,
            etablissement=autre_etab,
            unite=None,
            type=HEB,
            date=datetime.date(2024, 9, 1),
        )
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.date_fin is None
    assert not SuiviSortie.objects.exists()


# --- Exit and follow-ups -------------------------------------------------------------------


def _exit(user, sejour, motif, date=datetime.date(2024, 10, 1)):
    return services.prise_en_charge_sortir(
        user=user, sejour=sejour, date_sortie=date, motif=motif, destination="EHPAD voisin"
    )


def test_exit_records_motif_and_creates_the_follow_ups(accueil, prise_en_charge):
    _exit(accueil, prise_en_charge, MotifSortie.AUTRE_ETABLISSEMENT)
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.date_fin == datetime.date(2024, 10, 1)
    assert prise_en_charge.sorti_par == accueil
    suivis = {s.libelle: s.echeance for s in prise_en_charge.suivis_sortie.all()}
    expected = services.suivis_par_defaut(MotifSortie.AUTRE_ETABLISSEMENT)
    assert set(suivis) == {libelle for libelle, _ in expected}
    assert "Informer le médecin traitant" in suivis
    assert suivis["Prendre des nouvelles de la personne sous 1 mois"] == datetime.date(2024, 10, 31)
    assert _entries(prise_en_charge, "update").get().details["suivis"] == len(expected)


def test_exit_after_death_asks_to_inform_the_family(accueil, prise_en_charge):
    _exit(accueil, prise_en_charge, MotifSortie.DECES)
    libelles = set(prise_en_charge.suivis_sortie.values_list("libelle", flat=True))
    assert "Informer la famille et les partenaires" in libelles
    assert "Prendre des nouvelles de la personne sous 1 mois" not in libelles


def test_exit_before_admission_is_refused(accueil, prise_en_charge):
    with pytest.raises(services.ParcoursError, match="précéder la date d'admission"):
        _exit(accueil, prise_en_charge, MotifSortie.RETOUR_DOMICILE, date=datetime.date(2023, 1, 1))
    prise_en_charge.refresh_from_db()
    assert prise_en_charge.date_fin is None
    assert not SuiviSortie.objects.exists()
    assert not _entries(prise_en_charge, "update").exists()


def test_second_exit_of_a_closed_stay_is_refused(accueil, prise_en_charge):
    _exit(accueil, prise_en_charge, MotifSortie.RETOUR_DOMICILE)
    with pytest.raises(services.ParcoursError, match="déjà clos"):
        _exit(accueil, prise_en_charge, MotifSortie.DECES)
    assert SuiviSortie.objects.filter(libelle__startswith="Informer la famille").count() == 0


def test_follow_up_done_records_who_when_and_comment(accueil, prise_en_charge):
    _exit(accueil, prise_en_charge, MotifSortie.RETOUR_DOMICILE)
    suivi = prise_en_charge.suivis_sortie.first()
    services.suivi_sortie_mark_done(user=accueil, suivi=suivi, commentaire="Envoyé par MSSanté.")
    suivi.refresh_from_db()
    assert suivi.fait_par == accueil
    assert suivi.fait_le is not None
    assert suivi.commentaire == "Envoyé par MSSanté."
    assert _entries(suivi, "update").get().usager_id == prise_en_charge.usager_id


# --- Archive -------------------------------------------------------------------------------


def test_archive_is_refused_while_a_stay_is_open(accueil, usager):
    with pytest.raises(services.ParcoursError, match="encore accompagnée"):
        services.usager_archive(user=accueil, usager=usager)
    usager.refresh_from_db()
    assert usager.archive_le is None


def test_archive_after_exit_records_who_and_when(accueil, usager, prise_en_charge):
    _exit(accueil, prise_en_charge, MotifSortie.DECES)
    services.usager_archive(user=accueil, usager=usager)
    usager.refresh_from_db()
    assert usager.archive_le is not None
    assert usager.archive_par == accueil
    assert _entries(usager, "update").get().details == {"archive": True}


def test_change_of_an_archived_record_is_refused_and_changes_nothing(
    accueil, etab, usager, prise_en_charge
):
    _exit(accueil, prise_en_charge, MotifSortie.DECES)
    services.usager_archive(user=accueil, usager=usager)
    suivi = prise_en_charge.suivis_sortie.first()
    before = Entree.objects.count()
    with pytest.raises(IdentiteError, match="archivé"):
        services.suivi_sortie_mark_done(user=accueil, suivi=suivi)
    with pytest.raises(IdentiteError, match="archivé"):
        services.candidature_create(
            user=accueil, usager=usager, etablissement=etab, source="directe"
        )
    suivi.refresh_from_db()
    assert suivi.fait_le is None
    assert not usager.candidatures.exists()
    assert Entree.objects.count() == before


def test_person_with_only_an_application_is_visible_to_the_receiving_service(etab, organisme):
    personne = UsagerFactory(organisme=organisme)
    CandidatureFactory(usager=personne, etablissement=etab)
    accueil = make_pro(etab, "accueil")
    assert Usager.objects.visible_to(accueil).filter(pk=personne.pk).exists()
