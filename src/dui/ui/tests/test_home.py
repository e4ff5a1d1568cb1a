from datetime import timedelta

from django.utils import timezone

from conftest import make_pro
from dui import audit
from dui.audit.models import AuditAction
from dui.comptes.models import AccesExceptionnel, Role
from dui.comptes.tests.factories import AffectationFactory
from dui.usagers.tests.factories import PriseEnChargeFactory


def test_home_shows_who_i_am_and_my_etablissements_with_their_roles(login, referent, etab):
    response = login(referent).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert referent.email in html
    assert etab.nom in html
    assert "Infirmier / IDEC" in html


def test_home_lists_my_recent_activity_with_french_labels(login, collegue, usager):
    client = login(collegue)
    client.get(f"/usagers/{usager.pk}/")
    html = client.get("/").content.decode()
    assert "Consultation — dossier d&#x27;une personne" in html


def test_home_does_not_show_other_users_activity(login, collegue, referent, usager):
    audit.record(action=AuditAction.EXPORT, actor=referent, usager=usager)
    html = login(collegue).get("/").content.decode()
    assert "Export" not in html


def test_accueil_home_has_a_block_linking_to_the_persons_list(login, etab, usager):
    accueil = make_pro(etab, "accueil")
    response = login(accueil).get("/")
    blocks = {b.key: b for b in response.context["blocks"]}
    assert blocks["personnes"].compte == 1
    assert ("Voir la liste des personnes", "/usagers/") in blocks["personnes"].liens


def test_dpo_home_counts_break_glass_accesses_of_the_last_seven_days(login, dpo, etab, usager):
    audit.record(action=AuditAction.READ, usager=usager, etablissement=etab, break_glass=True)
    audit.record(action=AuditAction.READ, usager=usager, etablissement=etab, break_glass=True)
    audit.record(action=AuditAction.READ, usager=usager, etablissement=etab)
    response = login(dpo).get("/")
    blocks = {b.key: b for b in response.context["blocks"]}
    assert blocks["journal"].compte == 2
    assert ("Ouvrir le journal d'accès", "/journal/") in blocks["journal"].liens


def test_dpo_home_ignores_break_glass_accesses_older_than_seven_days(
    login, dpo, etab, usager, monkeypatch
):
    eight_days_ago = timezone.now() - timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: eight_days_ago)
    audit.record(action=AuditAction.READ, usager=usager, etablissement=etab, break_glass=True)
    monkeypatch.undo()
    response = login(dpo).get("/")
    blocks = {b.key: b for b in response.context["blocks"]}
    assert blocks["journal"].compte == 0


def test_admin_home_links_to_structures_and_accounts_but_not_to_persons(login, admin):
    response = login(admin).get("/")
    blocks = {b.key: b for b in response.context["blocks"]}
    assert set(blocks) == {"administration"}
    urls = [url for _, url in blocks["administration"].liens]
    assert urls == ["/administration/structures/", "/administration/comptes/"]


def test_user_with_two_roles_gets_the_current_roles_block_first(login, etab, autre_etab, usager):
    user = make_pro(etab, "dpo")
    AffectationFactory(user=user, etablissement=autre_etab, role=Role.objects.get(code="accueil"))
    client = login(user)
    client.post("/etablissement/", {"etablissement_id": autre_etab.pk})
    keys = [b.key for b in client.get("/").context["blocks"]]
    # Accueil is an identitovigilance referent: its blocks come before the DPO's.
    assert keys == ["personnes", "identitovigilance", "journal"]


def test_home_query_count_is_bounded(login, referent, etab, django_assert_max_num_queries):
    for _ in range(5):
        PriseEnChargeFactory(etablissement=etab)
    client = login(referent)
    for _ in range(5):
        client.get("/usagers/")
    # Shell and session (~10), then one or two per home block of an infirmier: persons,
    # identitovigilance, benefits, projets due, untraced doses, DLU to review.
    with django_assert_max_num_queries(23):
        response = client.get("/")
    assert response.status_code == 200


def test_home_marks_break_glass_entries_in_my_activity(login, collegue, autre_etab):
    other = PriseEnChargeFactory(etablissement=autre_etab).usager
    AccesExceptionnel.objects.create(
        user=collegue, usager=other, motif="Urgence", expire_le=timezone.now() + timedelta(hours=1)
    )
    client = login(collegue)
    client.get(f"/usagers/{other.pk}/")
    assert "accès exceptionnel</span>" in client.get("/").content.decode()


def test_referent_sees_the_pending_duplicates_count(login, etab, organisme):
    from dui.usagers.models import SuspicionDoublon

    a, b = (
        PriseEnChargeFactory(etablissement=etab).usager,
        PriseEnChargeFactory(etablissement=etab).usager,
    )
    SuspicionDoublon.objects.create(usager=a, candidat=b, niveau=2, score=0.9)
    blocks = login(make_pro(etab, "accueil")).get("/").context["blocks"]
    assert [b.compte for b in blocks if b.key == "identitovigilance"] == [1]


def test_benefits_block_only_for_social_readers(login, etab):
    keys_social = [b.key for b in login(make_pro(etab, "chef_service")).get("/").context["blocks"]]
    keys_soignant = [b.key for b in login(make_pro(etab, "soignant")).get("/").context["blocks"]]
    assert "droits" in keys_social
    assert "droits" not in keys_soignant
