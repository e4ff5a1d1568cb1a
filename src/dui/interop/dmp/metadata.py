"""XDS.b metadata of a submission (ebRIM 3.0): submission set and document entries, as
dataclasses, to and from XML. Shared by the client and the simulator so that both read and
write exactly the same shapes (interop.md §2.2 for the CI-SIS mapping, IHE ITI TF-3 4.2 for
the UUIDs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from lxml import etree

from dui.interop.dmp.xml import NS, el, q

# IHE ITI TF-3 classification and identification schemes.
DOC_ENTRY_OBJECT_TYPE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
FORMAT_CODE = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
FACILITY_TYPE = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
PRACTICE_SETTING = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DOC_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DOC_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DOC_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"

OID_IDNPS = "1.2.250.1.71.4.2.1"
OID_IDNST = "1.2.250.1.71.4.2.2"
OID_VISIBILITE = "1.2.250.1.213.1.1.4.13"
OID_CONFIDENTIALITE = "2.16.840.1.113883.5.25"

# DMP visibility flags carried as extra confidentialityCode values (JDV_J08).
MASQUE_PS = "MASQUE_PS"
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_REPRESENTANTS_LEGAUX = "INVISIBLE_REPRESENTANTS_LEGAUX"
VISIBILITES = {
    MASQUE_PS: "Masqué aux professionnels de santé",
    INVISIBLE_PATIENT: "Non visible par le patient",
    INVISIBLE_REPRESENTANTS_LEGAUX: "Non visible par les représentants légaux",
}


@dataclass(frozen=True)
class Code:
    code: str
    systeme: str
    libelle: str = ""


@dataclass(frozen=True)
class Auteur:
    """authorPerson (XCN), authorInstitution (XON), authorRole, authorSpecialty."""

    identifiant: str
    nom: str
    prenom: str
    institution_id: str  # idNatSt ("1" + FINESS)
    institution_nom: str
    identifiant_oid: str = OID_IDNPS  # idNatPs, or the structure's OID for internal ids
    role: str = ""
    specialite: str = ""

    @property
    def xcn(self) -> str:
        kind = "IDNPS" if self.identifiant_oid == OID_IDNPS else "EI"
        authority = f"&{self.identifiant_oid}&ISO"
        return f"{self.identifiant}^{self.nom}^{self.prenom}^^^^^^{authority}^D^^^{kind}"

    @property
    def xon(self) -> str:
        return f"{self.institution_nom}^^^^^&{OID_IDNST}&ISO^IDNST^^^{self.institution_id}"

    @classmethod
    def from_slots(cls, slots: dict[str, list[str]]) -> Auteur:
        person = (slots.get("authorPerson") or [""])[0].split("^")
        inst = (slots.get("authorInstitution") or [""])[0].split("^")
        ident_oid = person[8].split("&")[1] if len(person) > 8 and "&" in person[8] else ""
        return cls(
            identifiant=person[0],
            nom=person[1] if len(person) > 1 else "",
            prenom=person[2] if len(person) > 2 else "",
            identifiant_oid=ident_oid,
            institution_nom=inst[0],
            institution_id=inst[9] if len(inst) > 9 else "",
            role=(slots.get("authorRole") or [""])[0],
            specialite=(slots.get("authorSpecialty") or [""])[0],
        )


def patient_cx(matricule: str, oid: str) -> str:
    return f"{matricule}^^^&{oid}&ISO^NH"


def parse_cx(cx: str) -> tuple[str, str]:
    """(matricule, oid) of a CX, ("", "") when unreadable."""
    parts = cx.split("^")
    if len(parts) < 4 or "&" not in parts[3]:
        return "", ""
    authority = parts[3].split("&")
    return parts[0], authority[1] if len(authority) > 1 else ""


def new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass(frozen=True)
class FicheDocument:
    """A DocumentEntry."""

    entry_uuid: str
    unique_id: str
    patient_id: str
    source_patient_id: str
    titre: str
    class_code: Code
    type_code: Code
    format_code: Code
    confidentialite: Code
    healthcare_facility_type: Code
    practice_setting: Code
    auteur: Auteur
    creation_time: str  # YYYYMMDDhhmmss UTC
    hash_sha1: str
    taille: int
    service_start: str = ""
    service_stop: str = ""
    langue: str = "fr-FR"
    mime_type: str = "text/xml"
    visibilites: tuple[str, ...] = ()
    repository_unique_id: str = ""
    statut: str = APPROVED
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def with_(self, **changes: object) -> FicheDocument:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LotSoumission:
    """A SubmissionSet."""

    unique_id: str
    source_id: str
    submission_time: str
    patient_id: str
    content_type: Code
    auteur: Auteur
    titre: str = ""
    entry_uuid: str = "SubmissionSet01"


@dataclass(frozen=True)
class Remplacement:
    """RPLC: the new entry replaces `cible` (entryUUID of the entry in the registry)."""

    nouvelle: str
    cible: str


# --- writing ---------------------------------------------------------------------------


def _slot(parent: etree._Element, name: str, *values: str) -> None:
    slot = el(parent, "rim", "Slot", name=name)
    value_list = el(slot, "rim", "ValueList")
    for value in values:
        el(value_list, "rim", "Value", value)


def _name(parent: etree._Element, value: str) -> None:
    el(el(parent, "rim", "Name"), "rim", "LocalizedString", value=value)


def _classification(parent: etree._Element, scheme: str, target: str, code: Code) -> None:
    c = el(
        parent,
        "rim",
        "Classification",
        classificationScheme=scheme,
        classifiedObject=target,
        nodeRepresentation=code.code,
        id=new_uuid(),
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification",
    )
    _slot(c, "codingScheme", code.systeme)
    _name(c, code.libelle or code.code)


def _author(parent: etree._Element, scheme: str, target: str, auteur: Auteur) -> None:
    c = el(
        parent,
        "rim",
        "Classification",
        classificationScheme=scheme,
        classifiedObject=target,
        nodeRepresentation="",
        id=new_uuid(),
    )
    _slot(c, "authorInstitution", auteur.xon)
    _slot(c, "authorPerson", auteur.xcn)
    if auteur.role:
        _slot(c, "authorRole", auteur.role)
    if auteur.specialite:
        _slot(c, "authorSpecialty", auteur.specialite)


def _external_id(parent: etree._Element, scheme: str, target: str, value: str, name: str) -> None:
    e = el(
        parent,
        "rim",
        "ExternalIdentifier",
        identificationScheme=scheme,
        registryObject=target,
        value=value,
        id=new_uuid(),
    )
    _name(e, name)


def fiche_xml(parent: etree._Element, fiche: FicheDocument) -> etree._Element:
    eo = el(
        parent,
        "rim",
        "ExtrinsicObject",
        id=fiche.entry_uuid,
        mimeType=fiche.mime_type,
        objectType=DOC_ENTRY_OBJECT_TYPE,
        status=fiche.statut,
    )
    _slot(eo, "creationTime", fiche.creation_time)
    _slot(eo, "hash", fiche.hash_sha1)
    _slot(eo, "languageCode", fiche.langue)
    if fiche.service_start:
        _slot(eo, "serviceStartTime", fiche.service_start)
    if fiche.service_stop:
        _slot(eo, "serviceStopTime", fiche.service_stop)
    _slot(eo, "size", str(fiche.taille))
    _slot(eo, "sourcePatientId", fiche.source_patient_id)
    if fiche.repository_unique_id:
        _slot(eo, "repositoryUniqueId", fiche.repository_unique_id)
    _name(eo, fiche.titre)
    _author(eo, DOC_AUTHOR, fiche.entry_uuid, fiche.auteur)
    _classification(eo, CLASS_CODE, fiche.entry_uuid, fiche.class_code)
    _classification(eo, CONFIDENTIALITY, fiche.entry_uuid, fiche.confidentialite)
    for flag in fiche.visibilites:
        _classification(
            eo, CONFIDENTIALITY, fiche.entry_uuid, Code(flag, OID_VISIBILITE, VISIBILITES[flag])
        )
    _classification(eo, FORMAT_CODE, fiche.entry_uuid, fiche.format_code)
    _classification(eo, FACILITY_TYPE, fiche.entry_uuid, fiche.healthcare_facility_type)
    _classification(eo, PRACTICE_SETTING, fiche.entry_uuid, fiche.practice_setting)
    _classification(eo, TYPE_CODE, fiche.entry_uuid, fiche.type_code)
    _external_id(
        eo, DOC_PATIENT_ID, fiche.entry_uuid, fiche.patient_id, "XDSDocumentEntry.patientId"
    )
    _external_id(eo, DOC_UNIQUE_ID, fiche.entry_uuid, fiche.unique_id, "XDSDocumentEntry.uniqueId")
    return eo


def lot_xml(parent: etree._Element, lot: LotSoumission) -> etree._Element:
    rp = el(parent, "rim", "RegistryPackage", id=lot.entry_uuid)
    _slot(rp, "submissionTime", lot.submission_time)
    if lot.titre:
        _name(rp, lot.titre)
    _author(rp, SS_AUTHOR, lot.entry_uuid, lot.auteur)
    _classification(rp, SS_CONTENT_TYPE, lot.entry_uuid, lot.content_type)
    _external_id(rp, SS_UNIQUE_ID, lot.entry_uuid, lot.unique_id, "XDSSubmissionSet.uniqueId")
    _external_id(rp, SS_SOURCE_ID, lot.entry_uuid, lot.source_id, "XDSSubmissionSet.sourceId")
    _external_id(rp, SS_PATIENT_ID, lot.entry_uuid, lot.patient_id, "XDSSubmissionSet.patientId")
    el(
        parent,
        "rim",
        "Classification",
        classifiedObject=lot.entry_uuid,
        classificationNode=SUBMISSION_SET,
        id=new_uuid(),
    )
    return rp


def association_xml(parent: etree._Element, kind: str, source: str, target: str) -> None:
    a = el(
        parent,
        "rim",
        "Association",
        associationType=kind,
        sourceObject=source,
        targetObject=target,
        id=new_uuid(),
    )
    if kind == HAS_MEMBER:
        _slot(a, "SubmissionSetStatus", "Original")


# --- reading ---------------------------------------------------------------------------


class MetadonneesInvalides(ValueError):
    """Missing or unreadable metadata (the registry answers XDSRegistryMetadataError)."""


def _slots(element: etree._Element) -> dict[str, list[str]]:
    return {
        slot.get("name", ""): [
            (v.text or "").strip() for v in slot.iterfind("rim:ValueList/rim:Value", NS)
        ]
        for slot in element.iterfind("rim:Slot", NS)
    }


def _first(slots: dict[str, list[str]], name: str) -> str:
    return (slots.get(name) or [""])[0]


def _localized(element: etree._Element) -> str:
    found = element.find("rim:Name/rim:LocalizedString", NS)
    return found.get("value", "") if found is not None else ""


def _codes(element: etree._Element, scheme: str) -> list[Code]:
    result = []
    for c in element.iterfind("rim:Classification", NS):
        if c.get("classificationScheme") == scheme:
            result.append(
                Code(
                    c.get("nodeRepresentation", ""),
                    _first(_slots(c), "codingScheme"),
                    _localized(c),
                )
            )
    return result


def _one_code(element: etree._Element, scheme: str, label: str) -> Code:
    codes = _codes(element, scheme)
    if len(codes) != 1 or not codes[0].code or not codes[0].systeme:
        raise MetadonneesInvalides(f"{label} absent ou multiple")
    return codes[0]


def _external(element: etree._Element, scheme: str) -> str:
    for e in element.iterfind("rim:ExternalIdentifier", NS):
        if e.get("identificationScheme") == scheme:
            return e.get("value", "")
    return ""


def _author_of(element: etree._Element, scheme: str) -> Auteur:
    for c in element.iterfind("rim:Classification", NS):
        if c.get("classificationScheme") == scheme:
            return Auteur.from_slots(_slots(c))
    raise MetadonneesInvalides("auteur absent")


def lire_fiche(eo: etree._Element) -> FicheDocument:
    slots = _slots(eo)
    confidentialite = _codes(eo, CONFIDENTIALITY)
    niveaux = [c for c in confidentialite if c.systeme == OID_CONFIDENTIALITE]
    if len(niveaux) != 1:
        raise MetadonneesInvalides("confidentialityCode (N, R ou V) absent ou multiple")
    flags = tuple(c.code for c in confidentialite if c.systeme == OID_VISIBILITE)
    try:
        taille = int(_first(slots, "size") or "-1")
    except ValueError as exc:
        raise MetadonneesInvalides("size illisible") from exc
    return FicheDocument(
        entry_uuid=eo.get("id", ""),
        unique_id=_external(eo, DOC_UNIQUE_ID),
        patient_id=_external(eo, DOC_PATIENT_ID),
        source_patient_id=_first(slots, "sourcePatientId"),
        titre=_localized(eo),
        class_code=_one_code(eo, CLASS_CODE, "classCode"),
        type_code=_one_code(eo, TYPE_CODE, "typeCode"),
        format_code=_one_code(eo, FORMAT_CODE, "formatCode"),
        confidentialite=niveaux[0],
        healthcare_facility_type=_one_code(eo, FACILITY_TYPE, "healthcareFacilityTypeCode"),
        practice_setting=_one_code(eo, PRACTICE_SETTING, "practiceSettingCode"),
        auteur=_author_of(eo, DOC_AUTHOR),
        creation_time=_first(slots, "creationTime"),
        hash_sha1=_first(slots, "hash"),
        taille=taille,
        service_start=_first(slots, "serviceStartTime"),
        service_stop=_first(slots, "serviceStopTime"),
        langue=_first(slots, "languageCode"),
        mime_type=eo.get("mimeType", ""),
        visibilites=flags,
        repository_unique_id=_first(slots, "repositoryUniqueId"),
        statut=eo.get("status", APPROVED) or APPROVED,
    )


def lire_lot(root: etree._Element) -> LotSoumission:
    rp = root.find(".//rim:RegistryPackage", NS)
    if rp is None:
        raise MetadonneesInvalides("lot de soumission absent")
    codes = _codes(rp, SS_CONTENT_TYPE)
    if len(codes) != 1:
        raise MetadonneesInvalides("contentTypeCode absent")
    return LotSoumission(
        unique_id=_external(rp, SS_UNIQUE_ID),
        source_id=_external(rp, SS_SOURCE_ID),
        submission_time=_first(_slots(rp), "submissionTime"),
        patient_id=_external(rp, SS_PATIENT_ID),
        content_type=codes[0],
        auteur=_author_of(rp, SS_AUTHOR),
        titre=_localized(rp),
        entry_uuid=rp.get("id", ""),
    )


def lire_associations(root: etree._Element) -> list[tuple[str, str, str]]:
    return [
        (a.get("associationType", ""), a.get("sourceObject", ""), a.get("targetObject", ""))
        for a in root.iterfind(".//rim:Association", NS)
    ]


__all__ = ["NS", "q"]
