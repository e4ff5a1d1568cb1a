"""Break-glass: search outside one's scope, reason, access journaled, expiry, DPO screen."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.comptes.models import AccesExceptionnel
from dui.usagers.services_bris_de_glace import acces_exceptionnel_open
from dui.usagers.tests.factories import PriseEnChargeFactory

SEARCH_URL = reverse("usagers:break_glass_search")
MOTIF = "Remplacement de nuit, chute de la résidente signalée"
BIRTH = datetime.date(1940, 2, 3)


@pytest.fixture
def resident(etab):
    """A person of `etab` with accented names, outside autre_etab_pro's scope."""
    return PriseEnChargeFactory(
        etablissement=etab,
        usager__nom_naissance="Lefèvre",
        usager__nom_utilise="Martin-Müller",
        usager__prenoms_naissance="Hélène Louise",
        usager__date_naissance=BIRTH,
    ).usager


def open_url(usager) -> str:
    return reverse("usagers:break_glass_open", args=[usager.pk])


def search(client, nom: str, date: datetime.date | str = BIRTH):
    value = date.isoformat() if isinstance(date, datetime.date) else date
    return client.get(SEARCH_URL, {"nom": nom, "date_naissance": value})


@pytest.mark.django_db
def test_search_finds_a_person_outside_scope_ignoring_case_and_accents(
    resident, autre_etab_pro, login
):
    client = login(autre_etab_pro)
    assert search(client, "LEFEVRE").context["results"] == [resident]
    assert search(client, "martin muller").context["results"] == [resident]


@pytest.mark.django_db
def test_search_needs_the_exact_birth_date(resident, autre_etab_pro, login):
    response = search(login(autre_etab_pro), "Lefèvre", BIRTH + datetime.timedelta(days=1))
    assert response.context["results"] == []


@pytest.mark.django_db
def test_search_requires_both_name_and_birth_date(resident, autre_etab_pro, login):
    response = login(autre_etab_pro).get(SEARCH_URL, {"nom": "Lefèvre"})
    assert "La date de naissance est obligatoire." in response.content.decode()
    assert response.context["results"] is None
    assert not Entree.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.django_db
def test_search_does_not_list_persons_already_visible(resident, collegue, login):
    assert search(login(collegue), "Lefèvre").context["results"] == []


@pytest.mark.django_db
def test_search_does_not_list_persons_of_another_organisme(resident, login):
    stranger = make_pro(PriseEnChargeFactory().etablissement, "infirmier")
    assert search(login(stranger), "Lefèvre").context["results"] == []


@pytest.mark.django_db
def test_search_is_journaled_without_personal_data(resident, autre_etab_pro, login):
    search(login(autre_etab_pro), "Lefèvre")
    entry = Entree.objects.get(action=AuditAction.SEARCH)
    assert entry.actor_id == autre_etab_pro.pk
    assert entry.details["nb_resultats"] == 1
    assert entry.details["usager_ids"] == [resident.pk]
    assert "Lef" not in str(entry.details)
    assert "1940" not in str(entry.details)


@pytest.mark.django_db
def test_whole_break_glass_flow_opens_the_record_and_flags_every_read(
    resident, autre_etab_pro, login
):
    client = login(autre_etab_pro)
    detail_url = reverse("usagers:detail", args=[resident.pk])
    assert client.get(detail_url).status_code == 404
    assert open_url(resident) in search(client, "Lefevre").content.decode()
    assert client.get(open_url(resident)).status_code == 200

    response = client.post(open_url(resident), {"motif": MOTIF, "confirmation": "on"})
    assert response.status_code == 302
    assert response.url == detail_url

    acces = AccesExceptionnel.objects.get(user=autre_etab_pro, usager=resident)
    assert acces.motif == MOTIF
    assert acces.expire_le > timezone.now()
    opened = Entree.objects.get(action=AuditAction.BREAK_GLASS)
    assert opened.break_glass is True
    assert opened.reason == MOTIF
    assert opened.usager_id == resident.pk
    assert opened.actor_id == autre_etab_pro.pk
    assert opened.object_type == "comptes.accesexceptionnel"

    page = client.get(detail_url)
    assert page.status_code == 200
    assert "Accès exceptionnel" in page.content.decode()
    read = Entree.objects.filter(action=AuditAction.READ, usager_id=resident.pk).order_by("-seq")[0]
    assert read.break_glass is True
    assert read.actor_id == autre_etab_pro.pk


