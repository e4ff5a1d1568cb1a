from datetime import timedelta

from django.utils import timezone

from dui.audit.models import AuditAction, Entree
from dui.comptes.models import AccesExceptionnel
from dui.usagers.models import Usager
from dui.usagers.tests.factories import PriseEnChargeFactory


def test_colleague_in_same_etablissement_opens_the_record_and_it_is_journaled(
    login, collegue, usager
):
    response = login(collegue).get(f"/usagers/{usager.pk}/")
    assert response.status_code == 200
    entry = Entree.objects.get(action=AuditAction.READ, usager_id=usager.pk)
    assert entry.actor_id == collegue.pk


def test_professional_of_another_etablissement_gets_404_and_an_empty_list(
    login, autre_etab_pro, usager
):
    client = login(autre_etab_pro)
    assert client.get(f"/usagers/{usager.pk}/").status_code == 404
    assert not Usager.objects.visible_to(autre_etab_pro).exists()


def test_record_shows_rniv_identity_and_used_names_distinctly(login, collegue, usager):
    usager.nom_naissance = "Lefèvre"
    usager.prenoms_naissance = "Marie Jeanne"
    usager.nom_utilise = "Martin"
    usager.prenom_utilise = "Jeannette"
    usager.save()
    html = login(collegue).get(f"/usagers/{usager.pk}/").content.decode()
    assert "<strong>LEFÈVRE</strong> Marie" in html
    assert "Nom utilisé : MARTIN" in html
    assert "Prénom utilisé : Jeannette" in html


def test_record_lists_stays_only_in_etablissements_the_user_works_in(
    login, collegue, usager, etab, autre_etab
):
    PriseEnChargeFactory(usager=usager, etablissement=autre_etab)
    response = login(collegue).get(f"/usagers/{usager.pk}/")
    assert [s.etablissement for s in response.context["s"].sejours] == [etab]


def test_break_glass_record_shows_the_banner_and_flags_the_journal(login, autre_etab_pro, usager):
    AccesExceptionnel.objects.create(
        user=autre_etab_pro,
        usager=usager,
        motif="Appel du SAMU",
        expire_le=timezone.now() + timedelta(hours=1),
    )
    response = login(autre_etab_pro).get(f"/usagers/{usager.pk}/")
    assert "Accès exceptionnel." in response.content.decode()
    assert Entree.objects.get(action=AuditAction.READ, usager_id=usager.pk).break_glass is True


def test_ordinary_record_read_has_no_break_glass_banner(login, collegue, usager):
    response = login(collegue).get(f"/usagers/{usager.pk}/")
    assert "Accès exceptionnel." not in response.content.decode()
    assert Entree.objects.get(action=AuditAction.READ, usager_id=usager.pk).break_glass is False
