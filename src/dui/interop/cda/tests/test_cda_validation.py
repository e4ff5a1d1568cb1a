"""valider(): the official XSD and the project's CI-SIS header rules catch broken documents;
the official examples pass; a missing schema fails closed."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from dui.interop.cda import generer, valider
from dui.interop.cda.header import XP, lire_entete, q
from dui.interop.cda.tests.conftest import qualifier
from dui.interop.cda.validation import erreurs_entete, reference_dir

pytestmark = pytest.mark.django_db


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def qualifie_doc(usager, referent):
    qualifier(usager)
    generated = generer("lettre_entree", usager, referent)
    assert generated.erreurs == []
    return etree.fromstring(generated.cda)


def _patient(root):
    return root.find("h:recordTarget/h:patientRole/h:patient", XP)


@pytest.mark.parametrize(
    ("path", "trait"),
    [
        ("h:birthplace", "lieu de naissance"),
        ("h:name/h:family[@qualifier='BR']", "nom de naissance"),
        ("h:name/h:given[@qualifier='BR']", "premier prénom de naissance"),
        ("h:name/h:given[not(@qualifier)]", "prénoms de naissance"),
        ("h:birthTime", "date de naissance"),
    ],
)
def test_a_missing_ins_trait_is_caught(qualifie_doc, usager, path, trait, needs_schema):
    broken = copy.deepcopy(qualifie_doc)
    element = _patient(broken).xpath(path, namespaces=XP)[0]
    element.getparent().remove(element)
    errors = valider(_xml(broken), usager=usager)
    assert any("traits INS obligatoires manquants" in e and trait in e for e in errors), errors


def test_a_missing_sex_code_is_caught(qualifie_doc, usager):
    broken = copy.deepcopy(qualifie_doc)
    del _patient(broken).find("h:administrativeGenderCode", XP).attrib["code"]
    errors = valider(_xml(broken), usager=usager)
    assert any("sexe" in e for e in errors), errors


def test_an_ins_in_the_document_of_a_person_no_longer_qualified_is_refused(
    qualifie_doc, usager, needs_schema
):
    cda = _xml(qualifie_doc)
    assert valider(cda) == []
    usager.statut_identite = "VALI"  # downgraded after generation
    usager.save()
    errors = valider(cda)  # the person is found from the document's local identifier
    assert any("INS/va1.53" in e for e in errors), errors


def test_an_ins_added_to_a_non_qualified_document_is_refused(usager, referent, needs_schema):
    generated = generer("lettre_entree", usager, referent)
    assert generated.erreurs == []
    root = etree.fromstring(generated.cda)
    role = root.find("h:recordTarget/h:patientRole", XP)
    ins = etree.Element(q("id"), root="1.2.250.1.213.1.4.10", extension="279035121518989")
    role.insert(0, ins)
    errors = valider(_xml(root))
    assert any("INS/va1.53" in e for e in errors), errors


def test_a_wrong_matricule_key_is_caught(qualifie_doc, usager):
    broken = copy.deepcopy(qualifie_doc)
    broken.find("h:recordTarget/h:patientRole/h:id", XP).set("extension", "279035121518988")
    errors = valider(_xml(broken), usager=usager)
    assert any("matricule INS invalide" in e for e in errors), errors
    assert any("ne correspond pas" in e for e in errors), errors


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("h:custodian", "custodian"),
        ("h:author", "Auteur absent"),
        ("h:setId", "setId"),
        ("h:documentationOf", "Acte documenté"),
        ("h:componentOf", "Prise en charge"),
        ("h:templateId[@root='1.3.6.1.4.1.19376.1.2.20']", "XDS-SD"),
        ("h:realmCode", "realmCode"),
    ],
)
def test_missing_header_parts_are_caught(qualifie_doc, remove, message):
    broken = copy.deepcopy(qualifie_doc)
    element = broken.xpath(remove, namespaces=XP)[0]
    broken.remove(element)
    errors = erreurs_entete(broken, ins_attendu="inconnu")
    assert any(message in e for e in errors), errors


def test_the_schema_catches_what_the_rules_do_not_look_at(qualifie_doc, usager, needs_schema):
    broken = copy.deepcopy(qualifie_doc)
    broken.find("h:title", XP).addnext(etree.Element(q("inconnu")))
    errors = valider(_xml(broken), usager=usager)
    assert any(e.startswith("Schéma CDA") for e in errors), errors


def test_a_body_that_is_not_a_pdf_is_caught(qualifie_doc, usager):
    broken = copy.deepcopy(qualifie_doc)
    broken.find("h:component/h:nonXMLBody/h:text", XP).text = "SGVsbG8gd29ybGQ="
    errors = valider(_xml(broken), usager=usager)
    assert any("pas un PDF" in e for e in errors), errors


def test_missing_schema_fails_closed(usager, referent, settings, tmp_path):
    settings.CDA_SCHEMA = str(tmp_path / "absent.xsd")
    generated = generer("lettre_entree", usager, referent)
    assert any("introuvable" in e for e in generated.erreurs)
    assert not generated.valide


def test_malformed_xml_is_reported():
    assert valider(b"<ClinicalDocument")[0].startswith("XML mal formé")
    assert valider(b"<autre/>") != []


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&x;</title></ClinicalDocument>'
    ).encode()
    assert lire_entete(xml)["titre"] != "SECRET"


EXEMPLES = reference_dir() / "ExemplesCDA"


@pytest.mark.skipif(not EXEMPLES.is_dir(), reason="exemples CI-SIS absents (../shared/reference)")
@pytest.mark.parametrize(
    "name",
    [
        "DOC_NON_STRUCTURE_CDA-R2-N1.xml",
        "DLU-EHPAD-DLU_2022.01.xml",
        "DLU-EHPAD-FLUDT_2022.01.xml",
    ],
)
def test_the_official_examples_pass(name):
    assert valider((EXEMPLES / name).read_bytes()) == []


@pytest.mark.skipif(not EXEMPLES.is_dir(), reason="exemples CI-SIS absents (../shared/reference)")
def test_lire_entete_reads_an_official_example():
    h = lire_entete((EXEMPLES / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_bytes())
    assert h["type_code"] == "11502-2"
    assert h["patient"]["ins"] == "279035121518989"
    assert h["patient"]["type_ins"] == "INS-NIR-TEST"
    assert h["patient"]["lieu_naissance"] == "51215"
    assert h["custodian"]["finess"] == "120459876"
    assert h["auteur"]["id"] == "801234534765"
    assert h["signataire"]["nom"] == "Camparini"
    assert h["format_code"] == "urn:ihe:iti:xds-sd:pdf:2008"
    assert h["practice_setting"]["code"] == "AMBULATOIRE"
    assert h["healthcare_facility_type"]["code"] == "SA07"
    dlu = lire_entete((EXEMPLES / "DLU-EHPAD-DLU_2022.01.xml").read_bytes())
    assert dlu["format_code"] == "urn:asip:ci-sis:dlu:2015"
    assert dlu["niveau"] == 3
