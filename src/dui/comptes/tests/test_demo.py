"""manage.py demo: the demo organisme, its accounts, its persons, and how it scales."""

from __future__ import annotations

import datetime
import random
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.models import Entree
from dui.comptes.models import Affectation, Professionnel, User
from dui.comptes.roles import PROFILS
from dui.comptes.tests.shared_data import shared_data
from dui.demo import DEMO_DEVICE_NAME, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, staff
from dui.demo.generator import finess_for, generate, plan_persons
from dui.structures.models import CategorieEtablissement, Etablissement, OrganismeGestionnaire
from dui.structures.validators import Verdict, check_finess, check_rpps
from dui.usagers.models import MembreEquipe, PriseEnCharge, Usager

pytestmark = pytest.mark.django_db

AGES = {
    CategorieEtablissement.EHPAD: (75, 100),
    CategorieEtablissement.IME: (6, 20),
    CategorieEtablissement.SAD: (60, 95),
    CategorieEtablissement.FAM: (20, 60),
    CategorieEtablissement.MAS: (20, 65),
}
NAMED = {spec.key: position for position, spec in enumerate(staff.ETABLISSEMENTS, start=1)}


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def demo_user(login: str) -> User:
    return User.objects.get(email=f"{login}@{DEMO_EMAIL_DOMAIN}")


def named(key: str) -> Etablissement:
    """One of the three named établissements of the first demo (EHPAD, IME, SAD)."""
    return Etablissement.objects.get(finess=finess_for(1, NAMED[key]))


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_demo_finess_numbers_are_well_formed_with_a_valid_key():
    run_demo("--usagers", "0")

    numbers = [OrganismeGestionnaire.objects.get().finess]
    numbers += list(Etablissement.objects.values_list("finess", flat=True))
    assert len(numbers) == 4
    assert all(check_finess(n).verdict is Verdict.OK for n in numbers)


def test_demo_ehpad_has_three_wings_within_capacity():
    run_demo("--usagers", "300")

    ehpad = named(staff.EHPAD)
    wings = {u.nom: u for u in ehpad.unites.all()}
    assert set(wings) == {"Aile Tilleul", "Aile Chêne", "Unité protégée Les Glycines"}
    for wing in wings.values():
        assert wing.prises_en_charge.count() <= wing.capacite_places
    assert ehpad.prises_en_charge.count() == ehpad.capacite_places


def _demo_account_emails() -> list[str]:
    return list(
        TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME).values_list("user__email", flat=True)
    )


def test_medecin_and_idec_have_valid_rpps_numbers():
    run_demo("--usagers", "0")

    for login in ("medecin", "idec"):
        rpps = Professionnel.objects.get(user=demo_user(login)).rpps
        assert rpps.startswith("10")
        assert check_rpps(rpps).verdict is Verdict.OK


def test_demo_password_passes_the_password_validators():
    run_demo("--usagers", "0")

    users = list(User.objects.filter(email__in=_demo_account_emails()))
    for user in users:
        validate_password(DEMO_PASSWORD, user)
    # They all share one hash, so checking one account checks them all.
    assert len({u.password for u in users}) == 1
    assert users[0].check_password(DEMO_PASSWORD)


def test_persons_ages_match_their_service():
    run_demo("--usagers", "60")

    today = timezone.localdate()
    for pec in PriseEnCharge.objects.select_related("usager", "etablissement"):
        youngest, oldest = AGES[pec.etablissement.categorie]
        assert youngest <= age_on(pec.usager.date_naissance, today) <= oldest
        assert pec.date_debut <= today


def test_intervenant_sees_only_the_persons_assigned_to_them():
    run_demo("--usagers", "60")
    intervenant = demo_user("intervenant")
    sad = Etablissement.objects.get(categorie=CategorieEtablissement.SAD)

    assigned = set(
        MembreEquipe.objects.filter(user=intervenant).values_list("usager_id", flat=True)
    )
    visible = set(Usager.objects.visible_to(intervenant).values_list("pk", flat=True))

    assert assigned
    assert visible == assigned
    assert sad.prises_en_charge.count() > len(assigned)


