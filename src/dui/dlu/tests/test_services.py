"""DLU services: pre-fill from a full and an empty record, version freeze, stale save,
validation rights, yearly review, and the journal entries of every write."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.dlu import forms, queries, schema, services
from dui.dlu.models import DLU, StatutDLU
from dui.dlu.tests.dossier import completer_a_la_main, dossier_complet
from dui.structures.tests.factories import EtablissementFactory
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def medecin(etab):
    return make_pro(etab, "medecin", prenom="Marie", nom="Médecin")


def _entries(dlu, action):
    return Entree.objects.filter(object_type="dlu.dlu", object_id=str(dlu.pk), action=action)


def test_prefill_from_full_record(medecin, usager):
    dossier_complet(usager, medecin)
    dlu = services.demarrer(actor=medecin, usager=usager)
    d = dlu.donnees
    assert dlu.numero == 1 and dlu.statut == StatutDLU.BROUILLON
    assert d["identite"]["nom_naissance"] == usager.nom_naissance
    assert d["identite"]["date_naissance"] == usager.date_naissance.isoformat()
    assert d["etablissement"]["nom"] == usager.prises_en_charge.get().etablissement.nom
    assert d["personne_confiance"]["nom"] == "Claire Durand"
    assert d["representant_legal"]["mesure"] == "Curatelle renforcée (UDAF)"
    assert [p["nom"] for p in d["a_prevenir"]["personnes"]] == ["Claire Durand", "Marc Durand"]
    assert d["medecin_traitant"]["rpps"] == "10001234567"
    assert {a["substance"] for a in d["allergies"]["liste"]} == {"Pénicilline", "Iode"}
    assert d["allergies"]["aucune_connue"] == schema.NON
    medicaments = [t["medicament"] for t in d["traitements"]["liste"]]
    assert "Morphine" in medicaments and "Paracétamol" in medicaments
    morphine = next(t for t in d["traitements"]["liste"] if t["medicament"] == "Morphine")
    assert morphine["si_besoin"] == "douleur > 5"
    assert (
        d["traitements"]["date_derniere_prescription"]
        == (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    )
    assert "Dr Bernard Martin" in d["traitements"]["prescripteur"]
    # Family history is not a DLU item; medical and surgical history are.
    libelles = [a["libelle"] for a in d["antecedents"]["liste"]]
    assert "Diabète de type 2" in libelles and "Cancer du sein (mère)" not in libelles
    assert d["autonomie"]["gir"] in {"1", "2", "3", "4", "5", "6"}
    assert {v["vaccin"] for v in d["vaccinations"]["liste"]} >= {"Grippe saisonnière", "dTP"}
    assert {c["libelle"] for c in d["constantes"]["liste"]} >= {"Poids", "Tension artérielle"}
    assert "Sommeil" in d["habitudes"]["texte"] and "À éviter : Le bruit" in d["habitudes"]["texte"]
    assert set(d["_source"]) >= {"allergies", "traitements", "antecedents", "autonomie"}
    # The home-care section belongs to DLU-Dom only.
    assert dlu.variante == "ehpad" and "environnement" not in d
    created = _entries(dlu, AuditAction.CREATE).get()
    assert created.usager_id == usager.pk and "Durand" not in str(created.details)


def test_prefill_from_empty_record(referent, usager):
    dlu = services.demarrer(actor=referent, usager=usager)
    d = dlu.donnees
    assert d["identite"]["nom_naissance"] == usager.nom_naissance
    assert d["personne_confiance"] == {"nom": "", "lien": "", "telephone": ""}
    assert d["allergies"] == {"aucune_connue": "", "liste": []}  # unknown, not "no"
    assert d["traitements"]["liste"] == [] and d["antecedents"]["liste"] == []
    assert d["autonomie"]["gir"] == "" and d["constantes"]["liste"] == []
    assert set(d["_source"]) == {"identite", "etablissement"}


def test_soignant_draft_carries_no_medical_history(collegue, medecin, usager):
    dossier_complet(usager, medecin)
    dlu = services.demarrer(actor=collegue, usager=usager)
    assert dlu.donnees["antecedents"]["liste"] == []
    assert dlu.donnees["allergies"]["liste"]  # soins data is there


def test_home_care_variant_has_environment(organisme, medecin):
    sad = EtablissementFactory(organisme=organisme, categorie="460", nom="SAD du Parc")
    usager = PriseEnChargeFactory(etablissement=sad).usager
    infirmier = make_pro(sad, "infirmier")
    dlu = services.demarrer(actor=infirmier, usager=usager)
    assert dlu.variante == "domicile"
    assert dlu.donnees["environnement"]["service_referent"] == "SAD du Parc"


def test_validation_freezes_and_next_edit_starts_new_version(medecin, usager):
    dossier_complet(usager, medecin)
    dlu = services.demarrer(actor=medecin, usager=usager)
    donnees = completer_a_la_main(dlu.donnees)
    dlu = services.enregistrer(
        actor=medecin, dlu=dlu, donnees=donnees, expected_version=dlu.version
    )
    dlu = services.valider(actor=medecin, dlu=dlu, expected_version=dlu.version)
    assert queries.dlu_courant(usager) == dlu and dlu.valide_par == medecin
    frozen = dict(dlu.donnees)

    with pytest.raises(services.DLUError, match="validée"):
        services.enregistrer(
            actor=medecin,
            dlu=dlu,
            donnees={"commentaires": {"texte": "x"}},
            expected_version=dlu.version,
        )
    dlu.refresh_from_db()
    assert dlu.donnees == frozen

    v2 = services.demarrer(actor=medecin, usager=usager)
    assert v2.numero == 2 and v2.statut == StatutDLU.BROUILLON
    # Typed-by-hand fields carry over; the record-fed ones are read again.
    assert v2.donnees["directives_anticipees"]["lieu"] == "Classeur infirmier, bureau IDE"
    assert v2.donnees["allergies"]["liste"] == frozen["allergies"]["liste"]
    assert services.demarrer(actor=medecin, usager=usager) == v2  # one draft at a time
    assert queries.dlu_courant(usager) == dlu
    assert _entries(dlu, AuditAction.UPDATE).count() == 2  # save + validation


def test_stale_save_refused(referent, collegue, usager):
    dlu = services.demarrer(actor=referent, usager=usager)
    shown = dlu.version
    services.enregistrer(
        actor=referent,
        dlu=dlu,
        donnees={"commentaires": {"texte": "Premier"}},
        expected_version=shown,
    )
    with pytest.raises(services.DLUConflict, match="modifié par Rita Référente"):
        services.enregistrer(
            actor=collegue,
            dlu=dlu,
            donnees={"commentaires": {"texte": "Second"}},
            expected_version=shown,
        )
    dlu.refresh_from_db()
    assert dlu.donnees["commentaires"]["texte"] == "Premier"
    assert _entries(dlu, AuditAction.UPDATE).count() == 1


def test_only_medical_writers_validate(collegue, usager):
    dlu = services.demarrer(actor=collegue, usager=usager)
    with pytest.raises(services.DLUError, match="médecin ou un infirmier"):
        services.valider(actor=collegue, dlu=dlu, expected_version=dlu.version)
    dlu.refresh_from_db()
    assert dlu.statut == StatutDLU.BROUILLON


def test_roles_without_soins_write_cannot_start(etab, usager):
    accueil = make_pro(etab, "accueil")
    with pytest.raises(services.DLUError):
        services.demarrer(actor=accueil, usager=usager)
    assert not DLU.objects.exists()


def test_form_parse_rejects_bad_values():
    post = {
        "identite-date_naissance": "31/02/2020",
        "communication-agite": "peut-être",
        "vaccinations-liste-0-vaccin": "Grippe",
        "vaccinations-liste-0-date": "99/99/2020",
        "vaccinations-liste-1-vaccin": "",
        "commentaires-texte": "x" * (schema.MAX_TEXTE_LONG + 1),
    }
    donnees, errors = forms.parse(post, "ehpad")
    assert set(errors) == {
        "identite-date_naissance",
        "communication-agite",
        "vaccinations-liste-0-date",
        "commentaires-texte",
    }
    assert donnees["vaccinations"]["liste"][0]["vaccin"] == "Grippe"
    assert len(donnees["vaccinations"]["liste"]) == 1  # the blank row is dropped


@pytest.mark.parametrize(
    "name",
    [
        "allergies-liste-0-substance",
        "allergies-aucune_connue",
        "traitements-liste-0-medicament",
        "traitements-prescripteur",
    ],
)
def test_form_parse_refuses_record_owned_fields(name):
    donnees, errors = forms.parse({name: "oui", "commentaires-texte": "x"}, "ehpad")
    assert errors == {forms.ERREUR_DOSSIER: forms.MESSAGE_DOSSIER}
    assert "liste" not in donnees["allergies"] and "liste" not in donnees["traitements"]
    # Empty inputs (a stale form's blank rows) are not an attempt.
    assert forms.parse({name: "  "}, "ehpad")[1] == {}


def test_form_parse_accepts_french_dates():
    donnees, errors = forms.parse({"identite-date_naissance": "02/03/1940"}, "ehpad")
    assert errors == {} and donnees["identite"]["date_naissance"] == "1940-03-02"


def _valide_il_y_a(usager, user, jours):
    dlu = services.demarrer(actor=user, usager=usager)
    dlu = services.valider(actor=user, dlu=dlu, expected_version=dlu.version)
    DLU.objects.filter(pk=dlu.pk).update(valide_le=timezone.now() - datetime.timedelta(days=jours))
    return dlu


def test_yearly_review(etab, autre_etab, medecin, usager):
    ancien = PriseEnChargeFactory(etablissement=etab).usager
    recent = PriseEnChargeFactory(etablissement=etab).usager
    sorti = PriseEnChargeFactory(
        etablissement=etab,
        date_debut=datetime.date(2020, 1, 1),
        date_fin=datetime.date(2021, 1, 1),
    ).usager
    ime = PriseEnChargeFactory(etablissement=autre_etab).usager
    _valide_il_y_a(ancien, medecin, services.REVUE_JOURS + 20)
    _valide_il_y_a(recent, medecin, 10)
    listed = {r.usager.pk: r for r in services.a_revoir(etab, medecin)}
    assert set(listed) == {usager.pk, ancien.pk}
    assert listed[usager.pk].motif == "Aucun DLU validé"
    assert listed[ancien.pk].motif.startswith("Dernière validation le ")
    assert sorti.pk not in listed and recent.pk not in listed
    ime_pro = make_pro(autre_etab, "infirmier")
    assert services.a_revoir(autre_etab, ime_pro) == []  # an IME needs no DLU
    assert ime.pk


def test_refresh_draft_from_record(referent, usager):
    from dui.soins.models import Allergie

    dlu = services.demarrer(actor=referent, usager=usager)
    d = dict(dlu.donnees)
    d["directives_anticipees"] = {**d["directives_anticipees"], "lieu": "Bureau IDE"}
    dlu = services.enregistrer(actor=referent, dlu=dlu, donnees=d, expected_version=dlu.version)
    Allergie.objects.create(usager=usager, substance="Latex", severite="severe", saisi_par=referent)
    with pytest.raises(services.DLUConflict):
        services.actualiser(actor=referent, dlu=dlu, expected_version=dlu.version - 1)
    dlu = services.actualiser(actor=referent, dlu=dlu, expected_version=dlu.version)
    assert [a["substance"] for a in dlu.donnees["allergies"]["liste"]] == ["Latex"]
    assert dlu.donnees["directives_anticipees"]["lieu"] == "Bureau IDE"
    entry = _entries(dlu, AuditAction.UPDATE).latest("seq")
    assert entry.details["actualise_depuis_le_dossier"] is True
    assert "allergies" in entry.details["sections"]
    # Nothing new in the record: nothing written.
    again = services.actualiser(actor=referent, dlu=dlu, expected_version=dlu.version)
    assert again.version == dlu.version
