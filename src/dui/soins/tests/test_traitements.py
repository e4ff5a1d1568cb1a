"""Prescriptions: creation (all or nothing, journaled), who may write, stopping and changing
a line keeping the history, the readable posology and the traitements_en_cours contract."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.soins import traitements
from dui.soins.creneaux import posologie_texte
from dui.soins.models import LigneAutre, LigneMedicament, Prescription
from dui.soins.queries import traitements_en_cours
from dui.soins.services import SoinsError
from dui.soins.traitements import AutreSaisie, LigneSaisie
from dui.usagers.models import IntervenantExterieur

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)


def saisie(medicament="Paracétamol", **kw):
    kw.setdefault("debut", timezone.localdate())
    kw.setdefault("dosage", "500 mg")
    kw.setdefault("forme", "comprimé")
    kw.setdefault(
        "prises",
        [{"moment": "matin", "quantite": "1"}, {"moment": "soir", "quantite": "1"}],
    )
    return LigneSaisie(medicament=medicament, **kw)


def prescrire(actor, usager, lignes=None, **kw):
    kw.setdefault("prescripteur_nom", "Dr Martin")
    kw.setdefault("prescripteur_rpps", "10001234567")
    return traitements.prescription_create(
        actor=actor,
        usager=usager,
        date_prescription=kw.pop("date_prescription", timezone.localdate()),
        lignes=lignes if lignes is not None else [saisie()],
        **kw,
    )


@pytest.mark.parametrize(
    ("prises", "kw", "expected"),
    [
        (
            [{"moment": "matin", "quantite": "1"}, {"moment": "soir", "quantite": "1"}],
            {},
            "1 cp matin et soir",
        ),
        (
            [{"moment": "soir", "quantite": "0.5"}, {"moment": "matin", "quantite": "1"}],
            {},
            "1 cp matin, ½ cp soir",
        ),
        ([{"heure": "20:00", "quantite": "2"}], {}, "2 cp à 20:00"),
        (
            [{"moment": "", "quantite": "1"}],
            {"si_besoin": True, "condition": "douleur", "max_par_jour": 3},
            "1 cp si besoin (douleur), 3 fois par jour au maximum",
        ),
    ],
)
def test_posologie_texte(prises, kw, expected):
    assert posologie_texte(prises, "cp", **kw) == expected


def test_create_prescription_and_contract(referent, usager):
    medecin = IntervenantExterieur.objects.create(
        usager=usager, type="medecin_traitant", nom="Dr Durand", rpps="10009876543"
    )
    prescription = prescrire(
        referent,
        usager,
        lignes=[
            saisie("Paracétamol"),
            saisie(
                "Amlodipine",
                dosage="5 mg",
                prises=[{"moment": "matin", "quantite": "1"}],
            ),
            saisie(
                "Tramadol",
                prises=[{"quantite": "1"}],
                si_besoin=True,
                condition="douleur EVA > 4",
                max_par_jour=2,
            ),
        ],
        prescripteur_externe=medecin,
        prescripteur_nom="",
        prescripteur_rpps="",
    )
    entry = Entree.objects.filter(object_type="soins.prescription").get()
    assert entry.usager_id == usager.pk and len(entry.details["lignes"]) == 3
    en_cours = traitements_en_cours(usager)
    assert [t.medicament for t in en_cours] == ["Amlodipine", "Paracétamol", "Tramadol"]
    amlo = en_cours[0]
    assert amlo.posologie == "1 cp matin" and amlo.voie == "Orale" and not amlo.si_besoin
    assert amlo.prescripteur == "Dr Durand (RPPS 10009876543)"
    assert amlo.date_prescription == prescription.date_prescription
    tramadol = en_cours[2]
    assert tramadol.si_besoin and tramadol.condition == "douleur EVA > 4"
    # A line not started yet, or ended, is not in force.
    assert traitements_en_cours(usager, timezone.localdate() - datetime.timedelta(days=1)) == []


def test_internal_prescriber_name_and_rpps(referent, usager, etab):
    medecin = make_pro(etab, "medecin", prenom="Paul", nom="Prescripteur")
    from dui.comptes.models import Professionnel

    Professionnel.objects.create(user=medecin, profession="medecin", rpps="10001111111")
    prescrire(referent, usager, prescripteur_interne=medecin, prescripteur_nom="")
    [t] = traitements_en_cours(usager)
    assert t.prescripteur.startswith("Paul Prescripteur") or "Prescripteur" in t.prescripteur
    assert "RPPS 10001111111" in t.prescripteur


@pytest.mark.parametrize(
    ("ligne", "field"),
    [
        (dict(medicament=""), "medicament"),
        (dict(prises=[]), "prises"),
        (dict(prises=[{"moment": "matin", "quantite": "0"}]), "prises"),
        (dict(prises=[{"heure": "25:00", "quantite": "1"}]), "prises"),
        (
            dict(
                prises=[{"moment": "matin", "quantite": "1"}, {"moment": "matin", "quantite": "2"}]
            ),
            "prises",
        ),
        (dict(si_besoin=True, prises=[{"quantite": "1"}]), "condition"),
        (dict(fin=datetime.date(2000, 1, 1)), "fin"),
    ],
)
def test_bad_line_refused_nothing_saved(referent, usager, ligne, field):
    medicament = ligne.pop("medicament", "Paracétamol")
    with pytest.raises(SoinsError) as error:
        prescrire(referent, usager, lignes=[saisie(medicament, **ligne)])
    assert field in error.value.errors
    assert all(m and m[0].isupper() for ms in error.value.errors.values() for m in ms)
    assert not Prescription.objects.exists() and not LigneMedicament.objects.exists()
    assert not Entree.objects.filter(object_type="soins.prescription").exists()


def test_prescriber_required_and_rpps_checked(referent, usager):
    with pytest.raises(SoinsError) as error:
        prescrire(referent, usager, prescripteur_nom="", prescripteur_rpps="123")
    assert {"prescripteur_nom", "prescripteur_rpps"} <= set(error.value.errors)
    assert not Prescription.objects.exists()


def test_soignant_cannot_prescribe(collegue, usager):
    # An aide-soignant reads treatments (soins) but has no medical write right.
    with pytest.raises(SoinsError):
        prescrire(collegue, usager)
    assert not Prescription.objects.exists()


def test_stop_keeps_history(referent, usager):
    prescrire(referent, usager)
    ligne = LigneMedicament.objects.get()
    with pytest.raises(SoinsError) as error:
        traitements.ligne_arreter(actor=referent, ligne=ligne, motif="  ")
    assert "motif" in error.value.errors
    traitements.ligne_arreter(actor=referent, ligne=ligne, motif="Fin de traitement")
    ligne.refresh_from_db()
    assert ligne.arret_le is not None and ligne.arret_par == referent
    assert ligne.motif_arret == "Fin de traitement"
    assert traitements_en_cours(usager) == []
    with pytest.raises(SoinsError):
        traitements.ligne_arreter(actor=referent, ligne=ligne, motif="Encore")
    assert Entree.objects.filter(
        object_type="soins.lignemedicament", reason="Fin de traitement"
    ).exists()


def test_change_creates_linked_line_and_keeps_old(referent, usager):
    prescrire(referent, usager)
    old = LigneMedicament.objects.get()
    new = traitements.ligne_modifier(
        actor=referent,
        ligne=old,
        nouvelle=saisie(dosage="1 g", prises=[{"moment": "midi", "quantite": "1"}]),
        motif="Douleurs mal contrôlées",
    )
    old.refresh_from_db()
    assert new.remplace == old and old.arret_le is not None
    assert old.motif_arret == "Douleurs mal contrôlées" and old.dosage == "500 mg"
    assert LigneMedicament.objects.count() == 2
    [t] = traitements_en_cours(usager)
    assert t.dosage == "1 g" and t.posologie == "1 cp midi"
    # The old line cannot be changed again: it is stopped.
    with pytest.raises(SoinsError):
        traitements.ligne_modifier(actor=referent, ligne=old, nouvelle=saisie(), motif="x")
    assert LigneMedicament.objects.count() == 2


def test_bad_change_changes_nothing(referent, usager):
    prescrire(referent, usager)
    old = LigneMedicament.objects.get()
    with pytest.raises(SoinsError):
        traitements.ligne_modifier(actor=referent, ligne=old, nouvelle=saisie(prises=[]), motif="x")
    old.refresh_from_db()
    assert old.arret_le is None and LigneMedicament.objects.count() == 1


def test_non_drug_lines(referent, usager):
    traitements.prescription_create(
        actor=referent,
        usager=usager,
        date_prescription=timezone.localdate(),
        prescripteur_nom="Dr Martin",
        autres=[
            AutreSaisie(
                type="kine",
                libelle="Rééducation à la marche",
                frequence="2 fois par semaine",
                debut=timezone.localdate(),
            )
        ],
    )
    old = LigneAutre.objects.get()
    new = traitements.autre_modifier(
        actor=referent,
        ligne=old,
        nouvelle=AutreSaisie(
            type="kine",
            libelle="Rééducation à la marche",
            frequence="3 fois par semaine",
            debut=timezone.localdate(),
        ),
        motif="Progression",
    )
    assert new.remplace_id == old.pk
    old.refresh_from_db()
    assert old.arret_le is not None


def test_document_checked_by_content(referent, usager):
    fake = SimpleUploadedFile("ordo.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(SoinsError) as error:
        prescrire(referent, usager, document=fake)
    assert "document" in error.value.errors and not Prescription.objects.exists()
    pdf = SimpleUploadedFile("ordo.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    p = prescrire(referent, usager, document=pdf)
    assert p.document_mime == "application/pdf" and p.document_nom == "ordo.pdf"
    assert "ordo" not in p.document.name.split("/")[-1] or p.document.name.startswith(
        "ordonnances/"
    )
