"""One reverse for a page's many links gives exactly what reverse gives for each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dui.ui.liens import lien


@pytest.mark.parametrize("usager_id", [1, 42, 987654321, 98765432109876])
def test_one_argument_links_equal_reverse(usager_id):
    assert lien("soins:traitements")(usager_id) == reverse("soins:traitements", args=[usager_id])


@pytest.mark.parametrize(
    ("usager_id", "pk"), [(1, 2), (876543210, 987654321), (3, 876543210), (12, 12)]
)
def test_two_argument_links_equal_reverse(usager_id, pk):
    for name in ("accompagnement:transmission_correct", "accompagnement:transmission_lu"):
        assert lien(name, 2)(usager_id, pk) == reverse(name, args=[usager_id, pk])


def test_the_number_of_arguments_is_checked():
    with pytest.raises(TypeError):
        lien("accompagnement:transmission_lu", 2)(1)
    with pytest.raises(ValueError):
        lien("soins:traitements")("1/../admin")
