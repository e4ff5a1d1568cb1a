"""Generated CDA R2 documents: header content per kind, with a qualified and a non-qualified
identity, XSD validity, PDF/A, versions, storage."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from lxml import etree

from dui.accompagnement.tests.factories import make_evaluation
from dui.comptes.models import Profession, Professionnel
from dui.interop.cda import codes, generer
from dui.interop.cda.generation import CDAError, enregistrer
from dui.interop.cda.header import XP, lire_entete
from dui.interop.cda.pdf import niveau_pdfa
from dui.interop.cda.tests.conftest import qualifier

pytestmark = pytest.mark.django_db

TEST_INS = "279035121518989"
INS_ROOTS = set(codes.INS_OIDS)


def _dlu(usager, user, etab):
    from dui.dlu import schema
    from dui.dlu.models import DLU

    donnees = schema.vide("ehpad")
    donnees["allergies"]["liste"] = [
        {"substance": "Pénicilline", "reaction": "Urticaire", "severite": "moderee"}
    ]
    donnees["traitements"]["liste"] = [
        {
            "medicament": "Paracétamol",
            "dosage": "500 mg",
            "voie": "orale",
            "posologie": "1 cp matin et soir",
            "si_besoin": "",
        }
    ]
    donnees["communication"]["desoriente"] = "oui"
    donnees["directives_anticipees"]["redigees"] = "non"
    return DLU.objects.create(
        usager=usager,
        numero=1,
        statut="valide",
        etablissement=etab,
        donnees=donnees,
        cree_par=user,
        modifie_par=user,
        valide_le=timezone.now(),
        valide_par=user,
    )


def _sources(kind, usager, user, etab, prise_en_charge):
    if kind == "evaluation":
        return {"evaluation": make_evaluation(usager, user, signed=True)}
    if kind == "lettre_entree":
        return {"prise_en_charge": prise_en_charge, "texte": "Arrivée avec son fauteuil."}
    if kind == "lettre_sortie":
        prise_en_charge.date_fin = timezone.localdate()
        prise_en_charge.motif_sortie = "retour_domicile"
        prise_en_charge.save()
        return {"prise_en_charge": prise_en_charge}
    if kind == "dlu":
        return {"dlu": _dlu(usager, user, etab)}
    if kind == "projet_personnalise":
        from dui.projet.tests.factories import projet_signe

        _, version = projet_signe(user, usager)
        return {"version": version}
    return {}


def _ids(cda: bytes) -> list[etree._Element]:
    root = etree.fromstring(cda)
    return root.findall("h:recordTarget/h:patientRole/h:id", XP)


@pytest.mark.parametrize("kind", codes.KINDS)
@pytest.mark.parametrize("qualifiee", [True, False], ids=["qualifiee", "non_qualifiee"])
def test_header_of_every_kind(
    kind, qualifiee, usager, referent, etab, prise_en_charge, needs_schema
):
    Professionnel.objects.create(user=referent, profession=Profession.IDE, rpps="10101010101")
    if qualifiee:
        qualifier(usager)
    generated = generer(
        kind, usager, referent, **_sources(kind, usager, referent, etab, prise_en_charge)
    )

    assert generated.erreurs == []
    assert generated.valide
    h = lire_entete(generated.cda)
    assert h["type_code"] == codes.TYPES[kind].code == generated.type_code
    assert h["titre"] == generated.titre
    assert h["confidentialite"] == "N"
    assert h["langue"] == "fr-FR"
    assert h["version"] == 1
    assert h["custodian"] == {"finess": etab.finess, "nom": etab.nom}
    assert h["auteur"]["id"] == "810101010101"
    assert h["auteur"]["role_code"] == "G15_60"
    assert h["healthcare_facility_type"]["code"] == "SA17"
    assert h["practice_setting"]["code"] == "ESSMS"
    assert h["patient"]["nom_naissance"] == usager.nom_naissance
    assert h["patient"]["premier_prenom"] == usager.premier_prenom
    assert h["patient"]["id_local"] == str(usager.pk)
    assert h["patient"]["oid_local"] == codes.structure_oid(usager.organisme.finess)
    ids = _ids(generated.cda)
    if qualifiee:
        assert h["patient"]["ins"] == TEST_INS
        assert h["patient"]["oid_ins"] == "1.2.250.1.213.1.4.10"
        assert h["patient"]["lieu_naissance"] == usager.lieu_naissance_insee
        assert [i.get("root") for i in ids][0] == "1.2.250.1.213.1.4.10"
    else:
        # INS/va1.53: no INS element at all, only the local identifier.
        assert h["patient"]["ins"] == ""
        assert [i.get("root") for i in ids] == [codes.structure_oid(usager.organisme.finess)]
        assert not INS_ROOTS & {i.get("root") for i in ids}
    if kind == "dlu":
        assert h["niveau"] == 3
        assert h["format_code"] == codes.FORMAT_CODE_DLU
        assert codes.TEMPLATE_DLU in h["template_ids"]
    else:
        assert h["niveau"] == 1
        assert h["format_code"] == codes.FORMAT_CODE_PDF
        assert codes.TEMPLATE_XDS_SD in h["template_ids"]
    assert generated.pdf.startswith(b"%PDF-")


def test_matricule_never_appears_anywhere_for_a_non_qualified_identity(usager, referent, etab):
    usager.matricule_ins = TEST_INS
    usager.oid_ins = "1.2.250.1.213.1.4.10"
    usager.statut_identite = "VALI"
    usager.save()
    generated = generer("lettre_entree", usager, referent)
    assert TEST_INS.encode() not in generated.cda
    assert TEST_INS.encode() not in generated.pdf


PDFA_CASES = [
    *((kind, "package") for kind in ("evaluation", "lettre_entree", "lettre_sortie")),
    *((kind, layout) for kind in ("dlu", "fiche_transfert") for layout in ("app", "package")),
    ("projet_personnalise", "app"),
]


@pytest.mark.parametrize(("kind", "layout"), PDFA_CASES)
def test_pdfs_are_pdf_a(kind, layout, usager, referent, etab, prise_en_charge, monkeypatch):
    """PDF/A-3b, whether the DLU layouts come from the dlu app or from this package."""
    import sys

    if layout == "package":
        monkeypatch.setitem(sys.modules, "dui.dlu.pdf", None)
    generated = generer(
        kind, usager, referent, **_sources(kind, usager, referent, etab, prise_en_charge)
    )
    assert niveau_pdfa(generated.pdf) == "3B"


def test_level1_body_is_the_pdf(usager, referent, etab):
    import base64

    generated = generer("lettre_entree", usager, referent)
    text = etree.fromstring(generated.cda).find("h:component/h:nonXMLBody/h:text", XP)
    assert text.get("mediaType") == "application/pdf"
    assert text.get("representation") == "B64"
    assert base64.b64decode(text.text) == generated.pdf


def test_dlu_body_has_the_cisis_sections_and_the_content(usager, referent, etab):
    generated = generer("dlu", usager, referent, dlu=_dlu(usager, referent, etab))
    root = etree.fromstring(generated.cda)
    sections = root.findall("h:component/h:structuredBody/h:component/h:section", XP)
    by_code = {s.find("h:code", XP).get("code"): s for s in sections}
    assert {"48765-2", "10160-0", "11348-0", "42545-4", "11369-6", "55107-7"} <= set(by_code)
    allergies = etree.tostring(by_code["48765-2"], encoding="unicode")
    assert "Pénicilline" in allergies and "1.2.250.1.213.1.1.2.137" in allergies
    assert "Paracétamol" in etree.tostring(by_code["10160-0"], encoding="unicode")
    assert "Désorienté : Oui" in etree.tostring(by_code["42545-4"], encoding="unicode")
    h = lire_entete(generated.cda)
    assert h["signataire"]["nom"] == referent.nom


def test_dlu_coded_entries(usager, referent, etab):
    import base64

    dlu = _dlu(usager, referent, etab)  # désorienté : oui
    dlu.donnees["communication"].update({"agite": "non", "trouble_psychique": "oui"})
    dlu.donnees["etablissement_sante"].update({"nom": "CH de Lyon", "finess": "690781810"})
    dlu.save()
    root = etree.fromstring(generer("dlu", usager, referent, dlu=dlu).cda)
    observations = {
        o.find("h:code", XP).get("code"): o.find("h:value", XP).get("value")
        for o in root.xpath(
            "//h:observation[h:templateId/@root='1.2.250.1.213.1.1.3.48']", namespaces=XP
        )
    }
    # Only answered fields with a code of JDV_ObservationEtatPatient (trouble psychique is not).
    assert observations == {"62476001": "true", "24199005": "false"}
    for reference in root.iterfind(".//h:observation/h:text/h:reference", XP):
        assert root.xpath(f"//*[@ID='{reference.get('value')[1:]}']")
    (disposition,) = root.xpath(
        "//h:act[h:templateId/@root='1.2.250.1.213.1.1.3.97']", namespaces=XP
    )
    assert disposition.find(".//h:playingEntity/h:name", XP).text == "CH de Lyon"
    assert disposition.find(".//h:participantRole/h:id", XP).get("extension") == "1690781810"
    # No signed AGGIR yet: nothing attached; once signed, its PDF/A is embedded as DLU_009.
    assert root.find(".//h:observationMedia", XP) is None
    make_evaluation(usager, referent, signed=True)
    root = etree.fromstring(generer("dlu", usager, referent, dlu=dlu).cda)
    (kind,) = root.xpath(
        "//h:observation[h:templateId/@root='1.2.250.1.213.1.1.3.48.18']/h:value", namespaces=XP
    )
    assert kind.get("code") == "DLU_009"
    media = root.find(".//h:observationMedia/h:value", XP)
    assert niveau_pdfa(base64.b64decode(media.text)) == "3B"


def test_dlu_allergy_entries(usager, referent, etab):
    dlu = _dlu(usager, referent, etab)  # Pénicilline
    dlu.donnees["allergies"]["liste"].append({"substance": "Arachide"})
    dlu.save()
    root = etree.fromstring(generer("dlu", usager, referent, dlu=dlu).cda)
    path = "//h:act[h:templateId/@root='1.2.250.1.213.1.1.3.40']/h:entryRelationship/h:observation"
    allergies = root.xpath(path, namespaces=XP)
    assert len(allergies) == 2
    substances = []
    for allergy in allergies:
        assert allergy.find("h:code", XP).get("code") == "420134006"
        ref = allergy.find(".//h:playingEntity/h:code/h:originalText/h:reference", XP).get("value")
        (cell,) = root.xpath(f"//*[@ID='{ref[1:]}']")
        substances.append(cell.text)
    assert substances == ["Pénicilline", "Arachide"]

    dlu.donnees["allergies"] = {"aucune_connue": "oui", "liste": []}
    dlu.save()
    root = etree.fromstring(generer("dlu", usager, referent, dlu=dlu).cda)
    (value,) = root.xpath(path + "/h:value", namespaces=XP)
    assert (value.get("code"), value.get("codeSystem")) == (
        "no-known-allergies",
        "2.16.840.1.113883.5.1150.1",
    )
    dlu.donnees["allergies"] = {"aucune_connue": "", "liste": []}  # unknown: nothing claimed
    dlu.save()
    root = etree.fromstring(generer("dlu", usager, referent, dlu=dlu).cda)
    assert root.xpath(path, namespaces=XP) == []


def test_dlu_treatment_entries(usager, referent, etab):
    root = etree.fromstring(generer("dlu", usager, referent, dlu=_dlu(usager, referent, etab)).cda)
    (treatment,) = root.xpath(
        "//h:substanceAdministration[h:templateId/@root='1.2.250.1.213.1.1.3.42']", namespaces=XP
    )
    material = treatment.find("h:consumable/h:manufacturedProduct/h:manufacturedMaterial", XP)
    assert material.find("h:name", XP).text == "Paracétamol 500 mg"
    (row,) = root.xpath(f"//*[@ID='{treatment.find('h:text/h:reference', XP).get('value')[1:]}']")
    assert "1 cp matin et soir" in "".join(row.itertext())


def test_the_legal_authenticator_is_the_signer_else_the_issuer(usager, referent, collegue, etab):
    evaluation = make_evaluation(usager, collegue, signed=True)
    signed = lire_entete(generer("evaluation", usager, referent, evaluation=evaluation).cda)
    assert signed["signataire"]["nom"] == collegue.nom
    assert signed["auteur"]["nom"] == referent.nom
    letter = lire_entete(generer("lettre_entree", usager, referent).cda)
    assert letter["signataire"]["nom"] == referent.nom


def test_a_draft_evaluation_is_not_sent(usager, referent):
    draft = make_evaluation(usager, referent, signed=False)
    with pytest.raises(CDAError, match="évaluation signée"):
        generer("evaluation", usager, referent, evaluation=draft)


def test_the_dlu_names_the_medecin_traitant(usager, referent, etab):
    dlu = _dlu(usager, referent, etab)
    dlu.donnees["medecin_traitant"].update(
        {"nom": "Dr Medioni", "rpps": "10003456789", "telephone": "01 47 15 00 00"}
    )
    dlu.save()
    root = etree.fromstring(generer("dlu", usager, referent, dlu=dlu).cda)
    participant = root.find("h:participant[@typeCode='INF']", XP)
    assert participant.find("h:functionCode", XP).get("code") == "PCP"
    entity = participant.find("h:associatedEntity", XP)
    assert entity.find("h:id", XP).get("extension") == "810003456789"
    assert entity.find("h:associatedPerson/h:name/h:family", XP).text == "Dr Medioni"


def test_author_without_rpps_gets_the_structure_internal_id(usager, referent, etab):
    h = lire_entete(generer("lettre_entree", usager, referent).cda)
    assert h["auteur"]["id_root"] == codes.OID_ID_NAT_PS
    assert h["auteur"]["id"] == f"3{etab.finess}/{referent.pk}"


def test_a_new_version_keeps_the_set_id_and_replaces_the_previous_one(usager, referent, etab):
    first = generer("lettre_entree", usager, referent)
    stored = enregistrer(first, user=referent, usager=usager)
    assert stored.cda_bytes() == first.cda
    second = generer("lettre_entree", usager, referent, document=stored.document)
    h1, h2 = lire_entete(first.cda), lire_entete(second.cda)
    assert h2["set_id"] == h1["set_id"]
    assert h2["version"] == 2
    assert h2["document_id"] != h1["document_id"]
    parent = etree.fromstring(second.cda).find(
        "h:relatedDocument[@typeCode='RPLC']/h:parentDocument/h:id", XP
    )
    assert parent.get("root") == h1["document_id"]
    assert second.erreurs == []


def test_an_invalid_cda_is_not_stored_but_the_pdf_is(usager, referent, settings, tmp_path):
    settings.CDA_SCHEMA = str(tmp_path / "absent.xsd")
    generated = generer("lettre_entree", usager, referent)
    assert not generated.valide
    version = enregistrer(generated, user=referent, usager=usager)
    assert version.cda_bytes() is None
    assert version.contenu() == generated.pdf


def test_confidentiality_is_carried(usager, referent):
    generated = generer("lettre_entree", usager, referent, confidentialite="R")
    assert lire_entete(generated.cda)["confidentialite"] == "R"


@pytest.mark.parametrize(
    ("kind", "source", "message"),
    [
        ("inconnu", {}, "Type de document inconnu"),
        ("lettre_entree", {"confidentialite": "X"}, "confidentialité"),
        ("lettre_sortie", {}, "sortie n'est pas encore enregistrée"),
        ("evaluation", {}, "Choisissez une évaluation"),
        ("dlu", {}, "pas de DLU validé"),
        ("projet_personnalise", {}, "version signée"),
    ],
)
def test_bad_requests_are_refused_in_french(kind, source, message, usager, referent):
    from dui.documents.models import Document

    with pytest.raises(CDAError, match=message):
        generer(kind, usager, referent, **source)
    assert not Document.objects.exists()


def test_evaluation_of_another_person_is_refused(usager, referent, etab):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    other = PriseEnChargeFactory(etablissement=etab).usager
    evaluation = make_evaluation(other, referent, signed=True)
    with pytest.raises(CDAError):
        generer("evaluation", usager, referent, evaluation=evaluation)


def test_partial_birth_date_is_written_with_its_precision(usager, referent):
    usager.date_naissance = datetime.date(1950, 1, 1)
    usager.date_naissance_precision = "annee"
    usager.save()
    assert (
        lire_entete(generer("lettre_entree", usager, referent).cda)["patient"]["date_naissance"]
        == "1950"
    )


def test_a_dlu_validated_while_qualified_carries_no_ins_once_the_identity_is_not(
    usager, referent, etab
):
    dlu = _dlu(usager, referent, etab)
    dlu.donnees["identite"].update({"matricule_ins": TEST_INS, "oid_ins": "1.2.250.1.213.1.4.10"})
    dlu.save()
    usager.matricule_ins = TEST_INS
    usager.oid_ins = "1.2.250.1.213.1.4.10"
    usager.statut_identite = "VALI"  # no longer qualifiée
    usager.save()
    generated = generer("dlu", usager, referent, dlu=dlu)
    assert generated.erreurs == []
    assert TEST_INS.encode() not in generated.cda
