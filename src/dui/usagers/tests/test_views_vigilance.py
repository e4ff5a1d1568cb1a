"""The identitovigilance referent's screens: queue, pair, settle, merge, undo, history."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.structures.tests.factories import OrganismeFactory
from dui.usagers.fusion import usagers_merge
from dui.usagers.identite import StatutIdentite
from dui.usagers.models import (
    EvenementIdentite,
    Fusion,
    MembreEquipe,
    PriseEnCharge,
    SuspicionDoublon,
    Usager,
)
from dui.usagers.services_vigilance import HOMONYMES_MOTIF, pending_duplicates_count
from dui.usagers.tests.factories import (
    MembreEquipeFactory,
    PriseEnChargeFactory,
    UsagerFactory,
)


def make_pair(organisme, *, niveau=2, same_names=True, detecte_le=None, **candidat_traits):
    """Two persons of `organisme` suspected to be one, and their pending suspicion."""
    a = UsagerFactory(
        organisme=organisme,
        nom_naissance="MARTIN",
        prenoms_naissance="Louise Anne",
        date_naissance=datetime.date(1941, 3, 2),
    )
    b = UsagerFactory(
        organisme=organisme,
        nom_naissance="MARTIN" if same_names else "MARTINEZ",
        prenoms_naissance="Louise",
        date_naissance=candidat_traits.pop("date_naissance", datetime.date(1941, 3, 2)),
        lieu_naissance_insee=candidat_traits.pop("lieu_naissance_insee", "13055"),
        **candidat_traits,
    )
    s = SuspicionDoublon.objects.create(
        usager=b,
        candidat=a,
        niveau=niveau,
        score=0.93,
        raisons=["nom de naissance", "même date de naissance"],
        detecte_le=detecte_le or timezone.now(),
    )
    return s, a, b


# --- Queue -------------------------------------------------------------------------------


def test_queue_shows_the_organismes_pairs_and_hides_another_organismes(referent, organisme, login):
    mine, a, _ = make_pair(organisme)
    other, *_ = make_pair(OrganismeFactory())
    response = login(referent).get(reverse("usagers:vigilance"))
    assert response.status_code == 200
    urls = [reverse("usagers:vigilance_paire", args=[s.pk]) for s in (mine, other)]
    assert urls[0] in response.content.decode()
    assert urls[1] not in response.content.decode()
    assert "même date de naissance" in response.content.decode()
    entry = Entree.objects.filter(action="list", object_type="usagers.suspiciondoublon").get()
    assert entry.details["suspicions"] == [mine.pk]
    assert a.pk in entry.details["usager_ids"]


def test_queue_is_404_for_a_professional_who_is_not_a_referent(collegue, organisme, login):
    make_pair(organisme)
    assert login(collegue).get(reverse("usagers:vigilance")).status_code == 404


def test_queue_puts_strong_pairs_first_then_the_oldest(referent, organisme, login):
    now = timezone.now()
    medium_old, *_ = make_pair(organisme, niveau=1, detecte_le=now - datetime.timedelta(days=9))
    strong_new, *_ = make_pair(organisme, niveau=2, detecte_le=now)
    strong_old, *_ = make_pair(organisme, niveau=2, detecte_le=now - datetime.timedelta(days=3))
    page = login(referent).get(reverse("usagers:vigilance")).context["page"]
    assert list(page.object_list) == [strong_old, strong_new, medium_old]


def test_queue_filters_by_level_and_status(referent, organisme, login):
    strong, *_ = make_pair(organisme, niveau=2)
    medium, *_ = make_pair(organisme, niveau=1)
    settled, *_ = make_pair(organisme, niveau=1)
    SuspicionDoublon.objects.filter(pk=settled.pk).update(
        statut=SuspicionDoublon.Statut.DIFFERENTES
    )
    client = login(referent)
    by_level = client.get(reverse("usagers:vigilance"), {"niveau": "1"}).context["page"]
    assert list(by_level.object_list) == [medium]
    by_status = client.get(reverse("usagers:vigilance"), {"statut": "differentes"})
    assert list(by_status.context["page"].object_list) == [settled]


def test_queue_query_count_does_not_grow_with_the_number_of_pairs(
    referent, organisme, login, django_assert_max_num_queries
):
    client = login(referent)
    make_pair(organisme)
    client.get(reverse("usagers:vigilance"))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("usagers:vigilance"))
    for _ in range(8):
        make_pair(organisme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("usagers:vigilance"))
    assert len(response.context["page"].object_list) == 9


def test_pending_duplicates_count_counts_pairs_to_settle_of_the_referents_organismes(
    referent, collegue, organisme
):
    make_pair(organisme)
    settled, *_ = make_pair(organisme)
    SuspicionDoublon.objects.filter(pk=settled.pk).update(
        statut=SuspicionDoublon.Statut.DIFFERENTES
    )
    make_pair(OrganismeFactory())
    assert pending_duplicates_count(referent) == 1
    assert pending_duplicates_count(collegue) == 0


def test_navigation_shows_identitovigilance_to_referents_only(referent, collegue, login):
    url = reverse("usagers:vigilance")
    assert url in login(referent).get(reverse("ui:home")).content.decode()
    assert url not in login(collegue).get(reverse("ui:home")).content.decode()


# --- Pair screen -------------------------------------------------------------------------


def test_pair_screen_highlights_differences_and_journals_a_read_of_both_persons(
    referent, organisme, etab, login
):
    s, a, b = make_pair(organisme)
    PriseEnChargeFactory(etablissement=etab, usager=a)
    response = login(referent).get(reverse("usagers:vigilance_paire", args=[s.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="diff"' in html and "différent" in html
    rows = {c.label: c.differs for c in response.context["comparisons"]}
    assert rows["Lieu de naissance (code INSEE)"] and not rows["Nom de naissance"]
    links = {row["key"]: row["counts"] for row in response.context["links"]}
    assert links["usagers.priseencharge.usager"] == [0, 1]  # [usager b, candidat a]
    assert etab.nom in html
    reads = Entree.objects.filter(action="read", details__identitovigilance=s.pk)
    assert sorted(reads.values_list("usager_id", flat=True)) == sorted([a.pk, b.pk])


def test_pair_screen_proposes_to_keep_the_qualified_record(referent, organisme, login):
    s, a, b = make_pair(organisme)
    Usager.objects.filter(pk=b.pk).update(
        statut_identite=StatutIdentite.QUALIFIEE, matricule_ins="241037505612345"
    )
    response = login(referent).get(reverse("usagers:vigilance_paire", args=[s.pk]))
    assert response.context["fusion_form"].initial["garde"] == b.pk


def test_pair_of_another_organisme_is_404_even_for_a_referent(referent, login):
    s, *_ = make_pair(OrganismeFactory())
    assert login(referent).get(reverse("usagers:vigilance_paire", args=[s.pk])).status_code == 404


# --- Settle as different -----------------------------------------------------------------


def test_settling_as_different_records_the_decision_and_flags_homonymes(referent, organisme, login):
    s, a, b = make_pair(organisme)
    response = login(referent).post(
        reverse("usagers:vigilance_differentes", args=[s.pk]),
        {"motif": "Mères différentes, vérifié sur les actes"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.statut == SuspicionDoublon.Statut.DIFFERENTES
    assert s.traite_par == referent and s.traite_le is not None
    assert s.motif == "Mères différentes, vérifié sur les actes"
    entries = Entree.objects.filter(action="update", details__suspicion=s.pk)
    assert sorted(entries.values_list("usager_id", flat=True)) == sorted([a.pk, b.pk])
    for u in (a, b):
        u.refresh_from_db()
        assert u.homonyme
        event = EvenementIdentite.objects.get(usager=u, type=EvenementIdentite.Type.ATTRIBUTS)
        assert event.motif == HOMONYMES_MOTIF


def test_settling_as_different_with_other_names_does_not_flag_homonymes(referent, organisme, login):
    s, a, b = make_pair(organisme, niveau=1, same_names=False)
    login(referent).post(
        reverse("usagers:vigilance_differentes", args=[s.pk]), {"motif": "Deux personnes"}
    )
    s.refresh_from_db()
    assert s.statut == SuspicionDoublon.Statut.DIFFERENTES
    assert not Usager.objects.filter(pk__in=[a.pk, b.pk], homonyme=True).exists()


def test_settling_as_different_without_a_reason_changes_nothing(referent, organisme, login):
    s, *_ = make_pair(organisme)
    response = login(referent).post(
        reverse("usagers:vigilance_differentes", args=[s.pk]), {"motif": "  "}
    )
    assert response.status_code == 400
    assert "Indiquez" in response.content.decode()
    s.refresh_from_db()
    assert s.statut == SuspicionDoublon.Statut.A_TRAITER


def test_settling_is_404_for_a_non_referent(collegue, organisme, login):
    s, *_ = make_pair(organisme)
    response = login(collegue).post(
        reverse("usagers:vigilance_differentes", args=[s.pk]), {"motif": "x"}
    )
    assert response.status_code == 404
    s.refresh_from_db()
    assert s.statut == SuspicionDoublon.Statut.A_TRAITER


# --- Merge and undo ----------------------------------------------------------------------


def _merge_data(s, garde, **extra):
    return {
        "garde": garde.pk,
        "motif": "Même personne, vérifié sur la carte d'identité",
        "version_a": s.usager.version,
        "version_b": s.candidat.version,
        **extra,
    }


def test_merge_through_the_ui_confirms_then_moves_the_stay_and_team_membership(
    referent, organisme, etab, login
):
    s, a, b = make_pair(organisme)
    stay = PriseEnChargeFactory(etablissement=etab, usager=b)
    team = MembreEquipeFactory(usager=b, user=referent, etablissement=etab)
    client = login(referent)
    url = reverse("usagers:vigilance_fusionner", args=[s.pk])

    confirmation = client.post(url, _merge_data(s, a))
    assert confirmation.status_code == 200
    assert "Confirmer la fusion" in confirmation.content.decode()
    assert {row["key"] for row in confirmation.context["moves"]} == {
        "usagers.priseencharge.usager",
        "usagers.membreequipe.usager",
    }
    assert not Fusion.objects.exists()

    response = client.post(url, _merge_data(s, a, confirme="1"))
    fusion = Fusion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("usagers:vigilance_fusion", args=[fusion.pk])
    assert (fusion.garde, fusion.doublon, fusion.fusionne_par) == (a, b, referent)
    assert PriseEnCharge.objects.get(pk=stay.pk).usager == a
    assert MembreEquipe.objects.get(pk=team.pk).usager == a
    assert Usager.objects.get(pk=b.pk).fusionne_dans == a
    s.refresh_from_db()
    assert s.statut == SuspicionDoublon.Statut.FUSIONNE
    assert Entree.objects.filter(details__fusion=fusion.pk, action="update").exists()


def test_merge_without_a_reason_changes_nothing(referent, organisme, login):
    s, a, b = make_pair(organisme)
    response = login(referent).post(
        reverse("usagers:vigilance_fusionner", args=[s.pk]),
        _merge_data(s, a, motif="", confirme="1"),
    )
    assert response.status_code == 400
    assert not Fusion.objects.exists()


def test_stale_merge_confirmation_of_a_pair_merged_meanwhile_does_nothing(
    referent, autre_etab_pro, organisme, login
):
    s, a, b = make_pair(organisme)
    data = _merge_data(s, a, confirme="1")
    # Another referent merges the pair the other way round in the meantime.
    usagers_merge(user=autre_etab_pro, garde=b, doublon=a, motif="Même personne")

    response = login(referent).post(
        reverse("usagers:vigilance_fusionner", args=[s.pk]), data, follow=True
    )
    assert "déjà été traitée" in response.content.decode()
    assert Fusion.objects.count() == 1
    assert Usager.objects.get(pk=b.pk).fusionne_dans is None
    assert Usager.objects.get(pk=a.pk).fusionne_dans == b


def test_undo_through_the_ui_puts_the_stay_back(referent, organisme, etab, login):
    s, a, b = make_pair(organisme)
    stay = PriseEnChargeFactory(etablissement=etab, usager=b)
    fusion = usagers_merge(user=referent, garde=a, doublon=b, motif="Même personne")
    client = login(referent)

    detail = client.get(reverse("usagers:vigilance_fusion", args=[fusion.pk]))
    assert "Annuler la fusion" in detail.content.decode()
    assert detail.context["moves"] == [{"label": "Séjours et accompagnements", "count": 1}]

    refused = client.post(reverse("usagers:vigilance_fusion_annuler", args=[fusion.pk]), {})
    assert refused.status_code == 400
    response = client.post(
        reverse("usagers:vigilance_fusion_annuler", args=[fusion.pk]),
        {"motif": "Erreur : jumelles"},
    )
    assert response.status_code == 302
    fusion.refresh_from_db()
    assert fusion.annulee_par == referent
    assert PriseEnCharge.objects.get(pk=stay.pk).usager == b
    assert Usager.objects.get(pk=b.pk).fusionne_dans is None
    assert Entree.objects.filter(details__annulation_fusion=fusion.pk).exists()


def test_merge_history_lists_the_organismes_merges_only(referent, organisme, login):
    _, a, b = make_pair(organisme)
    _, c, d = make_pair(OrganismeFactory())
    mine = usagers_merge(user=referent, garde=a, doublon=b, motif="Même personne")
    other = usagers_merge(user=referent, garde=c, doublon=d, motif="Même personne")
    response = login(referent).get(reverse("usagers:vigilance_fusions"))
    assert list(response.context["page"].object_list) == [mine]
    client = login(referent)
    assert client.get(reverse("usagers:vigilance_fusion", args=[other.pk])).status_code == 404


# --- Merged records and homonymes elsewhere ----------------------------------------------


def test_merged_record_is_404_for_others_and_points_referents_to_the_kept_one(
    referent, organisme, etab, login
):
    _, a, b = make_pair(organisme)
    PriseEnChargeFactory(etablissement=etab, usager=a)
    PriseEnChargeFactory(etablissement=etab, usager=b)
    # A home-care worker in both teams: the unique constraint keeps one membership behind.
    worker = make_pro(etab, "intervenant_domicile")
    MembreEquipeFactory(usager=a, user=worker, etablissement=etab)
    MembreEquipeFactory(usager=b, user=worker, etablissement=etab)
    usagers_merge(user=referent, garde=a, doublon=b, motif="Même personne")
    assert MembreEquipe.objects.filter(usager=b, user=worker).exists()
    url = reverse("usagers:detail", args=[b.pk])
    assert login(worker).get(url).status_code == 404
    response = login(referent).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dossier fusionné dans" in html
    assert reverse("usagers:detail", args=[a.pk]) in html


def test_persons_list_shows_the_distinguishing_traits_of_homonymes(
    referent, organisme, etab, login
):
    u = UsagerFactory(organisme=organisme, homonyme=True, lieu_naissance_insee="2A004")
    PriseEnChargeFactory(etablissement=etab, usager=u)
    html = login(referent).get(reverse("usagers:list")).content.decode()
    assert "Homonyme" in html
    assert "2A004" in html


@pytest.mark.parametrize("name", ["usagers:vigilance_differentes", "usagers:vigilance_fusionner"])
def test_actions_on_a_settled_pair_are_refused(name, referent, organisme, login):
    s, a, b = make_pair(organisme)
    SuspicionDoublon.objects.filter(pk=s.pk).update(statut=SuspicionDoublon.Statut.DIFFERENTES)
    response = login(referent).post(
        reverse(name, args=[s.pk]), _merge_data(s, a, confirme="1"), follow=True
    )
    assert "déjà été traitée" in response.content.decode()
    assert not Fusion.objects.exists()
    assert SuspicionDoublon.objects.get(pk=s.pk).traite_par is None


def test_pair_screen_shows_a_partial_birth_date_without_inventing_day_and_month(organisme):
    from dui.usagers.identite import PrecisionDate
    from dui.usagers.services_vigilance import display_value

    u = UsagerFactory(
        organisme=organisme,
        date_naissance=datetime.date(1950, 1, 1),
        date_naissance_precision=PrecisionDate.ANNEE,
    )
    assert display_value(u, "date_naissance") == "1950"
