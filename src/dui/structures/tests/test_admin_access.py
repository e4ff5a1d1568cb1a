import pytest
from django.urls import reverse

from conftest import make_pro
from dui.structures.tests.factories import EtablissementFactory, UniteFactory


def _etablissement_urls(etab, unite):
    return [
        reverse("structures:etablissement", args=[etab.pk]),
        reverse("structures:etablissement_edit", args=[etab.pk]),
        reverse("structures:unite_new", args=[etab.pk]),
        reverse("structures:unite_edit", args=[unite.pk]),
        reverse("comptes_admin:habilitations", args=[etab.pk]),
    ]


def test_administrator_of_another_etablissement_gets_404(etab, autre_etab, login):
    other_admin = make_pro(autre_etab, "administrateur")
    client = login(other_admin)
    unite = UniteFactory(etablissement=etab)
    for url in _etablissement_urls(etab, unite):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"nom": "x"}).status_code == 404, url


def test_administrator_of_another_organisme_cannot_edit_this_organisme(organisme, etab, login):
    stranger = make_pro(EtablissementFactory(), "administrateur")
    response = login(stranger).get(reverse("structures:organisme_edit", args=[organisme.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role_code", ["soignant", "direction", "dpo"])
def test_non_administrator_gets_404_on_every_admin_page(role_code, etab, admin, login):
    user = make_pro(etab, role_code)
    client = login(user)
    unite = UniteFactory(etablissement=etab)
    urls = [
        reverse("structures:list"),
        reverse("structures:organisme_edit", args=[etab.organisme_id]),
        reverse("structures:etablissement_new"),
        reverse("comptes_admin:users"),
        reverse("comptes_admin:user_new"),
        reverse("comptes_admin:user", args=[admin.pk]),
        reverse("comptes_admin:user_edit", args=[admin.pk]),
        reverse("comptes_admin:affectation_edit", args=[admin.pk]),
        *_etablissement_urls(etab, unite),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    post_only = [
        reverse("comptes_admin:user_deactivate", args=[admin.pk]),
        reverse("comptes_admin:affectation_remove", args=[admin.pk, admin.affectations.get().pk]),
    ]
    for url in post_only:
        assert client.post(url).status_code == 404, url
    admin.refresh_from_db()
    assert admin.is_active
