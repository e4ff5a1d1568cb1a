"""Creating a person runs the duplicate check; merging moves everything; undo puts it back."""

import datetime

import pytest

from dui.audit.models import Entree
from dui.usagers import services
from dui.usagers.fusion import fusion_undo, usagers_merge
from dui.usagers.identite import IdentiteError
from dui.usagers.models import MembreEquipe, PriseEnCharge, SuspicionDoublon, Usager
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory

D = datetime.date(1938, 4, 12)


def create(user, organisme, nom="Dupont", prenoms="Marie", **kw):
    return services.usager_create(
        user=user,
        organisme=organisme,
        nom_naissance=nom,
        prenoms_naissance=prenoms,
        date_naissance=kw.pop("date_naissance", D),
        sexe="F",
        lieu_naissance_insee=kw.pop("lieu", "75056"),
        **kw,
    )


def test_strong_duplicate_blocks_creation_and_nothing_is_created(collegue, organisme):
    first = create(collegue, organisme)
    with pytest.raises(services.DoublonPotentiel) as excinfo:
        create(collegue, organisme, nom="DUPOND")
    assert [c.usager for c in excinfo.value.candidats] == [first]
    assert Usager.objects.count() == 1


def test_confirmed_different_person_is_created_and_the_decision_recorded(collegue, organisme):
    first = create(collegue, organisme)
    with pytest.raises(IdentiteError):
        create(collegue, organisme, nom="DUPOND", differente_de=frozenset({first.pk}))
    second = create(
        collegue,
        organisme,
        nom="DUPOND",
        differente_de=frozenset({first.pk}),
        motif_differente="Sœur jumelle, vérifié avec la famille",
    )
    s = SuspicionDoublon.objects.get(usager=second, candidat=first)
    assert s.statut == SuspicionDoublon.Statut.DIFFERENTES
    assert s.traite_par == collegue
    entry = Entree.objects.filter(usager_id=second.pk, action="create").get()
    assert entry.details["doublons_ecartes"] == [first.pk]


def test_medium_duplicate_warns_through_the_review_queue(collegue, organisme):
    first = create(collegue, organisme)
    second = create(collegue, organisme, date_naissance=datetime.date(1939, 4, 12), lieu="13055")
    s = SuspicionDoublon.objects.get(usager=second, candidat=first)
    assert (s.niveau, s.statut) == (1, SuspicionDoublon.Statut.A_TRAITER)


def test_merge_moves_linked_data_and_journals_each_move_then_undo_restores(
    collegue, organisme, etab, referent
):
    garde = create(collegue, organisme)
    doublon = create(
        collegue, organisme, nom="DUPOND", differente_de=frozenset({garde.pk}), motif_differente="?"
    )
    stay = PriseEnChargeFactory(etablissement=etab, usager=doublon)
    team = MembreEquipeFactory(usager=doublon, user=referent, etablissement=etab)
    before = Entree.objects.count()

    fusion = usagers_merge(user=collegue, garde=garde, doublon=doublon, motif="Même personne")

    stay.refresh_from_db()
    team.refresh_from_db()
    doublon.refresh_from_db()
    assert stay.usager == garde and team.usager == garde
    assert doublon.fusionne_dans == garde
    assert not Usager.objects.visible_to(collegue).filter(pk=doublon.pk).exists()
    assert fusion.deplacements["usagers.priseencharge.usager"] == [stay.pk]
    moves = Entree.objects.filter(seq__gt=before, details__fusion=fusion.pk)
    assert {e.details.get("relation") for e in moves} >= {
        "usagers.priseencharge.usager",
        "usagers.membreequipe.usager",
    }

    fusion_undo(user=collegue, fusion=fusion, motif="Erreur : deux personnes")

    stay.refresh_from_db()
    team.refresh_from_db()
    doublon.refresh_from_db()
    assert stay.usager == doublon and team.usager == doublon
    assert doublon.fusionne_dans is None
    assert Entree.objects.filter(details__annulation_fusion=fusion.pk).exists()


def test_merge_keeps_rows_a_unique_constraint_forbids_to_move(collegue, organisme, etab, referent):
    garde = create(collegue, organisme)
    doublon = create(
        collegue, organisme, nom="Dupond", differente_de=frozenset({garde.pk}), motif_differente="?"
    )
    MembreEquipeFactory(usager=garde, user=referent, etablissement=etab)
    clash = MembreEquipeFactory(usager=doublon, user=referent, etablissement=etab)
    fusion = usagers_merge(user=collegue, garde=garde, doublon=doublon, motif="Même personne")
    assert MembreEquipe.objects.get(pk=clash.pk).usager == doublon
    assert fusion.deplacements["usagers.membreequipe.usager"] == []


def test_merge_refuses_other_organisme_and_double_merge(collegue, organisme):
    from dui.structures.tests.factories import OrganismeFactory

    a = create(collegue, organisme)
    b = create(collegue, OrganismeFactory())
    with pytest.raises(IdentiteError):
        usagers_merge(user=collegue, garde=a, doublon=b, motif="x")
    c = create(
        collegue, organisme, nom="Dupond", differente_de=frozenset({a.pk}), motif_differente="?"
    )
    f = usagers_merge(user=collegue, garde=a, doublon=c, motif="x")
    with pytest.raises(IdentiteError):
        usagers_merge(user=collegue, garde=a, doublon=c, motif="x")
    fusion_undo(user=collegue, fusion=f, motif="y")
    with pytest.raises(IdentiteError):
        fusion_undo(user=collegue, fusion=f, motif="y")
    assert PriseEnCharge.objects.count() == 0


def test_merged_records_are_no_longer_duplicate_candidates(collegue, organisme):
    from dui.usagers.identitovigilance import Traits, find_duplicates

    a = create(collegue, organisme)
    b = create(
        collegue, organisme, nom="Dupond", differente_de=frozenset({a.pk}), motif_differente="?"
    )
    usagers_merge(user=collegue, garde=a, doublon=b, motif="Même personne")
    found = find_duplicates(organisme_id=organisme.pk, traits=Traits("Dupont", "Marie", D, "F"))
    assert [c.usager for c in found] == [a]


def test_undo_is_refused_while_the_kept_record_is_merged_again(collegue, organisme):
    a = create(collegue, organisme)
    b = create(
        collegue, organisme, nom="Dupond", differente_de=frozenset({a.pk}), motif_differente="?"
    )
    c = create(
        collegue,
        organisme,
        nom="Duppont",
        differente_de=frozenset({a.pk, b.pk}),
        motif_differente="?",
    )
    first = usagers_merge(user=collegue, garde=a, doublon=b, motif="Même personne")
    second = usagers_merge(user=collegue, garde=c, doublon=a, motif="Même personne")
    with pytest.raises(IdentiteError, match="annulez d'abord"):
        fusion_undo(user=collegue, fusion=first, motif="y")
    fusion_undo(user=collegue, fusion=second, motif="y")
    fusion_undo(user=collegue, fusion=first, motif="y")


def test_archived_record_cannot_receive_a_merge(collegue, organisme):
    from django.utils import timezone

    a = create(collegue, organisme)
    b = create(
        collegue, organisme, nom="Dupond", differente_de=frozenset({a.pk}), motif_differente="?"
    )
    Usager.objects.filter(pk=a.pk).update(archive_le=timezone.now())
    a.refresh_from_db()
    with pytest.raises(IdentiteError, match="archivé"):
        usagers_merge(user=collegue, garde=a, doublon=b, motif="x")
    usagers_merge(user=collegue, garde=b, doublon=a, motif="Le dossier archivé rejoint l'actif")
