"""Creating a person through the UI (duplicates, scope) and every identity action."""

import datetime
import html

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.usagers.identite import StatutIdentite
from dui.usagers.models import EvenementIdentite, PriseEnCharge, SuspicionDoublon, Usager
from dui.usagers.tests.factories import PriseEnChargeFactory
from dui.usagers.tests.insi_support import qualify

NOUVEAU = {
    "nom_naissance": "Dupont",
    "prenoms_naissance": "Marie Louise",
    "date_naissance": "1938-04-12",
    "date_naissance_precision": "jour",
    "sexe": "F",
    "lieu_naissance_insee": "75056",
    "nom_utilise": "",
    "prenom_utilise": "",
    "unite": "",
    "date_admission": "2025-03-01",
    "type_prise_en_charge": "heb_permanent",
}


@pytest.fixture
def accueil(etab):
    return make_pro(etab, "accueil", prenom="Alice", nom="Accueil")


def post_nouveau(client, **changes):
    return client.post(reverse("usagers:nouveau"), {**NOUVEAU, **changes})


def test_accueil_creates_a_person_and_the_first_stay_in_the_current_etablissement(
    accueil, etab, login
):
    response = post_nouveau(login(accueil))
    usager = Usager.objects.get(nom_naissance="DUPONT")
    assert response.status_code == 302
    assert response["Location"] == reverse("usagers:identite", args=[usager.pk])
    assert usager.statut_identite == StatutIdentite.PROVISOIRE
    sejour = PriseEnCharge.objects.get(usager=usager)
    assert (sejour.etablissement, sejour.type, sejour.admis_par) == (
        etab,
        "heb_permanent",
        accueil,
    )
    assert sejour.date_debut == datetime.date(2025, 3, 1)
    assert Entree.objects.filter(
        action=AuditAction.CREATE, object_type="usagers.priseencharge", usager_id=usager.pk
    ).exists()


def test_unknown_day_is_stored_as_the_first_of_the_month_with_its_precision(accueil, login):
    post_nouveau(login(accueil), date_naissance="1938-04-17", date_naissance_precision="mois")
    usager = Usager.objects.get(nom_naissance="DUPONT")
    assert usager.date_naissance == datetime.date(1938, 4, 1)
    assert usager.date_naissance_precision == "mois"


def test_malformed_birthplace_code_is_refused_in_french_and_nothing_is_created(accueil, login):
    response = post_nouveau(login(accueil), lieu_naissance_insee="7505X")
    assert response.status_code == 400
    assert "2A, 2B pour la Corse" in html.unescape(response.content.decode())
    assert not Usager.objects.filter(nom_naissance="DUPONT").exists()


def test_strong_duplicate_blocks_creation_until_confirmed_different_with_a_reason(
    accueil, etab, login
):
    existing = PriseEnChargeFactory(
        etablissement=etab,
        usager__nom_naissance="DUPONT",
        usager__prenoms_naissance="Marie",
        usager__date_naissance=datetime.date(1938, 4, 12),
    ).usager
    client = login(accueil)

    blocked = post_nouveau(client)
    page = html.unescape(blocked.content.decode())
    assert blocked.status_code == 409
    assert "DUPONT Marie" in page
    assert f'name="differente_de" value="{existing.pk}"' in page
    # The typed values survive the round trip in hidden fields.
    assert 'type="hidden" name="prenoms_naissance" value="Marie Louise"' in page
    assert Usager.objects.filter(nom_naissance="DUPONT").count() == 1

    without_reason = post_nouveau(client, differente_de=[existing.pk])
    assert without_reason.status_code == 400
    assert "Indiquez pourquoi" in html.unescape(without_reason.content.decode())
    assert Usager.objects.filter(nom_naissance="DUPONT").count() == 1

    created = post_nouveau(
        client, differente_de=[existing.pk], motif_differente="Sœurs jumelles, vu les CNI"
    )
    assert created.status_code == 302
    nouveau = Usager.objects.exclude(pk=existing.pk).get(nom_naissance="DUPONT")
    suspicion = SuspicionDoublon.objects.get(usager=nouveau, candidat=existing)
    assert suspicion.statut == SuspicionDoublon.Statut.DIFFERENTES
    assert suspicion.motif == "Sœurs jumelles, vu les CNI"
    assert suspicion.traite_par == accueil


def test_out_of_scope_candidate_shows_only_a_person_of_the_organisme(accueil, autre_etab, login):
    PriseEnChargeFactory(
        etablissement=autre_etab,
        usager__nom_naissance="DUPONT",
        usager__prenoms_naissance="Marie",
        usager__nom_utilise="SECRETNAME",
        usager__date_naissance=datetime.date(1938, 4, 12),
        usager__lieu_naissance_insee="13055",
    )
    response = post_nouveau(login(accueil))
    page = html.unescape(response.content.decode())
    assert response.status_code == 409
    assert "Une personne de l'organisme" in page
    assert "Née le 12/04/1938" in page
    for hidden in ("SECRETNAME", "13055", autre_etab.nom, "DUPONT Marie<"):
        assert hidden not in page


def test_medium_candidate_is_flagged_after_creation(accueil, etab, login):
    PriseEnChargeFactory(
        etablissement=etab,
        usager__nom_naissance="DURAND",
        usager__prenoms_naissance="Jeanne",
        usager__date_naissance=datetime.date(1940, 1, 1),
    )
    client = login(accueil)
    response = post_nouveau(
        client, nom_naissance="Martin", prenoms_naissance="Jeanne", date_naissance="1940-01-01"
    )
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "ressemble à celle-ci" in page
    assert "Doublons potentiels" in page and "DURAND Jeanne" in page


