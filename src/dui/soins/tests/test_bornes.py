from decimal import Decimal

import pytest

from dui.audit.models import Entree
from dui.soins.constantes import check_valeur
from dui.soins.models import Mesure
from dui.soins.services import Saisie, SoinsError, mesure_record


def test_impossible_temperature_is_refused_in_french():
    assert check_valeur("temperature", Decimal("47")) == [
        "Température : 47 °C est impossible (valeurs admises de 25,0 à 45,0 °C)."
    ]


def test_plausible_values_pass_the_bounds():
    assert check_valeur("temperature", Decimal("38.4")) == []
    assert check_valeur("tension", Decimal("135"), Decimal("80")) == []
    assert check_valeur("braden", Decimal("6")) == []


@pytest.mark.parametrize(
    ("type_code", "valeur", "valeur2", "message"),
    [
        ("spo2", Decimal("101"), None, "SpO2 : 101 % est impossible"),
        (
            "norton",
            Decimal("4"),
            None,
            "Échelle de Norton : 4 est impossible (valeurs admises de 5 à 20).",
        ),
        ("eva", Decimal("11"), None, "Douleur (EVA) : 11 est impossible"),
        ("tension", Decimal("120"), Decimal("130"), "La pression diastolique doit être inférieure"),
        ("tension", Decimal("120"), None, "Indiquez la pression diastolique"),
        ("pouls", Decimal("72.5"), None, "Pouls se saisit sans décimale."),
        ("imc", Decimal("25"), None, "IMC est calculé, il ne se saisit pas."),
    ],
)
def test_bounds_refuse_impossible_values(type_code, valeur, valeur2, message):
    assert any(e.startswith(message) for e in check_valeur(type_code, valeur, valeur2))


def test_one_impossible_value_saves_none_of_the_entry(usager, referent):
    entries = Entree.objects.count()
    with pytest.raises(SoinsError) as refused:
        mesure_record(
            actor=referent,
            usager=usager,
            saisies=[Saisie("pouls", Decimal("80")), Saisie("temperature", Decimal("52"))],
        )
    assert list(refused.value.errors) == ["temperature"]
    assert "impossible" in refused.value.errors["temperature"][0]
    assert Mesure.objects.count() == 0
    assert Entree.objects.count() == entries
