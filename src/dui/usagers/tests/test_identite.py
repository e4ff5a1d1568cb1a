"""RNIV identity statuses: every transition allowed or refused, with history and journal."""

import datetime

import pytest

from dui.audit.models import AuditAction, Entree
from dui.interop.ins.schemas import INS, ResultatINSi, TraitsINS
from dui.usagers import services
from dui.usagers.identite import (
    TRANSITIONS,
    IdentiteError,
    Justificatif,
    StatutIdentite,
    check_transition,
    ins_for_sharing,
)
from dui.usagers.models import EvenementIdentite

S = StatutIdentite


def insi_ok(nom="MARTIN DURAND", prenoms="HELENE MARIE", matricule="241056912301290"):
    return ResultatINSi(
        "00",
        "OK",
        INS(matricule[:13], matricule[13:], "1.2.250.1.213.1.4.10"),
        TraitsINS(nom, prenoms, "F", datetime.date(1941, 5, 3), "69123"),
    )


@pytest.fixture
def personne(collegue, organisme):
    return services.usager_create(
        user=collegue,
        organisme=organisme,
        nom_naissance="Martin-Durand",
        prenoms_naissance="Hélène  Marie",
        date_naissance=datetime.date(1941, 5, 3),
        sexe="F",
        lieu_naissance_insee="69123",
    )


def _valid_matricule():
    from dui.interop.ins.matricule import cle

    body = "2410569123012"
    return f"{body}{cle(body):02d}"


def test_creation_is_provisoire_with_history_and_journal(personne, collegue):
    assert personne.statut_identite == S.PROVISOIRE
    assert personne.nom_naissance == "MARTIN-DURAND"
    assert personne.prenoms_naissance == "Hélène Marie"
    event = personne.evenements_identite.get()
    assert (event.type, event.user, event.statut_apres) == ("creation", collegue, "PROV")
    assert Entree.objects.filter(action=AuditAction.CREATE, usager_id=personne.pk).exists()


def test_insi_then_high_trust_document_qualifies(personne, collegue):
    u = services.identite_record_insi(
        user=collegue, usager=personne, resultat=insi_ok(matricule=_valid_matricule())
    )
    assert u.statut_identite == S.RECUPEREE
    assert u.prenoms_naissance == "HELENE MARIE"  # INSi's traits replace the typed ones
    assert ins_for_sharing(u) is None  # récupérée is not enough to share the INS
    u = services.identite_check_document(
        user=collegue, usager=u, justificatif=Justificatif.PASSEPORT
    )
    assert u.statut_identite == S.QUALIFIEE
    shared = ins_for_sharing(u)
    assert shared.matricule == _valid_matricule()
    assert shared.type_identifiant == "INS-NIR-TEST"
    event = u.evenements_identite.first()
    assert (event.statut_avant, event.statut_apres, event.haute_confiance) == (
        "RECUP",
        "QUAL",
        True,
    )
    assert Entree.objects.filter(action=AuditAction.UPDATE, usager_id=u.pk).count() == 2


def test_document_then_insi_qualifies(personne, collegue):
    u = services.identite_check_document(
        user=collegue, usager=personne, justificatif=Justificatif.CARTE_IDENTITE
    )
    assert u.statut_identite == S.VALIDEE
    u = services.identite_record_insi(
        user=collegue, usager=u, resultat=insi_ok(matricule=_valid_matricule())
    )
    assert u.statut_identite == S.QUALIFIEE


def test_low_trust_document_is_recorded_but_validates_nothing(personne, collegue):
    u = services.identite_check_document(
        user=collegue, usager=personne, justificatif=Justificatif.LIVRET_FAMILLE
    )
    assert u.statut_identite == S.PROVISOIRE
    event = u.evenements_identite.first()
    assert (event.justificatif, event.haute_confiance) == ("LF", False)


def test_no_match_from_insi_changes_nothing_but_is_traced(personne, collegue):
    u = services.identite_record_insi(
        user=collegue, usager=personne, resultat=ResultatINSi("01", "Aucune identite trouvee")
    )
    assert u.statut_identite == S.PROVISOIRE
    assert u.matricule_ins == ""
    assert u.evenements_identite.first().details == {"code_cr": "01"}


def test_insi_matricule_with_a_wrong_key_is_refused(personne, collegue):
    with pytest.raises(IdentiteError):
        services.identite_record_insi(
            user=collegue, usager=personne, resultat=insi_ok(matricule="241056912301299")
        )
    personne.refresh_from_db()
    assert personne.statut_identite == S.PROVISOIRE


def test_doubtful_identity_cannot_go_to_insi_nor_be_validated(personne, collegue):
    u = services.identite_set_attributes(
        user=collegue,
        usager=personne,
        douteuse=True,
        fictive=False,
        homonyme=False,
        motif="Papiers incohérents",
    )
    with pytest.raises(IdentiteError):
        services.identite_record_insi(user=collegue, usager=u, resultat=insi_ok())
    with pytest.raises(IdentiteError):
        services.identite_check_document(
            user=collegue, usager=u, justificatif=Justificatif.PASSEPORT
        )
    u.refresh_from_db()
    assert u.statut_identite == S.PROVISOIRE