@pytest.mark.django_db
def test_access_lasts_the_configured_number_of_hours(resident, autre_etab_pro, settings):
    settings.BREAK_GLASS_HOURS = 2
    acces = acces_exceptionnel_open(user=autre_etab_pro, usager=resident, motif=MOTIF)
    assert acces.expire_le - acces.ouvert_le == datetime.timedelta(hours=2)
    entry = Entree.objects.get(action=AuditAction.BREAK_GLASS)
    assert entry.reason == MOTIF
    assert entry.details["expire_le"] == acces.expire_le.isoformat()


@pytest.mark.django_db
def test_short_reason_is_refused_and_opens_nothing(resident, autre_etab_pro, login):
    response = login(autre_etab_pro).post(
        open_url(resident), {"motif": "urgence", "confirmation": "on"}
    )
    assert response.status_code == 400
    assert "au moins 15 caractères" in response.content.decode()
    assert not AccesExceptionnel.objects.exists()
    assert not Entree.objects.filter(action=AuditAction.BREAK_GLASS).exists()


@pytest.mark.django_db
def test_missing_reason_or_confirmation_is_refused(resident, autre_etab_pro, login):
    client = login(autre_etab_pro)
    no_reason = client.post(open_url(resident), {"confirmation": "on"})
    assert "Le motif est obligatoire." in no_reason.content.decode()
    unconfirmed = client.post(open_url(resident), {"motif": MOTIF})
    assert "Cochez la confirmation" in unconfirmed.content.decode()
    assert not AccesExceptionnel.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role_code", ["accueil", "intervenant_domicile", "dpo"])
def test_roles_without_break_glass_right_are_refused(role_code, resident, autre_etab, login):
    user = make_pro(autre_etab, role_code)
    client = login(user)
    assert search(client, "Lefèvre").status_code == 404
    assert client.get(open_url(resident)).status_code == 404
    assert (
        client.post(open_url(resident), {"motif": MOTIF, "confirmation": "on"}).status_code == 404
    )
    with pytest.raises(Http404):
        acces_exceptionnel_open(user=user, usager=resident, motif=MOTIF)
    assert not AccesExceptionnel.objects.exists()


@pytest.mark.django_db
def test_break_glass_is_refused_for_a_person_of_another_organisme(autre_etab_pro, login):
    foreign = PriseEnChargeFactory().usager
    client = login(autre_etab_pro)
    assert client.get(open_url(foreign)).status_code == 404
    assert client.post(open_url(foreign), {"motif": MOTIF, "confirmation": "on"}).status_code == 404
    assert not AccesExceptionnel.objects.exists()


@pytest.mark.django_db
def test_person_already_in_scope_goes_straight_to_the_record(resident, collegue, login):
    response = login(collegue).get(open_url(resident))
    assert response.status_code == 302
    assert response.url == reverse("usagers:detail", args=[resident.pk])


@pytest.mark.django_db
def test_expired_access_closes_the_record(resident, autre_etab_pro, login):
    acces = acces_exceptionnel_open(user=autre_etab_pro, usager=resident, motif=MOTIF)
    client = login(autre_etab_pro)
    detail_url = reverse("usagers:detail", args=[resident.pk])
    assert client.get(detail_url).status_code == 200
    AccesExceptionnel.objects.filter(pk=acces.pk).update(
        expire_le=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(detail_url).status_code == 404


@pytest.mark.django_db
def test_dpo_sees_the_access_on_the_break_glass_screen(resident, autre_etab_pro, dpo, login):
    acces_exceptionnel_open(user=autre_etab_pro, usager=resident, motif=MOTIF)
    response = login(dpo).get(reverse("audit:break_glass"))
    assert response.status_code == 200
    content = response.content.decode()
    assert MOTIF in content
    assert autre_etab_pro.email in content
    assert resident.display_name in content
    assert "En cours" in content
    listed = Entree.objects.filter(action=AuditAction.LIST, actor_id=dpo.pk).get()
    assert listed.object_type == "comptes.accesexceptionnel"


@pytest.mark.django_db
def test_break_glass_screen_is_not_found_for_other_roles(autre_etab_pro, login):
    assert login(autre_etab_pro).get(reverse("audit:break_glass")).status_code == 404
