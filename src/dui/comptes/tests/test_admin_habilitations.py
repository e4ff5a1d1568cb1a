import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.comptes.admin_forms import HabilitationMatrixForm
from dui.comptes.models import Categorie, Habilitation, Role, User
from dui.structures.tests.helpers import last_entry, page_text


def _matrix_post(etablissement_pk, overrides):
    """The current effective matrix as POST data, with `overrides` {(code, cat, mode): bool}."""
    from dui.comptes.admin_services import effective_habilitations
    from dui.structures.models import Etablissement

    effective = effective_habilitations(Etablissement.objects.get(pk=etablissement_pk))
    data = {}
    for role in Role.objects.all():
        for categorie in Categorie.values:
            lecture, ecriture, _ = effective.get((role.pk, categorie), (False, False, False))
            for mode, value in (("lecture", lecture), ("ecriture", ecriture)):
                value = overrides.get((role.code, categorie, mode), value)
                if value:
                    data[HabilitationMatrixForm.field_name(role, categorie, mode)] = "on"
    return data


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_matrix_shows_default_values_as_checked_boxes(admin, etab, login):
    soignant = Role.objects.get(code="soignant")
    response = login(admin).get(reverse("comptes_admin:habilitations", args=[etab.pk]))
    form = response.context["form"]
    assert form[HabilitationMatrixForm.field_name(soignant, "soins", "ecriture")].value() is True
    assert form[HabilitationMatrixForm.field_name(soignant, "medical", "lecture")].value() is False
    assert "Soignant (aide-soignant, AES)" in page_text(response)


def test_override_changes_rights_in_that_etablissement_only(
    admin, etab, autre_etab, collegue, login
):
    other = make_pro(autre_etab, "soignant")
    assert not policy.droits(_fresh(collegue))[etab.pk].lecture & {"medical"}
    response = login(admin).post(
        reverse("comptes_admin:habilitations", args=[etab.pk]),
        _matrix_post(etab.pk, {("soignant", "medical", "lecture"): True}),
    )
    assert response.status_code == 302
    assert "medical" in policy.droits(_fresh(collegue))[etab.pk].lecture
    assert "medical" not in policy.droits(_fresh(other))[autre_etab.pk].lecture
    default = Habilitation.objects.get(
        role__code="soignant", etablissement__isnull=True, categorie="medical"
    )
    assert default.lecture is False
    entry = last_entry(action=AuditAction.ADMIN, object_type="comptes.habilitation")
    assert entry.etablissement_id == etab.pk
    assert entry.details["role"] == "soignant"
    assert entry.details["categorie"] == "medical"
    assert entry.details["fields"] == ["lecture"]


def test_removing_a_right_through_the_matrix_is_seen_by_policy_allows(
    admin, etab, referent, usager, login
):
    assert policy.allows(_fresh(referent), "usager.soins.write", usager)
    login(admin).post(
        reverse("comptes_admin:habilitations", args=[etab.pk]),
        _matrix_post(etab.pk, {("infirmier", "soins", "ecriture"): False}),
    )
    referent = _fresh(referent)
    assert not policy.allows(referent, "usager.soins.write", usager)
    assert policy.allows(referent, "usager.soins.read", usager)


def test_unchanged_matrix_writes_nothing(admin, etab, login):
    response = login(admin).post(
        reverse("comptes_admin:habilitations", args=[etab.pk]), _matrix_post(etab.pk, {})
    )
    assert response.status_code == 302
    assert not Habilitation.objects.filter(etablissement=etab).exists()


def test_write_without_read_is_refused_and_changes_nothing(admin, etab, login):
    response = login(admin).post(
        reverse("comptes_admin:habilitations", args=[etab.pk]),
        _matrix_post(etab.pk, {("soignant", "medical", "ecriture"): True}),
    )
    assert response.status_code == 200
    assert "l'écriture suppose la lecture" in page_text(response)
    assert not Habilitation.objects.filter(etablissement=etab).exists()


def test_medical_data_cannot_be_granted_to_a_non_health_role(admin, etab, login):
    response = login(admin).post(
        reverse("comptes_admin:habilitations", args=[etab.pk]),
        _matrix_post(etab.pk, {("accueil", "medical", "lecture"): True}),
    )
    assert response.status_code == 302
    assert not Habilitation.objects.filter(etablissement=etab).exists()
    accueil = make_pro(etab, "accueil")
    assert "medical" not in policy.droits(accueil)[etab.pk].lecture


def test_habilitation_service_refuses_medical_for_a_non_health_role(admin, etab):
    from dui.comptes.admin_services import CompteError, habilitation_set

    with pytest.raises(CompteError, match="professionnels de santé"):
        habilitation_set(
            actor=admin,
            etablissement=etab,
            role=Role.objects.get(code="educatif"),
            categorie="medical",
            lecture=True,
            ecriture=False,
        )
    assert not Habilitation.objects.filter(etablissement=etab).exists()
