"""The CDA R2 header after the CI-SIS "structuration minimale", built and read back.

`construire_entete` writes the header elements from plain values (`Entete`), modelled on the
official examples in ../shared/reference/ci-sis/ExemplesCDA; `lire_entete` reads back what the
DMP metadata (XDS document entry) needs. The patient is identified by the INS matricule + OID
only when `Entete.patient.ins` is given, which the generator takes from
`dui.usagers.identite.ins_for_sharing` (qualifiée identities only, INS/va1.53); otherwise the
document carries the local identifier alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from dui.interop.cda import codes

NS = "urn:hl7-org:v3"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: NS, "xsi": NS_XSI}
XP = {"h": NS}


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> Any:
    el = etree.SubElement(parent, q(tag), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


@dataclass(frozen=True)
class INS:
    matricule: str
    oid: str


@dataclass(frozen=True)
class Patient:
    id_local: str
    oid_local: str
    nom_naissance: str
    prenoms_naissance: str
    premier_prenom: str
    sexe: str
    date_naissance: datetime.date
    precision_naissance: str = "jour"  # jour / mois / annee
    lieu_naissance: str = ""  # code COG INSEE
    nom_utilise: str = ""
    prenom_utilise: str = ""
    ins: INS | None = None


@dataclass(frozen=True)
class Structure:
    finess: str
    nom: str
    categorie: str
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""


@dataclass(frozen=True)
class Professionnel:
    id_root: str
    id_extension: str
    nom: str
    prenom: str
    profession: tuple[str, str, str]  # (code, code system, label)


@dataclass(frozen=True)
class MedecinTraitant:
    """The médecin traitant (participant INF, functionCode PCP), as the DLU model asks."""

    nom: str = ""
    rpps: str = ""
    telephone: str = ""
    adresse: str = ""


@dataclass(frozen=True)
class Entete:
    type: codes.TypeCDA
    titre: str
    date: datetime.datetime
    confidentialite: str
    document_oid: str
    set_oid: str
    version: int
    patient: Patient
    auteur: Professionnel
    structure: Structure
    acte_debut: datetime.datetime
    acte_fin: datetime.datetime | None = None
    sejour_debut: datetime.date | None = None
    sejour_fin: datetime.date | None = None
    signataire: Professionnel | None = None
    signe_le: datetime.datetime | None = None
    remplace_oid: str = ""  # id of the version this one replaces (relatedDocument RPLC)
    medecin_traitant: MedecinTraitant | None = None
    template_ids: tuple[tuple[str, str | None], ...] = field(default=())


def ts(value: datetime.datetime | datetime.date) -> str:
    """HL7 TS: local date-time with its UTC offset, or a date."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y%m%d%H%M%S")
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y%m%d%H%M%S%z")
    return value.strftime("%Y%m%d")


def _birth_ts(p: Patient) -> str:
    d = p.date_naissance
    if p.precision_naissance == "annee":
        return f"{d:%Y}"
    if p.precision_naissance == "mois":
        return f"{d:%Y%m}"
    return f"{d:%Y%m%d}"


def _addr(parent: etree._Element, s: Structure) -> None:
    addr = sub(parent, "addr")
    if s.adresse or s.code_postal or s.commune:
        if s.adresse:
            sub(addr, "streetAddressLine", s.adresse)
        if s.code_postal:
            sub(addr, "postalCode", s.code_postal)
        if s.commune:
            sub(addr, "city", s.commune)
    else:
        addr.set("nullFlavor", "NASK")


def _organisation(parent: etree._Element, tag: str, s: Structure) -> Any:
    org = sub(parent, tag)
    sub(org, "id", root=codes.OID_ID_NAT_STRUCTURE, extension=f"1{s.finess}")
    sub(org, "name", s.nom)
    _addr(org, s)
    code, libelle = codes.PRACTICE_SETTING
    sub(
        org,
        "standardIndustryClassCode",
        code=code,
        displayName=libelle,
        codeSystem=codes.OID_PRACTICE_SETTING,
        codeSystemName="practiceSettingCode",
    )
    return org


