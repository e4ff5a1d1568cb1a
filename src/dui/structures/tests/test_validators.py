import pytest
from django.core.exceptions import ValidationError

from dui.structures.validators import Verdict, check_finess, check_rpps


@pytest.mark.parametrize("finess", ["750803454", "540002698", "010000602", "060016219"])
def test_real_finess_numbers_pass(finess):
    check = check_finess(finess)
    assert check.verdict is Verdict.OK
    assert check.value == finess
    assert not check.needs_confirmation


def test_finess_with_failing_key_warns():
    check = check_finess("458174839")
    assert check.verdict is Verdict.WARNING
    assert check.needs_confirmation
    assert "clé de contrôle" in check.message


@pytest.mark.parametrize(
    "finess, code",
    [
        ("12345678", "finess_length"),
        ("001234567", "finess_department"),
        ("75A123456", "finess_chars"),
        ("ABCDEFGHI", "finess_chars"),
    ],
)
def test_malformed_finess_is_refused(finess, code):
    with pytest.raises(ValidationError) as error:
        check_finess(finess)
    assert error.value.code == code


@pytest.mark.parametrize("finess", ["2A0000000", "2b0001234"])
def test_corsican_finess_is_accepted_with_warning(finess):
    check = check_finess(finess)
    assert check.verdict is Verdict.WARNING
    assert check.value == finess.upper()
    assert "corse" in check.message


def test_rpps_with_valid_key_passes():
    check = check_rpps("10000001916")
    assert check.verdict is Verdict.OK
    assert check.value == "10000001916"


@pytest.mark.parametrize("rpps", ["10003461033", "10102727017"])
def test_rpps_failing_luhn_warns_but_is_accepted(rpps):
    check = check_rpps(rpps)
    assert check.verdict is Verdict.WARNING
    assert check.value == rpps


@pytest.mark.parametrize("rpps", ["1234", "1000000191A", "100000019160"])
def test_malformed_rpps_is_refused(rpps):
    with pytest.raises(ValidationError):
        check_rpps(rpps)