def test_soignant_can_neither_open_nor_post_the_creation_form(collegue, login):
    client = login(collegue)
    assert client.get(reverse("usagers:nouveau")).status_code == 404
    assert post_nouveau(client).status_code == 404
    assert not Usager.objects.filter(nom_naissance="DUPONT").exists()


# --- identity tab and actions ---------------------------------------------------------------


def url(name, usager):
    return reverse(f"usagers:{name}", args=[usager.pk])


def test_identity_tab_shows_status_meaning_and_history(accueil, usager, login):
    EvenementIdentite.objects.create(
        usager=usager, user=accueil, type="creation", statut_apres="PROV"
    )
    page = html.unescape(login(accueil).get(url("identite", usager)).content.decode())
    assert "Identité provisoire" in page
    assert "le matricule INS n'est pas utilisable" in page
    assert "Historique de l'identité" in page and "Création" in page
    assert "Matricule INS" not in page


def test_matricule_is_shown_formatted_when_qualified(accueil, usager, login):
    qualify(usager)
    page = html.unescape(login(accueil).get(url("identite", usager)).content.decode())
    assert "Matricule INS (NIR)" in page
    assert "2 41 05 69 123 012" in page


def test_high_trust_document_validates_a_provisional_identity(accueil, usager, login):
    response = login(accueil).post(
        url("identite_justificatif", usager), {"version": usager.version, "justificatif": "PA"}
    )
    assert response.status_code == 302
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.VALIDEE
    event = usager.evenements_identite.get()
    assert (event.statut_avant, event.statut_apres, event.haute_confiance) == (
        "PROV",
        "VALI",
        True,
    )


def test_low_trust_document_is_recorded_without_changing_the_status(accueil, usager, login):
    login(accueil).post(
        url("identite_justificatif", usager), {"version": usager.version, "justificatif": "CV"}
    )
    usager.refresh_from_db()
    assert (usager.statut_identite, usager.justificatif) == ("PROV", "CV")


def test_stale_version_is_refused_with_a_french_message_and_nothing_saved(accueil, usager, login):
    stale = usager.version
    Usager.objects.filter(pk=usager.pk).update(version=stale + 1)
    response = login(accueil).post(
        url("identite_justificatif", usager), {"version": stale, "justificatif": "PA"}
    )
    assert response.status_code == 409
    assert "modifiée par quelqu'un d'autre" in html.unescape(response.content.decode())
    usager.refresh_from_db()
    assert (usager.statut_identite, usager.justificatif) == ("PROV", "")


def test_strict_trait_change_of_a_validated_identity_needs_a_reason_then_goes_provisional(
    accueil, usager, login
):
    qualify(usager)
    client = login(accueil)
    traits = {
        "version": usager.version,
        "nom_naissance": "AUTRENOM",
        "prenoms_naissance": usager.prenoms_naissance,
        "date_naissance": usager.date_naissance.isoformat(),
        "date_naissance_precision": "jour",
        "sexe": usager.sexe,
        "lieu_naissance_insee": usager.lieu_naissance_insee,
    }
    page = html.unescape(client.get(url("identite", usager)).content.decode())
    assert "repasser cette identité en <strong>identité provisoire</strong>" in page

    refused = client.post(url("identite_modifier", usager), traits)
    assert refused.status_code == 400
    assert "indiquez le motif" in html.unescape(refused.content.decode())
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.QUALIFIEE

    client.post(url("identite_modifier", usager), {**traits, "motif": "Erreur de saisie"})
    usager.refresh_from_db()
    assert (usager.nom_naissance, usager.statut_identite, usager.matricule_ins) == (
        "AUTRENOM",
        "PROV",
        "",
    )
    event = usager.evenements_identite.get(type="traits")
    assert event.details["nom_naissance"][1] == "AUTRENOM"


def test_attributes_need_a_reason(accueil, usager, login):
    response = login(accueil).post(
        url("identite_attributs", usager), {"version": usager.version, "homonyme": "on"}
    )
    assert response.status_code == 400
    usager.refresh_from_db()
    assert not usager.homonyme


def test_doubtful_identity_goes_provisional_and_cannot_be_sent_to_insi(accueil, usager, login):
    qualify(usager)
    client = login(accueil)
    client.post(
        url("identite_attributs", usager),
        {"version": usager.version, "douteuse": "on", "motif": "Papiers incohérents"},
    )
    usager.refresh_from_db()
    assert (usager.identite_douteuse, usager.statut_identite) == (True, "PROV")
    page = html.unescape(client.get(url("identite", usager)).content.decode())
    assert "ne peut pas être envoyée à l'INSi" in page
    refused = client.post(url("identite_insi", usager), {"version": usager.version})
    assert refused.status_code == 400
    assert "douteuse ou fictive" in html.unescape(refused.content.decode())


def test_downgrade_of_a_qualified_identity_to_validated_removes_the_ins(accueil, usager, login):
    qualify(usager)
    client = login(accueil)
    refused = client.post(
        url("identite_declasser", usager), {"version": usager.version, "cible": "VALI"}
    )
    assert refused.status_code == 400
    client.post(
        url("identite_declasser", usager),
        {"version": usager.version, "cible": "VALI", "motif": "INS contesté par la CPAM"},
    )
    usager.refresh_from_db()
    assert (usager.statut_identite, usager.matricule_ins) == ("VALI", "")
    assert usager.evenements_identite.get().motif == "INS contesté par la CPAM"


def test_soignant_cannot_change_an_identity(collegue, usager, login):
    response = login(collegue).post(
        url("identite_justificatif", usager), {"version": usager.version, "justificatif": "PA"}
    )
    assert response.status_code == 404
    usager.refresh_from_db()
    assert usager.statut_identite == StatutIdentite.PROVISOIRE