def _personne(parent: etree._Element, tag: str, p: Professionnel) -> None:
    person = sub(parent, tag)
    name = sub(person, "name")
    sub(name, "given", p.prenom)
    sub(name, "family", p.nom)


def _assigned(parent: etree._Element, tag: str, p: Professionnel, s: Structure) -> Any:
    entity = sub(parent, tag)
    sub(entity, "id", root=p.id_root, extension=p.id_extension)
    code, system, libelle = p.profession
    sub(entity, "code", code=code, codeSystem=system, displayName=libelle)
    _addr(entity, s)
    _personne(entity, "assignedPerson", p)
    _organisation(entity, "representedOrganization", s)
    return entity


def _record_target(doc: etree._Element, p: Patient) -> None:
    role = sub(sub(doc, "recordTarget"), "patientRole")
    if p.ins is not None:
        sub(role, "id", root=p.ins.oid, extension=p.ins.matricule)
    sub(role, "id", root=p.oid_local, extension=p.id_local)
    patient = sub(role, "patient", classCode="PSN")
    name = sub(patient, "name")
    sub(name, "family", p.nom_naissance, qualifier="BR")
    if p.prenoms_naissance:
        sub(name, "given", p.prenoms_naissance)
    if p.premier_prenom:
        sub(name, "given", p.premier_prenom, qualifier="BR")
    if p.nom_utilise:
        sub(name, "family", p.nom_utilise, qualifier="CL")
    if p.prenom_utilise:
        sub(name, "given", p.prenom_utilise, qualifier="CL")
    sub(
        patient,
        "administrativeGenderCode",
        code=p.sexe or "U",
        displayName=codes.SEXES.get(p.sexe, "Inconnu"),
        codeSystem=codes.ADMINISTRATIVE_GENDER,
    )
    sub(patient, "birthTime", value=_birth_ts(p))
    if p.lieu_naissance:
        addr = sub(sub(sub(patient, "birthplace"), "place"), "addr")
        sub(addr, "county", p.lieu_naissance)


def _medecin_traitant(doc: etree._Element, m: MedecinTraitant, depuis: datetime.datetime) -> None:
    participant = sub(doc, "participant", typeCode="INF")
    sub(
        participant,
        "functionCode",
        code="PCP",
        displayName="Médecin Traitant",
        codeSystem="2.16.840.1.113883.5.88",
    )
    period = sub(participant, "time", **{f"{{{NS_XSI}}}type": "IVL_TS"})
    sub(period, "low", value=ts(depuis))
    entity = sub(participant, "associatedEntity", classCode="PROV")
    if m.rpps:  # optional in CI-SISParticipant, but with root and extension when present
        sub(entity, "id", root=codes.OID_ID_NAT_PS, extension=f"8{m.rpps}")
    addr = sub(entity, "addr")
    if m.adresse:
        sub(addr, "streetAddressLine", m.adresse)
    else:
        addr.set("nullFlavor", "NASK")
    if m.telephone:
        sub(entity, "telecom", value=f"tel:{m.telephone.replace(' ', '')}", use="WP")
    name = sub(sub(entity, "associatedPerson"), "name")
    if m.nom:
        sub(name, "family", m.nom)
    else:
        sub(name, "family", nullFlavor="UNK")


