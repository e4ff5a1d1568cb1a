from django.urls import reverse

from dui.audit.models import AuditAction, Entree
from dui.comptes import policy
from dui.structures.models import Etablissement
from dui.structures.tests.factories import UniteFactory
from dui.structures.tests.helpers import last_entry, page_text


def _form_data(etab, **overrides):
    data = {
        "nom": etab.nom,
        "finess": etab.finess,
        "categorie": etab.categorie,
        "capacite_places": etab.capacite_places,
        "adresse": etab.adresse,
        "code_postal": etab.code_postal,
        "commune": etab.commune,
    }
    data.update(overrides)
    return data


def test_list_shows_administered_etablissements_with_finess_category_code(
    admin, etab, autre_etab, login
):
    UniteFactory(etablissement=etab, nom="Aile des Lilas")
    response = login(admin).get(reverse("structures:list"))
    assert response.status_code == 200
    content = page_text(response)
    assert "EHPAD Les Tilleuls" in content
    assert "EHPAD (500)" in content
    assert "Aile des Lilas" in content
    assert "IME Les Sources" not in content


def test_malformed_finess_is_refused_and_nothing_changes(admin, etab, login):
    before = Entree.objects.count()
    response = login(admin).post(
        reverse("structures:etablissement_edit", args=[etab.pk]),
        _form_data(etab, finess="12345678", nom="Nouveau nom"),
    )
    assert response.status_code == 200
    assert "exactement 9 caractères" in page_text(response)
    etab.refresh_from_db()
    assert etab.nom == "EHPAD Les Tilleuls"
    assert Entree.objects.count() == before


def test_luhn_failing_finess_is_shown_again_with_a_confirmation_checkbox(admin, etab, login):
    original = etab.finess
    response = login(admin).post(
        reverse("structures:etablissement_edit", args=[etab.pk]),
        _form_data(etab, finess="458174839"),
    )
    assert response.status_code == 200
    content = page_text(response)
    assert "clé de contrôle de ce numéro FINESS est incorrecte" in content
    assert "Je confirme ce numéro FINESS" in content
    etab.refresh_from_db()
    assert etab.finess == original


def test_luhn_failing_finess_is_saved_after_confirmation_and_recorded(admin, etab, login):
    response = login(admin).post(
        reverse("structures:etablissement_edit", args=[etab.pk]),
        _form_data(etab, finess="458174839", confirmer_finess="on"),
    )
    assert response.status_code == 302
    etab.refresh_from_db()
    assert etab.finess == "458174839"
    assert etab.finess_cle_confirmee is True
    entry = last_entry(object_type="structures.etablissement", object_id=str(etab.pk))
    assert entry.action == AuditAction.UPDATE
    assert entry.actor_id == admin.pk
    assert entry.etablissement_id == etab.pk
    assert sorted(entry.details["fields"]) == ["finess", "finess_cle_confirmee"]
    assert entry.details["finess_cle_confirmee"] is True


def test_valid_finess_clears_an_earlier_confirmation(admin, etab, login):
    Etablissement.objects.filter(pk=etab.pk).update(finess="458174839", finess_cle_confirmee=True)
    etab.refresh_from_db()
    login(admin).post(
        reverse("structures:etablissement_edit", args=[etab.pk]),
        _form_data(etab, finess="750803454"),
    )
    etab.refresh_from_db()
    assert etab.finess == "750803454"
    assert etab.finess_cle_confirmee is False


def test_duplicate_finess_is_refused(admin, etab, autre_etab, login):
    response = login(admin).post(
        reverse("structures:etablissement_edit", args=[etab.pk]),
        _form_data(etab, finess=autre_etab.finess),
    )
    assert response.status_code == 200
    assert "déjà enregistré pour un autre établissement" in page_text(response)
    etab.refresh_from_db()
    assert etab.finess != autre_etab.finess


def test_creating_an_etablissement_makes_its_creator_administrator(admin, etab, login):
    response = login(admin).post(
        reverse("structures:etablissement_new"),
        {
            "organisme": etab.organisme_id,
            "nom": "SAD du Val",
            "finess": "750803454",
            "categorie": "460",
            "capacite_places": "0",
            "code_postal": "75012",
            "commune": "Paris",
        },
    )
    assert response.status_code == 302
    created = Etablissement.objects.get(finess="750803454")
    assert created.organisme_id == etab.organisme_id
    assert created.finess_cle_confirmee is False
    assert policy.allows(admin, "etablissement.admin", created)
    entry = last_entry(action=AuditAction.CREATE, object_id=str(created.pk))
    assert entry.object_type == "structures.etablissement"
    assert "finess" in entry.details["fields"]
    assert last_entry(action=AuditAction.ADMIN, etablissement_id=created.pk).details["role"] == (
        "administrateur"
    )


def test_creating_an_etablissement_with_a_corsican_finess_needs_confirmation(admin, etab, login):
    client = login(admin)
    data = {
        "organisme": etab.organisme_id,
        "nom": "MAS d'Ajaccio",
        "finess": "2A0000000",
        "categorie": "255",
        "capacite_places": "40",
    }
    response = client.post(reverse("structures:etablissement_new"), data)
    assert response.status_code == 200
    assert "corse" in page_text(response)
    assert not Etablissement.objects.filter(finess="2A0000000").exists()
    client.post(reverse("structures:etablissement_new"), {**data, "confirmer_finess": "on"})
    created = Etablissement.objects.get(finess="2A0000000")
    assert created.finess_cle_confirmee is True
    assert last_entry(action=AuditAction.CREATE, object_id=str(created.pk)).details[
        "finess_cle_confirmee"
    ]


def test_unit_is_created_and_renamed_with_audit(admin, etab, login):
    client = login(admin)
    client.post(
        reverse("structures:unite_new", args=[etab.pk]),
        {"nom": "Unité protégée", "type": "unite", "capacite_places": "14"},
    )
    unite = etab.unites.get()
    assert unite.capacite_places == 14
    assert (
        last_entry(action=AuditAction.CREATE, object_type="structures.unite").etablissement_id
        == etab.pk
    )
    client.post(
        reverse("structures:unite_edit", args=[unite.pk]),
        {"nom": "Aile Nord", "type": "aile", "capacite_places": "14"},
    )
    unite.refresh_from_db()
    assert (unite.nom, unite.type) == ("Aile Nord", "aile")
    entry = last_entry(action=AuditAction.UPDATE, object_type="structures.unite")
    assert sorted(entry.details["fields"]) == ["nom", "type"]


def test_duplicate_unit_name_is_refused(admin, etab, login):
    UniteFactory(etablissement=etab, nom="Aile Sud")
    response = login(admin).post(
        reverse("structures:unite_new", args=[etab.pk]), {"nom": "aile sud", "type": "aile"}
    )
    assert response.status_code == 200
    assert "porte déjà ce nom" in page_text(response)
    assert etab.unites.count() == 1


def test_organisme_update_records_changed_fields(admin, organisme, etab, login):
    response = login(admin).post(
        reverse("structures:organisme_edit", args=[organisme.pk]),
        {"raison_sociale": "Association Les Aînés", "finess": organisme.finess, "adresse": ""},
    )
    assert response.status_code == 302
    organisme.refresh_from_db()
    assert organisme.raison_sociale == "Association Les Aînés"
    entry = last_entry(object_type="structures.organismegestionnaire")
    assert entry.details["fields"] == ["raison_sociale"]
    assert entry.actor_id == admin.pk
