import datetime

import pytest
from django.utils import timezone

from dui.audit.models import Entree
from dui.soins import services
from dui.soins.models import Allergie, AllergieStatut, Antecedent, Vaccination
from dui.soins.tests.factories import AllergieFactory, AntecedentFactory, VaccinationFactory
from dui.usagers.identite import IdentiteError


def test_antecedent_add_saves_and_journals(usager, infirmier):
    a = services.antecedent_add(
        actor=infirmier, usager=usager, type="chirurgical", libelle=" Appendicectomie ", annee=1990
    )
    assert (a.libelle, a.type, a.annee, a.actif, a.saisi_par) == (
        "Appendicectomie",
        "chirurgical",
        1990,
        True,
        infirmier,
    )
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.usager_id, entry.object_id, entry.actor_id) == (
        "create",
        usager.pk,
        str(a.pk),
        infirmier.pk,
    )


def test_antecedent_date_sets_its_year(usager, infirmier):
    a = services.antecedent_add(
        actor=infirmier,
        usager=usager,
        type="medical",
        libelle="Infarctus",
        date=datetime.date(2019, 3, 2),
    )
    assert a.annee == 2019


def test_antecedent_without_label_or_with_future_date_saves_nothing(usager, infirmier):
    with pytest.raises(services.SoinsError) as error:
        services.antecedent_add(
            actor=infirmier,
            usager=usager,
            type="medical",
            libelle="  ",
            date=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert set(error.value.errors) == {"libelle", "date"}
    assert not Antecedent.objects.exists()
    assert not Entree.objects.filter(action="create").exists()


def test_allergy_withdraws_a_previous_no_known_allergy_statement(usager, infirmier):
    services.allergies_declare_aucune(actor=infirmier, usager=usager)
    allergie = services.allergie_add(
        actor=infirmier,
        usager=usager,
        substance="Arachide",
        type="allergie",
        severite="anaphylaxie",
        certitude="confirmee",
        reaction="Œdème de Quincke",
    )
    assert allergie.grave
    assert AllergieStatut.objects.get(usager=usager).aucune_connue is False
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.object_id, entry.details["severite"]) == (
        "create",
        str(allergie.pk),
        "anaphylaxie",
    )


def test_no_known_allergy_is_stated_with_who_and_when_and_journaled(usager, infirmier):
    statut = services.allergies_declare_aucune(actor=infirmier, usager=usager)
    assert (statut.aucune_connue, statut.verifie_par) == (True, infirmier)
    assert statut.verifie_le is not None
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.usager_id, entry.details) == (
        "update",
        usager.pk,
        {"aucune_connue": True},
    )


def test_no_known_allergy_is_refused_while_an_allergy_is_active(usager, infirmier):
    AllergieFactory(usager=usager)
    with pytest.raises(services.SoinsError):
        services.allergies_declare_aucune(actor=infirmier, usager=usager)
    assert not AllergieStatut.objects.exists()


@pytest.mark.parametrize(
    ("factory", "service", "kind"),
    [
        (AntecedentFactory, services.antecedent_deactivate, "antecedent"),
        (AllergieFactory, services.allergie_deactivate, "allergie"),
        (VaccinationFactory, services.vaccination_deactivate, "vaccination"),
    ],
)
def test_deactivation_keeps_the_entry_with_who_when_and_why(
    usager, infirmier, factory, service, kind
):
    entry = factory(usager=usager)
    service(actor=infirmier, motif="Saisie en erreur", **{kind: entry})
    entry.refresh_from_db()
    assert (entry.actif, entry.desactive_par, entry.motif_desactivation) == (
        False,
        infirmier,
        "Saisie en erreur",
    )
    assert entry.desactive_le is not None
    assert type(entry).objects.filter(pk=entry.pk).exists()
    journal = Entree.objects.latest("seq")
    assert (journal.action, journal.object_id, journal.reason, journal.usager_id) == (
        "update",
        str(entry.pk),
        "Saisie en erreur",
        usager.pk,
    )


def test_deactivation_without_reason_changes_nothing(usager, infirmier):
    allergie = AllergieFactory(usager=usager)
    with pytest.raises(services.SoinsError) as error:
        services.allergie_deactivate(actor=infirmier, allergie=allergie, motif=" ")
    assert "motif" in error.value.errors
    assert Allergie.objects.get(pk=allergie.pk).actif


def test_deactivating_twice_is_refused(usager, infirmier):
    v = VaccinationFactory(usager=usager)
    services.vaccination_deactivate(actor=infirmier, vaccination=v, motif="Doublon")
    with pytest.raises(services.SoinsError):
        services.vaccination_deactivate(actor=infirmier, vaccination=v, motif="Encore")
    assert Vaccination.objects.get(pk=v.pk).motif_desactivation == "Doublon"


def test_archived_record_refuses_a_new_allergy(usager, infirmier):
    usager.archive_le = timezone.now()
    usager.save(update_fields=["archive_le"])
    with pytest.raises(IdentiteError):
        services.allergie_add(
            actor=infirmier,
            usager=usager,
            substance="Latex",
            type="allergie",
            severite="legere",
            certitude="suspectee",
        )
    assert not Allergie.objects.exists()


def test_vaccination_in_the_future_is_refused(usager, infirmier):
    with pytest.raises(services.SoinsError) as error:
        services.vaccination_add(
            actor=infirmier,
            usager=usager,
            vaccin="Grippe",
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "date" in error.value.errors
    assert not Vaccination.objects.exists()
