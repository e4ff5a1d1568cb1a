import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.comptes import admin_services, policy
from dui.comptes.models import Affectation, Professionnel, Role, User
from dui.structures.tests.factories import UniteFactory
from dui.structures.tests.helpers import last_entry, page_text


def _create_data(etab, **overrides):
    data = {
        "email": "Nouvelle.Pro@Exemple.fr",
        "nom": "Durand",
        "prenom": "Inès",
        "profession": "ide",
        "rpps": "",
        "etablissement": etab.pk,
        "role": Role.objects.get(code="infirmier").pk,
    }
    data.update(overrides)
    return data


def test_user_create_sends_setup_email_and_writes_audit_entry(
    admin, etab, login, django_capture_on_commit_callbacks
):
    unite = UniteFactory(etablissement=etab)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin).post(
            reverse("comptes_admin:user_new"), _create_data(etab, unites=[unite.pk])
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.pro@exemple.fr")
    assert not user.has_usable_password()
    affectation = Affectation.objects.get(user=user, etablissement=etab)
    assert affectation.role.code == "infirmier"
    assert list(affectation.unites.all()) == [unite]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle.pro@exemple.fr"]
    match = re.search(r"http://testserver/\S+/(?P<uid>[\w-]+)/(?P<token>[\w-]+)/", message.body)
    assert match, message.body
    assert force_str(urlsafe_base64_decode(match["uid"])) == str(user.pk)
    assert default_token_generator.check_token(user, match["token"])
    entry = last_entry(action=AuditAction.CREATE, object_type="comptes.user")
    assert entry.object_id == str(user.pk)
    assert entry.actor_id == admin.pk
    assert entry.etablissement_id == etab.pk
    assert "email" in entry.details["fields"]
    assert "Durand" not in str(entry.details)
    assert (
        last_entry(action=AuditAction.ADMIN, object_type="comptes.affectation").details["role"]
        == "infirmier"
    )


def test_setup_email_is_not_sent_when_creation_fails(
    admin, etab, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin).post(
            reverse("comptes_admin:user_new"), _create_data(etab, email=admin.email)
        )
    assert response.status_code == 200
    assert "existe déjà" in page_text(response)
    assert mail.outbox == []


def test_malformed_rpps_is_refused_and_nothing_is_created(admin, etab, login):
    before = Entree.objects.count()
    response = login(admin).post(reverse("comptes_admin:user_new"), _create_data(etab, rpps="1234"))
    assert response.status_code == 200
    assert "11 chiffres" in page_text(response)
    assert not User.objects.filter(email="nouvelle.pro@exemple.fr").exists()
    assert Entree.objects.count() == before


def test_luhn_failing_rpps_is_accepted_with_a_visible_warning(admin, etab, login):
    client = login(admin)
    response = client.post(
        reverse("comptes_admin:user_new"), _create_data(etab, rpps="10003461033"), follow=True
    )
    pro = Professionnel.objects.get(user__email="nouvelle.pro@exemple.fr")
    assert pro.rpps == "10003461033"
    assert pro.rpps_cle_alerte is True
    assert "Annuaire Santé" in page_text(response)
    assert last_entry(action=AuditAction.CREATE, object_type="comptes.user").details[
        "rpps_cle_alerte"
    ]


def test_valid_rpps_is_stored_without_alert(admin, etab, login):
    login(admin).post(reverse("comptes_admin:user_new"), _create_data(etab, rpps="10000001916"))
    pro = Professionnel.objects.get(user__email="nouvelle.pro@exemple.fr")
    assert (pro.rpps, pro.rpps_cle_alerte) == ("10000001916", False)


def test_user_cannot_be_assigned_to_an_etablissement_the_admin_does_not_administer(
    admin, etab, autre_etab, login
):
    response = login(admin).post(
        reverse("comptes_admin:user_new"), _create_data(etab, etablissement=autre_etab.pk)
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="nouvelle.pro@exemple.fr").exists()


def test_user_list_shows_only_users_of_administered_etablissements(
    admin, collegue, autre_etab_pro, login
):
    content = page_text(login(admin).get(reverse("comptes_admin:users")))
    assert collegue.email in content
    assert autre_etab_pro.email not in content


def test_user_of_another_etablissement_is_not_found(admin, autre_etab_pro, login):
    client = login(admin)
    assert client.get(reverse("comptes_admin:user", args=[autre_etab_pro.pk])).status_code == 404
    response = client.post(reverse("comptes_admin:user_deactivate", args=[autre_etab_pro.pk]))
    assert response.status_code == 404
    autre_etab_pro.refresh_from_db()
    assert autre_etab_pro.is_active


def test_user_update_records_changed_fields(admin, collegue, login):
    Professionnel.objects.create(user=collegue, profession="aide_soignant")
    login(admin).post(
        reverse("comptes_admin:user_edit", args=[collegue.pk]),
        {
            "email": collegue.email,
            "nom": "Collègue-Martin",
            "prenom": collegue.prenom,
            "profession": "aes",
            "rpps": "",
        },
    )
    collegue.refresh_from_db()
    assert collegue.nom == "Collègue-Martin"
    assert collegue.professionnel.profession == "aes"
    entry = last_entry(action=AuditAction.UPDATE, object_type="comptes.user")
    assert sorted(entry.details["fields"]) == ["nom", "profession"]


def test_deactivated_user_is_logged_out_everywhere(admin, collegue, login):
    victim_client = login(collegue)
    old_token = collegue.session_token
    # Logged in, a soignant gets 404 on admin pages; logged out, a redirect to the login page.
    page = reverse("comptes_admin:users")
    assert victim_client.get(page).status_code == 404
    response = login(admin).post(reverse("comptes_admin:user_deactivate", args=[collegue.pk]))
    assert response.status_code == 302
    collegue.refresh_from_db()
    assert collegue.is_active is False
    assert collegue.session_token != old_token
    response = victim_client.get(page)
    assert response.status_code == 302
    assert response.url.startswith(reverse("comptes:login"))
    entry = last_entry(action=AuditAction.ADMIN, object_type="comptes.user")
    assert entry.object_id == str(collegue.pk)
    assert "is_active" in entry.details["fields"]


def test_administrator_cannot_deactivate_themselves(admin, login):
    response = login(admin).post(
        reverse("comptes_admin:user_deactivate", args=[admin.pk]), follow=True
    )
    assert "propre compte" in page_text(response)
    admin.refresh_from_db()
    assert admin.is_active


def test_user_working_elsewhere_is_not_deactivated_by_this_admin(
    admin, collegue, autre_etab, login
):
    Affectation.objects.create(
        user=collegue, etablissement=autre_etab, role=Role.objects.get(code="soignant")
    )
    response = login(admin).post(
        reverse("comptes_admin:user_deactivate", args=[collegue.pk]), follow=True
    )
    assert "n'administrez pas" in page_text(response)
    collegue.refresh_from_db()
    assert collegue.is_active


def test_affectation_change_and_removal_are_journaled(admin, collegue, etab, login):
    client = login(admin)
    unite = UniteFactory(etablissement=etab)
    client.post(
        reverse("comptes_admin:affectation_edit", args=[collegue.pk]),
        {
            "etablissement": etab.pk,
            "role": Role.objects.get(code="educatif").pk,
            "unites": [unite.pk],
        },
    )
    affectation = Affectation.objects.get(user=collegue, etablissement=etab)
    assert affectation.role.code == "educatif"
    entry = last_entry(action=AuditAction.ADMIN, object_type="comptes.affectation")
    assert sorted(entry.details["fields"]) == ["role", "unites"]
    client.post(reverse("comptes_admin:affectation_remove", args=[collegue.pk, affectation.pk]))
    affectation.refresh_from_db()
    assert affectation.actif is False
    assert last_entry(action=AuditAction.ADMIN, object_id=str(affectation.pk)).details[
        "fields"
    ] == ["actif"]
    assert etab.pk not in policy.droits(User.objects.get(pk=collegue.pk))


def test_unit_of_another_etablissement_is_refused_for_an_affectation(
    admin, collegue, etab, autre_etab
):
    foreign_unit = UniteFactory(etablissement=autre_etab)
    with pytest.raises(admin_services.CompteError, match="n'appartient pas"):
        admin_services.affectation_set(
            actor=admin,
            user=collegue,
            etablissement=etab,
            role=Role.objects.get(code="soignant"),
            unites=[foreign_unit],
        )
    assert not Affectation.objects.get(user=collegue, etablissement=etab).unites.exists()


def test_administrator_cannot_remove_their_own_admin_role(admin, etab, login):
    response = login(admin).post(
        reverse("comptes_admin:affectation_edit", args=[admin.pk]),
        {"etablissement": etab.pk, "role": Role.objects.get(code="soignant").pk},
    )
    assert "propre rôle d'administrateur" in page_text(response)
    assert Affectation.objects.get(user=admin, etablissement=etab).role.code == "administrateur"


def test_admin_of_another_etablissement_of_a_shared_user_sees_only_their_affectation(
    etab, autre_etab, collegue, login
):
    Affectation.objects.create(
        user=collegue, etablissement=autre_etab, role=Role.objects.get(code="soignant")
    )
    other_admin = make_pro(autre_etab, "administrateur")
    content = page_text(login(other_admin).get(reverse("comptes_admin:user", args=[collegue.pk])))
    assert autre_etab.nom in content
    assert etab.nom not in content


def test_new_user_chooses_a_password_through_the_setup_link(
    admin, etab, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(admin).post(reverse("comptes_admin:user_new"), _create_data(etab))
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body)[1]
    client = Client()
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the URL
    password = "Une phrase de passe solide 2026"
    response = client.post(response.url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.pro@exemple.fr")
    assert user.check_password(password)


def test_user_list_query_count_does_not_grow_with_users(
    admin, etab, login, django_assert_max_num_queries
):
    client = login(admin)
    for _ in range(2):
        make_pro(etab, "soignant")
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("comptes_admin:users"))
    for _ in range(8):
        make_pro(etab, "soignant")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("comptes_admin:users"))
    assert len(response.context["users"]) == 11