def construire_entete(e: Entete) -> etree._Element:
    """The ClinicalDocument element with its whole header (the caller appends the body)."""
    doc = etree.Element(q("ClinicalDocument"), nsmap=NSMAP)  # type: ignore[arg-type]
    sub(doc, "realmCode", code="FR")
    sub(doc, "typeId", root=codes.TYPE_ID_ROOT, extension=codes.TYPE_ID_EXTENSION)
    sub(doc, "templateId", root=codes.TEMPLATE_HL7_FRANCE)
    sub(doc, "templateId", root=codes.TEMPLATE_CISIS)
    for root, extension in e.template_ids or ((codes.TEMPLATE_XDS_SD, None),):
        sub(doc, "templateId", root=root, extension=extension)
    sub(doc, "id", root=e.document_oid)
    sub(
        doc,
        "code",
        code=e.type.code,
        displayName=e.type.libelle,
        codeSystem=codes.LOINC,
        codeSystemName="LOINC",
    )
    sub(doc, "title", e.titre)
    sub(doc, "effectiveTime", value=ts(e.date))
    sub(
        doc,
        "confidentialityCode",
        code=e.confidentialite,
        displayName=codes.CONFIDENTIALITE[e.confidentialite],
        codeSystem=codes.CONFIDENTIALITY,
        codeSystemName="Confidentiality",
    )
    sub(doc, "languageCode", code="fr-FR")
    sub(doc, "setId", root=e.set_oid)
    sub(doc, "versionNumber", value=str(e.version))
    _record_target(doc, e.patient)

    author = sub(doc, "author")
    sub(author, "time", value=ts(e.date))
    _assigned(author, "assignedAuthor", e.auteur, e.structure)

    custodian = sub(
        sub(sub(doc, "custodian"), "assignedCustodian"), "representedCustodianOrganization"
    )
    sub(custodian, "id", root=codes.OID_ID_NAT_STRUCTURE, extension=f"1{e.structure.finess}")
    sub(custodian, "name", e.structure.nom)
    _addr(custodian, e.structure)

    if e.signataire is not None and e.signe_le is not None:
        legal = sub(doc, "legalAuthenticator")
        sub(legal, "time", value=ts(e.signe_le))
        sub(legal, "signatureCode", code="S")
        _assigned(legal, "assignedEntity", e.signataire, e.structure)

    if e.medecin_traitant is not None:
        _medecin_traitant(doc, e.medecin_traitant, e.acte_debut)

    event = sub(sub(doc, "documentationOf"), "serviceEvent")
    sub(
        event,
        "code",
        code=e.type.acte_code,
        displayName=e.type.acte_libelle,
        codeSystem=codes.LOINC,
        codeSystemName="LOINC",
    )
    period = sub(event, "effectiveTime")
    sub(period, "low", value=ts(e.acte_debut))
    sub(period, "high", value=ts(e.acte_fin or e.acte_debut))
    performer = sub(event, "performer", typeCode="PRF")
    entity = sub(performer, "assignedEntity")
    sub(entity, "id", root=e.auteur.id_root, extension=e.auteur.id_extension)
    _personne(entity, "assignedPerson", e.auteur)
    _organisation(entity, "representedOrganization", e.structure)

    if e.remplace_oid:
        related = sub(doc, "relatedDocument", typeCode="RPLC")
        sub(sub(related, "parentDocument"), "id", root=e.remplace_oid)

    encounter = sub(sub(doc, "componentOf"), "encompassingEncounter")
    enc_code, enc_libelle = codes.encounter_code(e.structure.categorie)
    sub(
        encounter,
        "code",
        code=enc_code,
        displayName=enc_libelle,
        codeSystem=codes.ACT_ENCOUNTER_CODE,
        codeSystemName="HL7:ActEncounterCode",
    )
    period = sub(encounter, "effectiveTime")
    sub(period, "low", value=ts(e.sejour_debut or e.acte_debut))
    if e.sejour_fin:
        sub(period, "high", value=ts(e.sejour_fin))
    facility = sub(sub(encounter, "location"), "healthCareFacility")
    sub(facility, "id", root=codes.OID_ID_NAT_STRUCTURE, extension=f"1{e.structure.finess}")
    fac_code, fac_libelle = codes.facility_type(e.structure.categorie)
    sub(
        facility,
        "code",
        code=fac_code,
        displayName=fac_libelle,
        codeSystem=codes.OID_HEALTHCARE_FACILITY,
    )
    return doc


