"""The one policy: scope by établissement, by assignment, by category, and break-glass."""

import datetime

from django.utils import timezone

from conftest import make_pro
from dui.comptes import policy
from dui.comptes.models import AccesExceptionnel, Habilitation, Role
from dui.structures.tests.factories import EtablissementFactory
from dui.usagers.models import Usager
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory


def test_staff_see_every_person_of_their_etablissement_past_stays_included(collegue, etab):
    current = PriseEnChargeFactory(etablissement=etab).usager
    left = PriseEnChargeFactory(etablissement=etab, date_fin=datetime.date(2024, 3, 1)).usager
    assert set(Usager.objects.visible_to(collegue)) == {current, left}


def test_staff_of_another_etablissement_see_nobody_here(autre_etab_pro, usager):
    assert not Usager.objects.visible_to(autre_etab_pro).exists()
    assert not policy.allows(autre_etab_pro, "usager.view", usager)


def test_home_care_worker_sees_only_assigned_persons(organisme):
    sad = EtablissementFactory(organisme=organisme, categorie="460")
    intervenant = make_pro(sad, "intervenant_domicile")
    mine = PriseEnChargeFactory(etablissement=sad).usager
    PriseEnChargeFactory(etablissement=sad)  # someone else's visit
    MembreEquipeFactory(usager=mine, user=intervenant, etablissement=sad)
    assert list(Usager.objects.visible_to(intervenant)) == [mine]


