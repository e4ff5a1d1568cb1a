"""Duplicate candidates on tricky pairs, and no false alarm on look-alikes."""

import datetime

import pytest

from dui.structures.tests.factories import OrganismeFactory
from dui.usagers.identitovigilance import Niveau, Traits, date_closeness, find_duplicates
from dui.usagers.tests.factories import UsagerFactory

D = datetime.date


def existing(organisme, nom, prenoms, date, sexe="F", lieu="75056", nom_utilise="", matricule=""):
    return UsagerFactory(
        organisme=organisme,
        nom_naissance=nom,
        prenoms_naissance=prenoms,
        date_naissance=date,
        sexe=sexe,
        lieu_naissance_insee=lieu,
        nom_utilise=nom_utilise,
        matricule_ins=matricule,
    )


PAIRS = [
    # (existing record, typed traits, minimum level)
    (("DUPONT", "Marie", D(1938, 4, 12)), ("Dupond", "Marie", D(1938, 4, 12)), Niveau.FORT),
    (("LE GOFF", "Jean", D(1940, 1, 2), "M"), ("Legoff", "Jean", D(1940, 1, 2), "M"), Niveau.FORT),
    (("LEFÈVRE", "Hélène", D(1941, 5, 3)), ("Lefebvre", "Helene", D(1941, 5, 3)), Niveau.FORT),
    (
        ("DE LA FONTAINE", "Anne", D(1937, 3, 9)),
        ("Delafontaine", "Anne", D(1937, 3, 9)),
        Niveau.FORT,
    ),
    (
        ("MARTIN", "Claude", D(1939, 6, 1), "M"),
        ("Claude", "Martin", D(1939, 6, 1), "M"),
        Niveau.MOYEN,
    ),
    (("DUPONT", "Marie", D(1938, 4, 12)), ("Dupont", "Marie", D(1938, 12, 4)), Niveau.FORT),
    (
        ("DUPONT", "Marie", D(1938, 4, 12)),
        ("Dupont", "Marie", D(1939, 4, 12), "F", ""),
        Niveau.MOYEN,
    ),
    (("SCHMITT", "Paul", D(1950, 2, 2), "M"), ("Chmit", "Paul", D(1950, 2, 2), "M"), Niveau.FORT),
    (
        ("BERNARD", "Marie-Claire", D(1945, 8, 8)),
        ("Bernard", "Marie Claire", D(1945, 8, 8)),
        Niveau.FORT,
    ),
    (
        ("PETIT", "Jeanne Marie", D(1936, 7, 7)),
        ("Petit", "Marie Jeanne", D(1936, 7, 7)),
        Niveau.MOYEN,
    ),
]


@pytest.mark.parametrize(("old", "new", "level"), PAIRS)
def test_tricky_pairs_are_found(organisme, old, new, level):
    u = existing(organisme, *old)
    found = find_duplicates(
        organisme_id=organisme.pk,
        traits=Traits(*new[:3], *new[3:4] or ["F"], *new[4:5] or ["75056"]),
    )
    assert [c.usager for c in found] == [u]
    assert found[0].niveau >= level
    assert found[0].raisons


def test_married_name_typed_as_birth_name_matches_the_used_name(organisme):
    u = existing(organisme, "DURAND", "Jeanne", D(1940, 1, 1), nom_utilise="MARTIN")
    found = find_duplicates(
        organisme_id=organisme.pk, traits=Traits("Martin", "Jeanne", D(1940, 1, 1), "F", "75056")
    )
    assert found[0].usager == u and found[0].niveau == Niveau.FORT


def test_other_surname_with_same_first_name_and_date_warns(organisme):
    u = existing(organisme, "DURAND", "Jeanne", D(1940, 1, 1))
    found = find_duplicates(
        organisme_id=organisme.pk, traits=Traits("Martin", "Jeanne", D(1940, 1, 1), "F")
    )
    assert found[0].usager == u and found[0].niveau == Niveau.MOYEN


def test_same_matricule_is_a_strong_match_whatever_the_names(organisme):
    u = existing(organisme, "DURAND", "Jeanne", D(1940, 1, 1), matricule="240017505612345")
    found = find_duplicates(
        organisme_id=organisme.pk,
        traits=Traits("X", "Y", D(1990, 1, 1), "F", matricule_ins="240017505612345"),
    )
    assert found[0].usager == u and found[0].niveau == Niveau.FORT


NON_PAIRS = [
    (("MARTIN", "Claude", D(1938, 1, 1), "M"), ("Morin", "Claude", D(1952, 6, 3), "M")),
    (("DUPONT", "Marie", D(1938, 4, 12)), ("Dupont", "Pierre", D(1965, 7, 3), "M")),
    (("DUPONT", "Marie", D(1938, 4, 12)), ("Dupont", "Jeanne", D(1938, 4, 12))),  # twins
    (("DUPONT", "Marie", D(1938, 4, 12)), ("Durand", "Paul", D(1938, 4, 12), "M")),
]


@pytest.mark.parametrize(("old", "new"), NON_PAIRS)
def test_look_alikes_are_not_flagged(organisme, old, new):
    existing(organisme, *old)
    traits = Traits(*new[:3], *new[3:4] or ["F"])
    assert find_duplicates(organisme_id=organisme.pk, traits=traits) == []


def test_other_organisme_is_not_searched(organisme):
    existing(OrganismeFactory(), "DUPONT", "Marie", D(1938, 4, 12))
    traits = Traits("Dupont", "Marie", D(1938, 4, 12), "F")
    assert find_duplicates(organisme_id=organisme.pk, traits=traits) == []


def test_search_is_one_query(organisme, django_assert_num_queries):
    for i in range(20):
        existing(organisme, "DUPONT", f"Marie{i}", D(1938, 4, 12))
    with django_assert_num_queries(1):
        find_duplicates(organisme_id=organisme.pk, traits=Traits("Dupond", "Marie", D(1938, 4, 12)))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(1938, 4, 12), D(1938, 4, 12), 1.0),
        (D(1938, 4, 12), D(1938, 12, 4), 0.8),
        (D(1938, 4, 12), D(1983, 4, 12), 0.8),
        (D(1938, 4, 12), D(1948, 4, 12), 0.8),
        (D(1938, 4, 12), D(1938, 4, 13), 0.6),
        (D(1938, 4, 12), D(1960, 9, 1), 0.0),
    ],
)
def test_birth_date_typing_slips(a, b, expected):
    assert date_closeness(a, b)[0] == expected
