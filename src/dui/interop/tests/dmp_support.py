"""Helpers of the DMP tests: a small CI-SIS-shaped CDA N1 document and a VIHF context."""

from __future__ import annotations

import base64
import contextlib
import uuid
from collections.abc import Iterator

from dui.interop.dmp import vihf
from dui.interop.dmp.metadata import patient_cx
from dui.interop.dmp.simulator import DMPSimulator
from dui.interop.ins.matricule import cle

OID_TEST = "1.2.250.1.213.1.4.10"
STRUCTURE = "1750000001"  # "1" + FINESS


def matricule(body13: str) -> str:
    return f"{body13}{cle(body13):02d}"


INS_A = matricule("2790351215189")  # ANS test identity PAT-TROIS
INS_B = matricule("1500563220123")

PDF = b"%PDF-1.4\n% document de test\n%%EOF\n"


def cda(
    ins: str | None = INS_A,
    *,
    oid: str = OID_TEST,
    type_code: str = "74207-2",
    titre: str = "Document de liaison d'urgence",
    root: str | None = None,
    structure: str = STRUCTURE,
    traits: bool = True,
    confidentialite: str = "N",
    pdf: bytes = PDF,
) -> bytes:
    root = root or f"2.25.{uuid.uuid4().int}"
    ins_id = f'<id root="{oid}" extension="{ins}"/>' if ins else ""
    traits_xml = (
        '<name><family qualifier="BR">PAT-TROIS</family><given>DOMINIQUE MARIE-LOUISE</given>'
        '<given qualifier="BR">DOMINIQUE</given></name>'
        '<administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>'
        '<birthTime value="19790328"/>'
        "<birthplace><place><addr><county>51215</county></addr></place></birthplace>"
        if traits
        else "<name><family>PAT-TROIS</family></name>"
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="2.16.840.1.113883.2.8.2.1"/>
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <templateId root="1.3.6.1.4.1.19376.1.2.20"/>
  <id root="{root}"/>
  <code code="{type_code}" codeSystem="2.16.840.1.113883.6.1" displayName="{titre}"/>
  <title>{titre}</title>
  <effectiveTime value="20261120103000+0100"/>
  <confidentialityCode code="{confidentialite}" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId root="{root}.0"/>
  <versionNumber value="1"/>
  <recordTarget><patientRole>{ins_id}
    <id root="1.2.250.1.71.4.2.2.{structure}" extension="IPP42"/>
    <patient>{traits_xml}</patient>
  </patientRole></recordTarget>
  <author><time value="20261120103000+0100"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="810001234567"/>
    <code code="10" codeSystem="1.2.250.1.213.1.1.4.5" displayName="Médecin"/>
    <assignedPerson><name><family>DUPONT</family><given>Jeanne</given></name></assignedPerson>
    <representedOrganization><id root="1.2.250.1.71.4.2.2" extension="{structure}"/>
      <name>EHPAD Les Tilleuls</name>
      <standardIndustryClassCode code="ESSMS" codeSystem="1.2.250.1.213.1.1.4.9"/>
    </representedOrganization>
  </assignedAuthor></author>
  <documentationOf><serviceEvent><effectiveTime><low value="20261120100000+0100"/>
    <high value="20261120103000+0100"/></effectiveTime></serviceEvent></documentationOf>
  <componentOf><encompassingEncounter><effectiveTime value="20261120"/><location>
    <healthCareFacility><code code="SA17" codeSystem="1.2.250.1.71.4.2.4"/></healthCareFacility>
  </location></encompassingEncounter></componentOf>
  <component><nonXMLBody><text mediaType="application/pdf" representation="B64">{
        base64.b64encode(pdf).decode()
    }</text></nonXMLBody></component>
</ClinicalDocument>""".encode()


def contexte(
    ins: str = INS_A, *, structure: str = STRUCTURE, role: str = "10"
) -> vihf.ContexteVIHF:
    return vihf.ContexteVIHF(
        utilisateur=vihf.Utilisateur("810001234567", "DUPONT", "Jeanne", role, "Médecin"),
        structure=vihf.Structure(structure, "EHPAD Les Tilleuls"),
        patient_ins=patient_cx(ins, OID_TEST),
    )


def qualifier(usager, *, ins: str = INS_A, oid: str = OID_TEST):
    """Give the person a qualifiée identity (written directly: identity services are tested
    in usagers)."""
    from dui.usagers.identite import StatutIdentite

    usager.statut_identite = StatutIdentite.QUALIFIEE
    usager.matricule_ins = ins
    usager.oid_ins = oid
    usager.lieu_naissance_insee = usager.lieu_naissance_insee or "51215"
    usager.save()
    return usager


def version_generee(usager, user, *, document=None, kind: str = "lettre_entree"):
    """A generated document version with its validated CDA (through the cda package)."""
    from dui.interop.cda import generer
    from dui.interop.cda.generation import enregistrer

    generated = generer(kind, usager, user, document=document)
    assert generated.valide, generated.erreurs
    return enregistrer(generated, user=user, usager=usager, document=document)


def configure_dmp(settings, pki, server) -> None:
    settings.DMP = {
        "REPOSITORY_URL": server.repository_url,
        "REGISTRY_URL": server.registry_url,
        "CERT_FILE": str(pki.client_cert),
        "KEY_FILE": str(pki.client_key),
        "CA_FILE": str(pki.ca_cert),
        "TIMEOUT_SECONDS": 5,
    }


def start_dmp(pki, address=("127.0.0.1", 0), **options) -> DMPSimulator:
    """A DMP simulator running in a thread, mutual TLS with the test PKI (`options`: e.g.
    the `registre` of a previous one, to restart it with the same contents)."""
    server = DMPSimulator(
        address,
        certfile=str(pki.server_cert),
        keyfile=str(pki.server_key),
        client_ca=str(pki.ca_cert),
        **options,
    )
    server.start_in_thread()
    return server


@contextlib.contextmanager
def running_dmp(settings, pki) -> Iterator[DMPSimulator]:
    """A running DMP simulator, and the settings pointing the client at it."""
    server = start_dmp(pki)
    configure_dmp(settings, pki, server)
    try:
        yield server
    finally:
        server.stop()