def test_ended_assignment_removes_the_person_from_a_home_care_worker(organisme):
    sad = EtablissementFactory(organisme=organisme, categorie="460")
    intervenant = make_pro(sad, "intervenant_domicile")
    usager = PriseEnChargeFactory(etablissement=sad).usager
    MembreEquipeFactory(
        usager=usager,
        user=intervenant,
        etablissement=sad,
        date_fin=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert not Usager.objects.visible_to(intervenant).exists()


def test_medical_category_is_for_health_roles_only(etab, usager):
    medecin = make_pro(etab, "medecin")
    educ = make_pro(etab, "educatif")
    assert policy.allows(medecin, "usager.medical.read", usager)
    assert policy.allows(medecin, "usager.medical.write", usager)
    assert not policy.allows(educ, "usager.medical.read", usager)
    assert policy.allows(educ, "usager.educatif.write", usager)


def test_establishment_override_changes_rights_there_only(organisme, etab, usager):
    other = EtablissementFactory(organisme=organisme)
    other_usager = PriseEnChargeFactory(etablissement=other).usager
    soignant_here = make_pro(etab, "soignant")
    soignant_there = make_pro(other, "soignant")
    Habilitation.objects.create(
        role=Role.objects.get(code="soignant"),
        etablissement=etab,
        categorie="social",
        lecture=True,
    )
    assert policy.allows(soignant_here, "usager.social.read", usager)
    assert not policy.allows(soignant_there, "usager.social.read", other_usager)


def test_role_without_administratif_read_sees_no_person(etab, usager):
    admin = make_pro(etab, "administrateur")
    assert not Usager.objects.visible_to(admin).exists()
    assert policy.allows(admin, "etablissement.admin", etab)


def test_break_glass_opens_one_person_until_it_expires(organisme, etab, usager):
    outsider = make_pro(EtablissementFactory(organisme=organisme), "infirmier")
    grant = AccesExceptionnel.objects.create(
        user=outsider,
        usager=usager,
        motif="Appel du SAMU pour une chute, dossier nécessaire",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    assert list(Usager.objects.visible_to(outsider)) == [usager]
    assert policy.allows(outsider, "usager.soins.read", usager)
    AccesExceptionnel.objects.filter(pk=grant.pk).update(
        expire_le=timezone.now() - datetime.timedelta(minutes=1)
    )
    policy.forget(outsider)
    assert not Usager.objects.visible_to(outsider).exists()


def test_inactive_user_has_no_rights(collegue, usager):
    collegue.is_active = False
    collegue.save()
    policy.forget(collegue)
    assert not policy.allows(collegue, "usager.view", usager)


def test_unknown_permission_is_a_programming_error(collegue, usager):
    import pytest

    with pytest.raises(ValueError):
        policy.allows(collegue, "usager.secret.read", usager)


def test_rights_are_computed_in_two_queries_whatever_the_number_of_etablissements(
    django_assert_max_num_queries, organisme
):
    from dui.comptes.tests.factories import AffectationFactory

    user = make_pro(EtablissementFactory(organisme=organisme), "infirmier")
    for code in ("soignant", "educatif", "direction", "dpo"):
        AffectationFactory(
            user=user,
            etablissement=EtablissementFactory(organisme=organisme),
            role=Role.objects.get(code=code),
        )
    with django_assert_max_num_queries(2):
        rights = policy.droits(user)
    assert len(rights) == 5
    with django_assert_max_num_queries(0):
        policy.droits(user)


def test_identitovigilance_referents_are_the_flagged_roles_of_the_organisme(organisme, etab):
    from dui.structures.tests.factories import OrganismeFactory

    accueil = make_pro(etab, "accueil")
    soignant = make_pro(etab, "soignant")
    assert policy.allows(accueil, "identitovigilance", organisme)
    assert not policy.allows(accueil, "identitovigilance", OrganismeFactory())
    assert not policy.allows(soignant, "identitovigilance", organisme)


def test_dlu_print_is_for_health_professionals_reaching_the_person(organisme, etab, usager):
    assert policy.allows(make_pro(etab, "soignant"), "dlu.print", usager)
    assert policy.allows(make_pro(etab, "infirmier"), "dlu.print", usager)
    for role in ("direction", "chef_service", "educatif", "accueil"):
        assert not policy.allows(make_pro(etab, role), "dlu.print", usager), role
    # A health professional elsewhere in the organisme does not reach the person.
    ailleurs = make_pro(EtablissementFactory(organisme=organisme), "infirmier")
    assert not policy.allows(ailleurs, "dlu.print", usager)


def test_dlu_print_needs_the_health_role_to_read_soins(etab, usager):
    soignant = make_pro(etab, "soignant")
    Habilitation.objects.create(
        role=Role.objects.get(code="soignant"), etablissement=etab, categorie="soins"
    )  # no read, no write here
    assert not policy.allows(soignant, "dlu.print", usager)


def test_a_home_care_health_worker_prints_only_for_assigned_persons(organisme):
    sad = EtablissementFactory(organisme=organisme, categorie="460")
    infirmiere = make_pro(sad, "infirmier")
    intervenant = make_pro(sad, "intervenant_domicile")
    suivi = PriseEnChargeFactory(etablissement=sad).usager
    MembreEquipeFactory(usager=suivi, user=intervenant, etablissement=sad)
    assert policy.allows(infirmiere, "dlu.print", suivi)
    assert policy.allows(infirmiere, "usager.sante", suivi)
    # The aide à domicile is on the person's team but not a health professional.
    assert policy.allows(intervenant, "usager.view", suivi)
    assert not policy.allows(intervenant, "usager.sante", suivi)
    assert not policy.allows(intervenant, "dlu.print", suivi)


def test_break_glass_gives_a_health_professional_their_own_roles(organisme, usager):
    outsider = make_pro(EtablissementFactory(organisme=organisme), "infirmier")
    assert not policy.allows(outsider, "usager.sante", usager)
    AccesExceptionnel.objects.create(
        user=outsider,
        usager=usager,
        motif="Appel du SAMU pour une chute, dossier nécessaire",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    policy.forget(outsider)
    assert policy.allows(outsider, "usager.sante", usager)
    assert policy.allows(outsider, "dlu.print", usager)
    assert [r.code for r in policy.usager_roles(outsider, usager)] == ["infirmier"]


def test_vital_sign_thresholds_are_set_by_administrators_and_health_writers(organisme, etab):
    for role in ("administrateur", "medecin", "infirmier", "soignant"):
        assert policy.allows(make_pro(etab, role), "soins.seuils", etab), role
    for role in ("direction", "educatif", "accueil", "dpo"):
        assert not policy.allows(make_pro(etab, role), "soins.seuils", etab), role
    other = EtablissementFactory(organisme=organisme)
    assert not policy.allows(make_pro(other, "medecin"), "soins.seuils", etab)
    assert not policy.allows(make_pro(etab, "medecin"), "soins.seuils", None)