# --- Reading -----------------------------------------------------------------------------


def parse(cda: bytes) -> etree._Element:
    """Parse a CDA safely: no DTD, no entities, no network (documents may come from outside)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    return etree.fromstring(cda, parser=parser)


def _attr(root: etree._Element, path: str, name: str) -> str:
    found = root.find(path, XP)
    return (found.get(name) or "") if found is not None else ""


def _text(root: etree._Element, path: str) -> str:
    found = root.find(path, XP)
    return (found.text or "").strip() if found is not None and found.text else ""


def _person(entity: etree._Element | None) -> dict[str, str]:
    if entity is None:
        return {}
    return {
        "id_root": _attr(entity, "h:id", "root"),
        "id": _attr(entity, "h:id", "extension"),
        "nom": _text(entity, "h:assignedPerson/h:name/h:family"),
        "prenom": _text(entity, "h:assignedPerson/h:name/h:given"),
        "role_code": _attr(entity, "h:code", "code"),
        "role_systeme": _attr(entity, "h:code", "codeSystem"),
        "role_libelle": _attr(entity, "h:code", "displayName"),
        "specialite_code": _attr(entity, "h:code", "code"),
    }


def _practice_setting(root: etree._Element, author_org: etree._Element | None) -> dict:
    code = root.find(
        "h:documentationOf/h:serviceEvent/h:performer/h:assignedEntity/"
        "h:representedOrganization/h:standardIndustryClassCode",
        XP,
    )
    if code is None and author_org is not None:
        code = author_org.find("h:standardIndustryClassCode", XP)
    if code is None:
        return {"code": "", "systeme": "", "libelle": ""}
    return {
        "code": code.get("code", ""),
        "systeme": code.get("codeSystem", ""),
        "libelle": code.get("displayName", ""),
    }


def lire_entete(cda: bytes | etree._Element) -> dict[str, Any]:
    """What the DMP metadata needs, read from a CDA header (ours or a received one).

    Keys: type_code, type_systeme, type_libelle, titre, date (HL7 TS), confidentialite,
    langue, document_id (root[^extension]), set_id, version, template_ids, format_code,
    niveau (1 or 3), patient {ins, oid_ins, type_ins, id_local, oid_local, nom_naissance,
    prenoms, premier_prenom, sexe, date_naissance, lieu_naissance}, auteur {id_root, id, nom,
    prenom, role_code, role_systeme, role_libelle}, auteur_structure {finess, nom},
    custodian {finess, nom}, signataire (same as auteur, or {}), practice_setting,
    healthcare_facility_type, acte {code, debut, fin}.
    """
    root = cda if isinstance(cda, etree._Element) else parse(cda)
    patient_role = root.find("h:recordTarget/h:patientRole", XP)
    ins_id: etree._Element | None = None
    local_id: etree._Element | None = None
    if patient_role is not None:
        for ident in patient_role.findall("h:id", XP):
            if ident.get("root") in codes.INS_OIDS and ins_id is None:
                ins_id = ident
            elif local_id is None:
                local_id = ident
    patient = patient_role.find("h:patient", XP) if patient_role is not None else None
    names = patient.find("h:name", XP) if patient is not None else None

    def _name(tag: str, qualifier: str | None) -> str:
        if names is None:
            return ""
        for el in names.findall(f"h:{tag}", XP):
            if el.get("qualifier") == qualifier:
                return (el.text or "").strip()
        return ""

    template_ids = [t.get("root", "") for t in root.findall("h:templateId", XP)]
    structured = root.find("h:component/h:structuredBody", XP) is not None
    if codes.TEMPLATE_DLU in template_ids:
        format_code = codes.FORMAT_CODE_DLU
    elif not structured:
        format_code = codes.FORMAT_CODE_PDF
    else:
        format_code = ""
    doc_id = root.find("h:id", XP)
    set_id = root.find("h:setId", XP)

    def _ii(el: etree._Element | None) -> str:
        if el is None:
            return ""
        ext = el.get("extension")
        return f"{el.get('root', '')}^{ext}" if ext else el.get("root", "")

    author = root.find("h:author/h:assignedAuthor", XP)
    custodian = root.find("h:custodian/h:assignedCustodian/h:representedCustodianOrganization", XP)
    author_org = author.find("h:representedOrganization", XP) if author is not None else None
    legal = root.find("h:legalAuthenticator/h:assignedEntity", XP)

    def _finess(org: etree._Element | None) -> str:
        if org is None:
            return ""
        ext = _attr(org, "h:id", "extension")
        if _attr(org, "h:id", "root") == codes.OID_ID_NAT_STRUCTURE and ext.startswith("1"):
            return ext[1:]
        return ext

    return {
        "type_code": _attr(root, "h:code", "code"),
        "type_systeme": _attr(root, "h:code", "codeSystem"),
        "type_libelle": _attr(root, "h:code", "displayName"),
        "titre": _text(root, "h:title"),
        "date": _attr(root, "h:effectiveTime", "value"),
        "confidentialite": _attr(root, "h:confidentialityCode", "code"),
        "langue": _attr(root, "h:languageCode", "code"),
        "document_id": _ii(doc_id),
        "set_id": _ii(set_id),
        "version": int(_attr(root, "h:versionNumber", "value") or 0),
        "template_ids": template_ids,
        "format_code": format_code,
        "format_code_systeme": codes.FORMAT_CODE_SYSTEM if format_code else "",
        "niveau": 3 if structured else 1,
        "patient": {
            "ins": ins_id.get("extension", "") if ins_id is not None else "",
            "oid_ins": ins_id.get("root", "") if ins_id is not None else "",
            "type_ins": codes.INS_OIDS.get(ins_id.get("root", ""), "")
            if ins_id is not None
            else "",
            "id_local": local_id.get("extension", "") if local_id is not None else "",
            "oid_local": local_id.get("root", "") if local_id is not None else "",
            "nom_naissance": _name("family", "BR"),
            "prenoms": _name("given", None),
            "premier_prenom": _name("given", "BR"),
            "nom_utilise": _name("family", "CL"),
            "prenom_utilise": _name("given", "CL"),
            "sexe": _attr(patient, "h:administrativeGenderCode", "code")
            if patient is not None
            else "",
            "date_naissance": _attr(patient, "h:birthTime", "value") if patient is not None else "",
            "lieu_naissance": _text(patient, "h:birthplace/h:place/h:addr/h:county")
            if patient is not None
            else "",
        },
        "auteur": _person(author),
        "auteur_date": _attr(root, "h:author/h:time", "value"),
        "auteur_structure": {
            "finess": _finess(author_org),
            "nom": _text(author_org, "h:name") if author_org is not None else "",
        },
        "custodian": {
            "finess": _finess(custodian),
            "nom": _text(custodian, "h:name") if custodian is not None else "",
        },
        "signataire": _person(legal),
        # XDS practiceSettingCode: the performer's organisation in documentationOf (CI-SIS
        # mapping), else the author's.
        "practice_setting": _practice_setting(root, author_org),
        "healthcare_facility_type": {
            "code": _attr(
                root,
                "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code",
                "code",
            ),
            "systeme": _attr(
                root,
                "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code",
                "codeSystem",
            ),
            "libelle": _attr(
                root,
                "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code",
                "displayName",
            ),
        },
        "acte": {
            "code": _attr(root, "h:documentationOf/h:serviceEvent/h:code", "code"),
            "debut": _attr(root, "h:documentationOf/h:serviceEvent/h:effectiveTime/h:low", "value"),
            "fin": _attr(root, "h:documentationOf/h:serviceEvent/h:effectiveTime/h:high", "value"),
        },
    }