def test_every_home_care_worker_follows_five_to_fifteen_persons():
    run_demo("--usagers", "300")

    sad = named(staff.SAD)
    counts = {}
    for user_id in MembreEquipe.objects.filter(etablissement=sad).values_list("user_id", flat=True):
        counts[user_id] = counts.get(user_id, 0) + 1
    assert counts
    assert all(5 <= n <= 15 for n in counts.values())
    followed = MembreEquipe.objects.filter(etablissement=sad).values("usager_id").distinct()
    assert followed.count() == sad.prises_en_charge.count()


def test_every_person_of_every_home_care_service_has_a_referent_worker():
    run_demo("--usagers", "1500")

    sads = Etablissement.objects.filter(categorie=CategorieEtablissement.SAD)
    assert sads.count() > 1
    stays = PriseEnCharge.objects.filter(etablissement__in=sads)
    membres = MembreEquipe.objects.filter(etablissement__in=sads, is_referent=True)
    assert set(membres.values_list("usager_id", flat=True)) == set(
        stays.values_list("usager_id", flat=True)
    )
    per_worker = {}
    for user_id in membres.values_list("user_id", flat=True):
        per_worker[user_id] = per_worker.get(user_id, 0) + 1
    assert max(per_worker.values()) <= 15


def test_home_care_workers_work_in_the_service_of_the_persons_they_follow():
    run_demo("--usagers", "600")

    for membre in MembreEquipe.objects.select_related("user"):
        assert membre.usager.prises_en_charge.filter(etablissement=membre.etablissement_id)
        assert Affectation.objects.filter(
            user=membre.user, etablissement=membre.etablissement_id
        ).exists()


def test_default_demo_has_only_the_three_named_etablissements():
    run_demo()

    assert Etablissement.objects.count() == 3
    assert named(staff.EHPAD).prises_en_charge.count() == 72
    assert Usager.objects.count() == 120


def test_a_large_demo_has_thousands_of_distinct_surnames():
    persons = plan_persons(random.Random(3), 20_000, datetime.date(2026, 3, 1))

    surnames = {p.nom_naissance for p in persons}
    assert len(surnames) >= 2_000
    assert any("-" in s for s in surnames)  # compound names
    assert any(s.startswith(("LE ", "DE LA ")) for s in surnames)  # particles


def test_if_empty_does_nothing_the_second_time():
    run_demo("--usagers", "30", "--if-empty")
    out = run_demo("--usagers", "30", "--if-empty")

    assert "démo non chargée" in out
    assert OrganismeGestionnaire.objects.count() == 1
    assert Usager.objects.count() == 30


def test_demo_on_a_non_empty_database_is_refused_without_force():
    run_demo("--usagers", "5")

    with pytest.raises(CommandError, match="--force"):
        run_demo("--usagers", "5")
    assert OrganismeGestionnaire.objects.count() == 1


def test_demo_with_force_adds_a_second_distinct_organisme():
    run_demo("--usagers", "5")
    run_demo("--usagers", "5", "--force")

    assert OrganismeGestionnaire.objects.count() == 2
    assert TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME).count() == 2 * len(PROFILS)


def test_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        run_demo("--usagers", "5")
    assert not OrganismeGestionnaire.objects.exists()


def test_same_seed_gives_the_same_persons():
    today = datetime.date(2026, 3, 1)

    first = plan_persons(random.Random(7), 50, today)
    again = plan_persons(random.Random(7), 50, today)
    other = plan_persons(random.Random(8), 50, today)

    assert first == again
    assert first != other


def test_query_count_barely_depends_on_the_number_of_persons():
    with CaptureQueriesContext(connection) as small:
        generate(usagers=30, seed=1)
    with CaptureQueriesContext(connection) as large:
        generate(usagers=300, seed=1)

    assert Usager.objects.count() == 330
    # 270 more persons, stays and team rows, and (beyond 282 persons) a few additional
    # établissements with their units; a per-row insert would add hundreds of queries.
    assert len(large) - len(small) <= 20


def test_a_few_ehpad_residents_have_a_qualified_identity_ready_for_the_demo_dmp():
    from dui.interop.dmp.simulator import INS_OIDS
    from dui.interop.ins.matricule import parse_matricule
    from dui.usagers.identite import ins_for_sharing

    run_demo("--usagers", "40")
    qualified = [
        u
        for u in Usager.objects.filter(prises_en_charge__etablissement=named("ehpad"))
        if ins_for_sharing(u) is not None
    ]
    assert 1 <= len(qualified) <= 4
    for usager in qualified:
        parse_matricule(usager.matricule_ins)  # a well-formed matricule with a valid key
        assert usager.oid_ins in INS_OIDS
        assert usager.evenements_identite.filter(statut_apres="QUAL").exists()


