from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import Entree
from dui.soins.models import Mesure, SeuilAlerte
from dui.soins.tests.factories import MesureFactory
from dui.structures.tests.factories import UniteFactory
from dui.usagers.tests.factories import PriseEnChargeFactory


def _urls(usager, mesure):
    return [
        reverse("soins:constantes", args=[usager.pk]),
        reverse("soins:mesure_corriger", args=[usager.pk, mesure.pk]),
        reverse("soins:constantes_du_jour"),
        reverse("soins:seuils"),
    ]


@pytest.mark.parametrize("role", ["accueil", "educatif", "dpo"])
@pytest.mark.parametrize("index", range(4))
def test_non_health_roles_get_404_on_every_soins_view(etab, usager, login, role, index):
    mesure = MesureFactory(usager=usager, type="temperature", valeur=Decimal("39.0"))
    url = _urls(usager, mesure)[index]
    client = login(make_pro(etab, role))
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"pouls": "80", "valeur": "37", "motif": "x", "type": "spo2"}).status_code
        == 404
    )
    assert Mesure.objects.count() == 1 and not SeuilAlerte.objects.exists()


@pytest.mark.parametrize("index", range(2))
def test_other_etablissement_gets_404_on_the_persons_soins(usager, autre_etab_pro, login, index):
    mesure = MesureFactory(usager=usager)
    client = login(autre_etab_pro)
    url = _urls(usager, mesure)[index]
    assert client.get(url).status_code == 404
    assert client.post(url, {"pouls": "80", "valeur": "37", "motif": "x"}).status_code == 404
    assert Mesure.objects.count() == 1


def test_constantes_tab_is_journaled(usager, referent, login):
    response = login(referent).get(reverse("soins:constantes", args=[usager.pk]))
    assert response.status_code == 200
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.usager_id, entry.details["onglet"]) == (
        "read",
        usager.pk,
        "soins:constantes",
    )


def test_quick_entry_form_saves_several_measures(usager, referent, login):
    response = login(referent).post(
        reverse("soins:constantes", args=[usager.pk]),
        {"tension": "135", "tension2": "80", "temperature": "37,8", "spo2": "96"},
    )
    assert response.status_code == 302
    assert {m.type: m.valeur for m in Mesure.objects.all()} == {
        "tension": Decimal("135"),
        "temperature": Decimal("37.8"),
        "spo2": Decimal("96"),
    }


def test_impossible_value_in_the_form_saves_nothing_and_says_why(usager, referent, login):
    response = login(referent).post(
        reverse("soins:constantes", args=[usager.pk]), {"pouls": "80", "temperature": "52"}
    )
    assert response.status_code == 200
    assert "Température : 52 °C est impossible" in response.content.decode()
    assert not Mesure.objects.exists()


def test_read_only_soins_role_sees_values_but_cannot_enter(etab, usager, login):
    MesureFactory(usager=usager, type="pouls", valeur=Decimal("80"))
    client = login(make_pro(etab, "direction"))
    url = reverse("soins:constantes", args=[usager.pk])
    page = client.get(url).content.decode()
    assert "Saisie rapide" not in page and "80" in page
    assert client.post(url, {"pouls": "90"}).status_code == 404
    assert Mesure.objects.count() == 1


def test_out_of_range_value_is_marked_in_text_not_only_colour(usager, referent, login):
    MesureFactory(usager=usager, type="spo2", valeur=Decimal("89"))
    page = login(referent).get(reverse("soins:constantes", args=[usager.pk])).content.decode()
    assert 'class="hors-norme"' in page
    assert "↓ bas" in page
    assert "<svg" in page and "<polyline" in page
    assert "style=" not in page
    assert "<script>" not in page  # no inline script (CSP); the app's bundle has a src


def test_quick_entry_inputs_are_phone_friendly(usager, referent, login):
    page = login(referent).get(reverse("soins:constantes", args=[usager.pk])).content.decode()
    assert page.count('inputmode="decimal"') == 12  # 11 types, tension has two values
    assert '<label for="id_temperature">' in page


def test_correction_view_creates_linked_measure(usager, referent, login):
    old = MesureFactory(usager=usager, type="poids", valeur=Decimal("92.0"))
    response = login(referent).post(
        reverse("soins:mesure_corriger", args=[usager.pk, old.pk]),
        {"valeur": "62,0", "motif": "Erreur de frappe"},
    )
    assert response.status_code == 302
    assert Mesure.objects.get(corrige=old).valeur == Decimal("62.0")


def test_correction_without_reason_is_refused(usager, referent, login):
    old = MesureFactory(usager=usager)
    response = login(referent).post(
        reverse("soins:mesure_corriger", args=[usager.pk, old.pk]), {"valeur": "37,5"}
    )
    assert response.status_code == 200
    assert Mesure.objects.count() == 1


def test_day_list_shows_out_of_range_values_of_the_etablissement(
    etab, autre_etab, usager, referent, login
):
    MesureFactory(usager=usager, type="temperature", valeur=Decimal("38.6"))
    MesureFactory(usager=usager, type="pouls", valeur=Decimal("80"))
    ailleurs = PriseEnChargeFactory(etablissement=autre_etab).usager
    MesureFactory(usager=ailleurs, type="temperature", valeur=Decimal("39.5"))
    response = login(referent).get(reverse("soins:constantes_du_jour"))
    page = response.content.decode()
    assert "38,6" in page and "↑ élevé" in page
    assert "Pouls" not in page and "39,5" not in page
    entry = Entree.objects.latest("seq")
    assert (entry.action, entry.details["usager_ids"]) == ("list", [usager.pk])


def test_day_list_query_count_does_not_grow_with_persons(etab, referent, login):
    client = login(referent)
    url = reverse("soins:constantes_du_jour")
    unite = UniteFactory(etablissement=etab)

    def add_person():
        person = PriseEnChargeFactory(etablissement=etab, unite=unite).usager
        MesureFactory(usager=person, type="spo2", valeur=Decimal("88"))

    add_person()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        add_person()
    with CaptureQueriesContext(connection) as five:
        page = client.get(url).content.decode()
    assert page.count("↓ bas") == 5 and unite.nom in page
    assert len(five) == len(one)


def test_thresholds_page_sets_a_threshold(etab, referent, login):
    response = login(referent).post(reverse("soins:seuils"), {"type": "spo2", "bas": "90"})
    assert response.status_code == 302
    assert SeuilAlerte.objects.get(etablissement=etab, type="spo2").bas == Decimal("90")


def test_constantes_tab_query_count_does_not_grow_with_measures(usager, referent, login):
    client = login(referent)
    url = reverse("soins:constantes", args=[usager.pk])
    MesureFactory(usager=usager, type="pouls", valeur=Decimal("80"))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for value in range(81, 91):
        MesureFactory(usager=usager, type="pouls", valeur=Decimal(value))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("<circle") == 11
    assert len(many) == len(few)


def test_chart_coordinates_use_a_decimal_point_under_the_french_locale(usager, referent, login):
    import re
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for days, value in ((3, "37.2"), (2, "38.7"), (1, "36.9")):
        MesureFactory(
            usager=usager,
            type="temperature",
            valeur=Decimal(value),
            mesure_le=now - timedelta(days=days, minutes=7),
        )
    page = login(referent).get(reverse("soins:constantes", args=[usager.pk])).content.decode()
    coordinates = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', page)
    assert len(coordinates) == 3
    for x, y in coordinates:
        float(x), float(y)  # "90,5" would raise
    polyline = re.search(r'<polyline[^>]* points="([^"]+)"', page).group(1)
    assert all(len(pair.split(",")) == 2 for pair in polyline.split())
