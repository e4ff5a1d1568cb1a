import pytest
from django.core.exceptions import ValidationError

from dui.interop.ins.matricule import cle, parse_matricule


@pytest.mark.parametrize(
    "value",
    [
        "297022A02077878",  # Corsica 2A
        "160012B02077713",  # Corsica 2B
        "236066322083656",
        "109076322083489",
        "279035121518989",  # ANS CDA example
        "1 09 07 63 220 834 89",  # spaces accepted
    ],
)
def test_valid_matricules_are_accepted(value):
    m = parse_matricule(value)
    assert len(m.complet) == 15


def test_corsican_key_uses_19_and_18():
    assert cle("297022A020778") == 78
    assert cle("160012B020777") == 13


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("297022A02077877", "ins_key"),
        ("236066322083655", "ins_key"),
        ("23606632208365", "ins_length"),
        ("2360663220836566", "ins_length"),
        ("2360X6322083656", "ins_chars"),
        ("297022C02077878", "ins_chars"),
        ("536066322083656", "ins_first_digit"),
    ],
)
def test_wrong_matricules_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_matricule(value)
    assert excinfo.value.code == code
    assert "matricule INS" in excinfo.value.messages[0]