def test_doubt_on_a_qualified_identity_sends_it_back_to_provisoire(personne, collegue):
    u = services.identite_record_insi(
        user=collegue, usager=personne, resultat=insi_ok(matricule=_valid_matricule())
    )
    u = services.identite_check_document(user=collegue, usager=u, justificatif="PA")
    u = services.identite_set_attributes(
        user=collegue,
        usager=u,
        douteuse=True,
        fictive=False,
        homonyme=False,
        motif="Signalement d'usurpation",
    )
    assert (u.statut_identite, u.matricule_ins) == (S.PROVISOIRE, "")
    assert u.evenements_identite.first().details["ins_retire"] == _valid_matricule()
    assert ins_for_sharing(u) is None


def test_douteuse_and_fictive_together_are_refused(personne, collegue):
    with pytest.raises(IdentiteError):
        services.identite_set_attributes(
            user=collegue,
            usager=personne,
            douteuse=True,
            fictive=True,
            homonyme=False,
            motif="x",
        )


def test_changing_a_strict_trait_of_a_qualified_identity_needs_a_reason_and_downgrades(
    personne, collegue
):
    u = services.identite_record_insi(
        user=collegue, usager=personne, resultat=insi_ok(matricule=_valid_matricule())
    )
    u = services.identite_check_document(user=collegue, usager=u, justificatif="PA")
    with pytest.raises(IdentiteError):
        services.identite_update_traits(
            user=collegue, usager=u, expected_version=u.version, nom_naissance="MARTIN"
        )
    u.refresh_from_db()
    assert u.statut_identite == S.QUALIFIEE
    u = services.identite_update_traits(
        user=collegue,
        usager=u,
        expected_version=u.version,
        nom_naissance="MARTIN",
        motif="Erreur de l'état civil corrigée",
    )
    assert (u.statut_identite, u.nom_naissance, u.matricule_ins) == (S.PROVISOIRE, "MARTIN", "")


def test_used_name_changes_keep_the_status(personne, collegue):
    u = services.identite_check_document(user=collegue, usager=personne, justificatif="CN")
    u = services.identite_update_traits(
        user=collegue, usager=u, expected_version=u.version, nom_utilise="Dupuis"
    )
    assert (u.statut_identite, u.nom_utilise) == (S.VALIDEE, "Dupuis")


def test_stale_identity_edit_is_refused_and_says_what_changed(personne, collegue):
    stale = type(personne).objects.get(pk=personne.pk)
    services.identite_update_traits(
        user=collegue, usager=personne, expected_version=personne.version, nom_utilise="Dupuis"
    )
    with pytest.raises(services.VersionConflict) as excinfo:
        services.identite_update_traits(
            user=collegue, usager=stale, expected_version=stale.version, nom_utilise="Durand"
        )
    assert "nom utilisé" in str(excinfo.value)
    stale.refresh_from_db()
    assert stale.nom_utilise == "Dupuis"


@pytest.mark.parametrize("target", list(StatutIdentite))
@pytest.mark.parametrize("current", list(StatutIdentite))
@pytest.mark.parametrize("cause", ["insi", "justificatif", "declassement"])
def test_transition_table(current, target, cause):
    allowed = current == target or TRANSITIONS.get((current, target)) == cause
    if allowed:
        check_transition(current, target, cause)
    else:
        with pytest.raises(IdentiteError):
            check_transition(current, target, cause)


def test_downgrade_needs_a_reason_and_is_traced(personne, collegue):
    u = services.identite_check_document(user=collegue, usager=personne, justificatif="CN")
    with pytest.raises(IdentiteError):
        services.identite_downgrade(user=collegue, usager=u, cible=S.PROVISOIRE, motif=" ")
    u = services.identite_downgrade(
        user=collegue, usager=u, cible=S.PROVISOIRE, motif="Document périmé"
    )
    assert u.statut_identite == S.PROVISOIRE
    assert u.evenements_identite.filter(type=EvenementIdentite.Type.DECLASSEMENT).exists()
    with pytest.raises(IdentiteError):
        services.identite_downgrade(user=collegue, usager=u, cible=S.QUALIFIEE, motif="x")


def test_identity_of_an_archived_record_cannot_change(personne, collegue):
    from django.utils import timezone

    type(personne).objects.filter(pk=personne.pk).update(archive_le=timezone.now())
    personne.refresh_from_db()
    with pytest.raises(IdentiteError, match="archivé"):
        services.identite_check_document(user=collegue, usager=personne, justificatif="PA")
    personne.refresh_from_db()
    assert personne.statut_identite == S.PROVISOIRE