class TestDemoOfThirtyPersons:
    """Read-only checks of one demo of 30 persons, generated once for the class."""

    @pytest.fixture(scope="class", autouse=True)
    def demo(self, django_db_setup, django_db_blocker):
        with shared_data(django_db_blocker):
            run_demo("--usagers", "30")
            yield

    def test_demo_creates_one_organisme_with_an_ehpad_an_ime_and_a_sad(self):
        organisme = OrganismeGestionnaire.objects.get()
        categories = sorted(organisme.etablissements.values_list("categorie", flat=True))
        assert categories == sorted(
            [CategorieEtablissement.EHPAD, CategorieEtablissement.IME, CategorieEtablissement.SAD]
        )
        assert Usager.objects.filter(organisme=organisme).count() == 30

    def test_demo_has_a_user_for_every_ready_made_role(self):
        demo_roles = set(
            Affectation.objects.filter(user__email__in=_demo_account_emails()).values_list(
                "role__code", flat=True
            )
        )
        assert demo_roles == set(PROFILS)

    def test_every_demo_account_has_a_confirmed_demo_device(self):
        for login in ("direction", "idec", "aide-soignant", "intervenant", "dpo", "admin"):
            user = demo_user(login)
            assert TOTPDevice.objects.filter(
                user=user, name=DEMO_DEVICE_NAME, confirmed=True
            ).exists()
        assert len(_demo_account_emails()) == len(PROFILS)

    def test_one_demo_user_works_in_two_etablissements(self):
        assert any(
            Affectation.objects.filter(user__email=email).count() >= 2
            for email in _demo_account_emails()
        )

    def test_idec_of_the_ehpad_sees_the_ehpad_persons_and_none_of_the_sad(self):
        idec = demo_user("idec")
        ehpad = Etablissement.objects.get(categorie=CategorieEtablissement.EHPAD)
        sad = Etablissement.objects.get(categorie=CategorieEtablissement.SAD)

        visible = set(Usager.objects.visible_to(idec).values_list("pk", flat=True))
        ehpad_persons = set(ehpad.prises_en_charge.values_list("usager_id", flat=True))
        sad_persons = set(sad.prises_en_charge.values_list("usager_id", flat=True))

        assert ehpad_persons and sad_persons
        assert visible == ehpad_persons
        assert not visible & sad_persons

    def test_demo_generation_is_journaled_once(self):
        entry = Entree.objects.get(actor_label="manage.py demo")
        assert entry.action == "admin"
        assert entry.details["usagers"] == 30
        assert entry.object_id == str(OrganismeGestionnaire.objects.get().pk)


class TestDemoOfFifteenHundredPersons:
    """Read-only checks of one demo of 1,500 persons, generated once for the class."""

    @pytest.fixture(scope="class", autouse=True)
    def demo(self, django_db_setup, django_db_blocker):
        with shared_data(django_db_blocker):
            run_demo("--usagers", "1500")
            yield

    def test_beyond_the_named_capacity_persons_go_to_additional_etablissements(self):
        organisme = OrganismeGestionnaire.objects.get()
        etabs = list(organisme.etablissements.all())
        assert len(etabs) > 3
        categories = {e.categorie for e in etabs}
        assert {CategorieEtablissement.FAM, CategorieEtablissement.MAS} <= categories
        for etab in etabs:
            assert 0 < etab.prises_en_charge.count() <= etab.capacite_places
            assert check_finess(etab.finess).verdict is Verdict.OK
            assert etab.unites.exists()
            for unite in etab.unites.exclude(capacite_places=None):
                assert unite.prises_en_charge.count() <= unite.capacite_places
        assert len({e.finess for e in etabs}) == len(etabs)
        assert PriseEnCharge.objects.count() == 1500

    def test_demo_accounts_stay_in_the_three_named_etablissements(self):
        named_ids = {named(key).pk for key in NAMED}
        affectations = Affectation.objects.filter(user__email__in=_demo_account_emails())
        assert set(affectations.values_list("etablissement_id", flat=True)) == named_ids
