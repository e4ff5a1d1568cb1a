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
from dui.demo import DEMO_DEVICE_NAME, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from dui.demo.generator import generate, plan_persons
from dui.structures.models import CategorieEtablissement, Etablissement, OrganismeGestionnaire
from dui.structures.validators import Verdict, check_finess, check_rpps
from dui.usagers.models import MembreEquipe, PriseEnCharge, Usager

pytestmark = pytest.mark.django_db

AGES = {
    CategorieEtablissement.EHPAD: (75, 100),
    CategorieEtablissement.IME: (6, 20),
    CategorieEtablissement.SAD: (60, 95),
}


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def demo_user(login: str) -> User:
    return User.objects.get(email=f"{login}@{DEMO_EMAIL_DOMAIN}")


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_demo_creates_one_organisme_with_an_ehpad_an_ime_and_a_sad():
    run_demo("--usagers", "30")

    organisme = OrganismeGestionnaire.objects.get()
    categories = sorted(organisme.etablissements.values_list("categorie", flat=True))
    assert categories == sorted(
        [CategorieEtablissement.EHPAD, CategorieEtablissement.IME, CategorieEtablissement.SAD]
    )
    assert Usager.objects.filter(organisme=organisme).count() == 30


def test_demo_finess_numbers_are_well_formed_with_a_valid_key():
    run_demo("--usagers", "0")

    numbers = [OrganismeGestionnaire.objects.get().finess]
    numbers += list(Etablissement.objects.values_list("finess", flat=True))
    assert len(numbers) == 4
    assert all(check_finess(n).verdict is Verdict.OK for n in numbers)


def test_demo_ehpad_has_three_wings_within_capacity():
    run_demo("--usagers", "300")

    ehpad = Etablissement.objects.get(categorie=CategorieEtablissement.EHPAD)
    wings = {u.nom: u for u in ehpad.unites.all()}
    assert set(wings) == {"Aile Tilleul", "Aile Chêne", "Unité protégée Les Glycines"}
    for wing in wings.values():
        assert wing.prises_en_charge.count() <= wing.capacite_places
    assert ehpad.prises_en_charge.count() == ehpad.capacite_places


def test_demo_has_a_user_for_every_ready_made_role():
    run_demo("--usagers", "30")

    demo_roles = set(
        Affectation.objects.filter(user__email__in=_demo_account_emails()).values_list(
            "role__code", flat=True
        )
    )
    assert demo_roles == set(PROFILS)


def _demo_account_emails() -> list[str]:
    return list(
        TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME).values_list("user__email", flat=True)
    )


def test_every_demo_account_has_a_confirmed_demo_device():
    run_demo("--usagers", "30")

    for login in ("direction", "idec", "aide-soignant", "intervenant", "dpo", "admin"):
        user = demo_user(login)
        assert TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, confirmed=True).exists()
    assert len(_demo_account_emails()) == len(PROFILS)


def test_one_demo_user_works_in_two_etablissements():
    run_demo("--usagers", "30")

    assert any(
        Affectation.objects.filter(user__email=email).count() >= 2
        for email in _demo_account_emails()
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

    sad = Etablissement.objects.get(categorie=CategorieEtablissement.SAD)
    counts = {}
    for user_id in MembreEquipe.objects.filter(etablissement=sad).values_list("user_id", flat=True):
        counts[user_id] = counts.get(user_id, 0) + 1
    assert counts
    assert all(5 <= n <= 15 for n in counts.values())
    followed = MembreEquipe.objects.filter(etablissement=sad).values("usager_id").distinct()
    assert followed.count() == sad.prises_en_charge.count()


def test_idec_of_the_ehpad_sees_the_ehpad_persons_and_none_of_the_sad():
    run_demo("--usagers", "30")
    idec = demo_user("idec")
    ehpad = Etablissement.objects.get(categorie=CategorieEtablissement.EHPAD)
    sad = Etablissement.objects.get(categorie=CategorieEtablissement.SAD)

    visible = set(Usager.objects.visible_to(idec).values_list("pk", flat=True))
    ehpad_persons = set(ehpad.prises_en_charge.values_list("usager_id", flat=True))
    sad_persons = set(sad.prises_en_charge.values_list("usager_id", flat=True))

    assert ehpad_persons and sad_persons
    assert visible == ehpad_persons
    assert not visible & sad_persons


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


def test_demo_generation_is_journaled_once():
    run_demo("--usagers", "30")

    entry = Entree.objects.get(actor_label="manage.py demo")
    assert entry.action == "admin"
    assert entry.details["usagers"] == 30
    assert entry.object_id == str(OrganismeGestionnaire.objects.get().pk)


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
    # 270 more persons, stays and team rows; a per-row insert would add hundreds of queries.
    assert len(large) - len(small) <= 12
