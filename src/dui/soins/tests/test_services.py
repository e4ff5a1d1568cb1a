import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.soins.models import Mesure, SeuilAlerte
from dui.soins.services import Saisie, SoinsError, mesure_correct, mesure_record, seuils_set
from dui.soins.tests.factories import MesureFactory
from dui.usagers.identite import IdentiteError


def test_quick_entry_records_several_measures_and_journals_them(usager, referent):
    mesures = mesure_record(
        actor=referent,
        usager=usager,
        saisies=[
            Saisie("tension", Decimal("135"), Decimal("80")),
            Saisie("pouls", Decimal("72")),
            Saisie("temperature", Decimal("37.2")),
        ],
    )
    assert sorted(m.type for m in Mesure.objects.filter(usager=usager)) == [
        "pouls",
        "temperature",
        "tension",
    ]
    assert Mesure.objects.get(type="tension").valeur2 == Decimal("80")
    entry = Entree.objects.latest("seq")
    assert entry.action == "create" and entry.usager_id == usager.pk
    assert entry.details["mesure_ids"] == [m.pk for m in mesures]


def test_measure_in_the_future_is_refused(usager, referent):
    with pytest.raises(SoinsError):
        mesure_record(
            actor=referent,
            usager=usager,
            saisies=[Saisie("pouls", Decimal("72"))],
            mesure_le=timezone.now() + datetime.timedelta(hours=2),
        )
    assert not Mesure.objects.exists()


def test_archived_record_takes_no_measure(usager, referent):
    usager.archive_le = timezone.now()
    usager.save()
    with pytest.raises(IdentiteError):
        mesure_record(actor=referent, usager=usager, saisies=[Saisie("pouls", Decimal("72"))])
    assert not Mesure.objects.exists()


def test_correction_keeps_the_old_measure_in_history(usager, referent):
    old = MesureFactory(usager=usager, type="poids", valeur=Decimal("92.0"))
    new = mesure_correct(
        actor=referent, mesure=old, valeur=Decimal("62.0"), motif="Erreur de frappe"
    )
    old.refresh_from_db()
    assert old.valeur == Decimal("92.0") and old.corrigee_le is not None
    assert new.corrige == old and new.valeur == Decimal("62.0")
    assert new.mesure_le == old.mesure_le
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.reason, entry.details["corrige"]) == (
        "update",
        "Erreur de frappe",
        old.pk,
    )


def test_correction_needs_a_reason(usager, referent):
    old = MesureFactory(usager=usager)
    with pytest.raises(SoinsError) as refused:
        mesure_correct(actor=referent, mesure=old, valeur=Decimal("37.5"), motif="  ")
    assert refused.value.errors == {"motif": ["Indiquez le motif de la correction."]}
    assert Mesure.objects.count() == 1


def test_a_measure_is_corrected_only_once(usager, referent):
    old = MesureFactory(usager=usager)
    mesure_correct(actor=referent, mesure=old, valeur=Decimal("37.5"), motif="Erreur")
    with pytest.raises(SoinsError):
        mesure_correct(actor=referent, mesure=old, valeur=Decimal("37.6"), motif="Encore")
    assert Mesure.objects.count() == 2


def test_health_role_with_soins_write_sets_thresholds(etab, referent):
    seuil = seuils_set(
        actor=referent, etablissement=etab, type="spo2", bas=Decimal("90"), haut=None
    )
    assert SeuilAlerte.objects.get(etablissement=etab, type="spo2").bas == Decimal("90")
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.object_id, entry.etablissement_id) == (
        "admin",
        str(seuil.pk),
        etab.pk,
    )


def test_administrator_sets_thresholds(etab, admin):
    seuils_set(
        actor=admin, etablissement=etab, type="pouls", bas=Decimal("45"), haut=Decimal("110")
    )
    assert SeuilAlerte.objects.filter(etablissement=etab, type="pouls").exists()


@pytest.mark.parametrize("role", ["direction", "educatif", "intervenant_domicile"])
def test_other_roles_do_not_set_thresholds(etab, role):
    user = make_pro(etab, role)
    with pytest.raises(SoinsError):
        seuils_set(actor=user, etablissement=etab, type="spo2", bas=Decimal("90"), haut=None)
    assert not SeuilAlerte.objects.exists()


def test_inverted_thresholds_are_refused(etab, referent):
    with pytest.raises(SoinsError) as refused:
        seuils_set(
            actor=referent, etablissement=etab, type="pouls", bas=Decimal("120"), haut=Decimal("50")
        )
    assert refused.value.errors == {"haut": ["Le maximum doit être supérieur au minimum."]}
    assert not SeuilAlerte.objects.exists()
