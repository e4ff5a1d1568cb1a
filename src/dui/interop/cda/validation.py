"""Validation of a CDA R2 document before it may leave: the official CI-SIS XSD, then the
project's checks of the CI-SIS header rules (structuration minimale, INS).

The schema is read at run time from the CI-SIS reference (CDA_extended.xsd), found at
settings.CDA_SCHEMA, else ../shared/reference/ci-sis/infrastructure/cda/ beside the checkout.
When it cannot be read, validation fails closed: the document is reported invalid with a
message saying why, never waved through.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from pathlib import Path
from typing import Any

from lxml import etree

from dui.interop.cda import codes
from dui.interop.cda.header import XP, parse

_OID = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")
_FINESS = re.compile(r"^[0-9]{2}[0-9AB][0-9]{6}$")


def reference_dir() -> Path:
    from django.conf import settings

    configured = getattr(settings, "CDA_REFERENCE_DIR", "")
    if configured:
        return Path(configured)
    return Path(settings.ROOT_DIR).parent / "shared" / "reference" / "ci-sis"


def schema_path() -> Path:
    from django.conf import settings

    configured = getattr(settings, "CDA_SCHEMA", "")
    if configured:
        return Path(configured)
    return reference_dir() / "infrastructure" / "cda" / "CDA_extended.xsd"


@functools.lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(path, parser=parser))


def erreurs_schema(root: etree._Element) -> list[str]:
    path = schema_path()
    if not path.is_file():
        return [
            f"Schéma CDA officiel introuvable ({path}) : le document ne peut pas être validé "
            "et ne doit pas être envoyé."
        ]
    try:
        schema = _schema(str(path))
    except (etree.XMLSchemaParseError, OSError) as exc:
        return [f"Schéma CDA officiel illisible ({path}) : {exc}"]
    if schema.validate(root):
        return []
    return [f"Schéma CDA, ligne {e.line} : {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]


def _has(root: etree._Element, path: str) -> bool:
    return root.find(path, XP) is not None


def _attr(root: etree._Element, path: str, name: str) -> str:
    el = root.find(path, XP)
    return (el.get(name) or "") if el is not None else ""


def erreurs_entete(root: etree._Element, *, ins_attendu: Any = "inconnu") -> list[str]:
    """The CI-SIS header rules, as French messages.

    `ins_attendu`: the INS the person may be identified by (an object with `matricule` and
    `oid`, as `ins_for_sharing` returns), None when the identity is not qualifiée (then the
    document must carry no INS at all), or "inconnu" when the caller does not know.
    """
    errors: list[str] = []
    if root.tag != "{urn:hl7-org:v3}ClinicalDocument":
        return ["Ce n'est pas un document CDA R2 (élément racine ClinicalDocument attendu)."]

    def need(path: str, message: str) -> None:
        if not _has(root, path):
            errors.append(message)

    if _attr(root, "h:realmCode", "code") != "FR":
        errors.append("En-tête : realmCode « FR » absent.")
    if (
        _attr(root, "h:typeId", "root") != codes.TYPE_ID_ROOT
        or _attr(root, "h:typeId", "extension") != codes.TYPE_ID_EXTENSION
    ):
        errors.append("En-tête : typeId CDA R2 (POCD_HD000040) absent ou faux.")
    template_ids = [t.get("root") for t in root.findall("h:templateId", XP)]
    for required, label in (
        (codes.TEMPLATE_HL7_FRANCE, "HL7 France"),
        (codes.TEMPLATE_CISIS, "CI-SIS"),
    ):
        if template_ids.count(required) != 1:
            errors.append(f"En-tête : templateId {label} ({required}) absent ou répété.")
    if len(template_ids) < 3:
        errors.append("En-tête : templateId du modèle de document absent.")
    non_structure = _has(root, "h:component/h:nonXMLBody")
    if non_structure and sorted(template_ids) != sorted(  # type: ignore[type-var]
        [codes.TEMPLATE_HL7_FRANCE, codes.TEMPLATE_CISIS, codes.TEMPLATE_XDS_SD]
    ):
        errors.append(
            "En-tête : un document non structuré porte exactement les templateId HL7 France, "
            f"CI-SIS et XDS-SD ({codes.TEMPLATE_XDS_SD})."
        )
    doc_id = _attr(root, "h:id", "root")
    if not doc_id or not _OID.match(doc_id):
        errors.append("En-tête : identifiant du document (id/@root, un OID) absent ou invalide.")
    if not _attr(root, "h:code", "code") or _attr(root, "h:code", "codeSystem") != codes.LOINC:
        errors.append("En-tête : type de document (code LOINC) absent.")
    if not (root.findtext("h:title", namespaces=XP) or "").strip():
        errors.append("En-tête : titre absent.")
    if not re.match(r"^\d{14}[+-]\d{4}$", _attr(root, "h:effectiveTime", "value")):
        errors.append("En-tête : date du document (effectiveTime avec fuseau horaire) absente.")
    if _attr(root, "h:confidentialityCode", "code") not in codes.CONFIDENTIALITE:
        errors.append("En-tête : niveau de confidentialité (N, R ou V) absent ou inconnu.")
    if not _attr(root, "h:languageCode", "code"):
        errors.append("En-tête : langue du document absente.")
    if not _OID.match(_attr(root, "h:setId", "root")):
        errors.append("En-tête : setId (identifiant commun aux versions) absent ou invalide.")
    if not re.match(r"^[1-9]\d*$", _attr(root, "h:versionNumber", "value")):
        errors.append("En-tête : numéro de version absent.")

    errors.extend(_erreurs_patient(root, ins_attendu))

    author = root.find("h:author/h:assignedAuthor", XP)
    need("h:author/h:time", "Auteur : date (author/time) absente.")
    if author is None:
        errors.append("Auteur absent.")
    else:
        errors.extend(_erreurs_professionnel(author, "Auteur"))
    custodian = root.find("h:custodian/h:assignedCustodian/h:representedCustodianOrganization", XP)
    if custodian is None:
        errors.append("Structure conservant le document (custodian) absente.")
    else:
        if _attr(custodian, "h:id", "root") != codes.OID_ID_NAT_STRUCTURE or not _FINESS.match(
            _attr(custodian, "h:id", "extension")[1:]
        ):
            errors.append(
                "Custodian : identifiant de la structure (1 + FINESS, OID "
                f"{codes.OID_ID_NAT_STRUCTURE}) absent ou invalide."
            )
    legal = root.find("h:legalAuthenticator", XP)
    if legal is not None:
        if not _attr(legal, "h:time", "value"):
            errors.append("Signataire : date de signature absente.")
        if _attr(legal, "h:signatureCode", "code") != "S":
            errors.append("Signataire : signatureCode « S » absent.")
        entity = legal.find("h:assignedEntity", XP)
        if entity is None or _attr(entity, "h:id", "root") != codes.OID_ID_NAT_PS:
            errors.append(
                f"Signataire : identifiant national du professionnel ({codes.OID_ID_NAT_PS}) "
                "absent."
            )
        else:
            errors.extend(_erreurs_professionnel(entity, "Signataire", role=False))
    event = root.find("h:documentationOf/h:serviceEvent", XP)
    if event is None:
        errors.append("Acte documenté (documentationOf/serviceEvent) absent.")
    else:
        if not _has(event, "h:effectiveTime/h:low"):
            errors.append("Acte documenté : date de début absente.")
        if len(event.findall("h:performer", XP)) != 1:
            errors.append("Acte documenté : exécutant (performer) absent.")
        elif not _attr(
            event,
            "h:performer/h:assignedEntity/h:representedOrganization/h:standardIndustryClassCode",
            "code",
        ):
            errors.append("Acte documenté : cadre d'exercice de l'exécutant absent.")
    encounter = root.find("h:componentOf/h:encompassingEncounter", XP)
    if encounter is None:
        errors.append("Prise en charge (componentOf/encompassingEncounter) absente.")
    else:
        if not _has(encounter, "h:effectiveTime"):
            errors.append("Prise en charge : période absente.")
        if (
            _attr(encounter, "h:location/h:healthCareFacility/h:code", "codeSystem")
            != codes.OID_HEALTHCARE_FACILITY
        ):
            errors.append(
                "Prise en charge : type de structure (healthCareFacility/code, JDV_J02) absent."
            )
    errors.extend(_erreurs_corps(root, template_ids))  # type: ignore[arg-type]
    return errors


def _erreurs_professionnel(entity: etree._Element, label: str, *, role: bool = True) -> list[str]:
    errors = []
    root_id = _attr(entity, "h:id", "root")
    extension = _attr(entity, "h:id", "extension")
    if not root_id or not extension:
        errors.append(f"{label} : identifiant (root et extension) absent.")
    elif root_id == codes.OID_ID_NAT_PS and not re.match(
        r"^(8\d{11}|0\d{9}|3[0-9AB]{9}/.+)$", extension
    ):
        errors.append(
            f"{label} : identifiant national « {extension} » mal formé (8 + RPPS, 0 + ADELI ou "
            "3 + FINESS / identifiant interne)."
        )
    if not (entity.findtext("h:assignedPerson/h:name/h:family", namespaces=XP) or "").strip():
        errors.append(f"{label} : nom absent.")
    if role and not _attr(entity, "h:code", "code"):
        errors.append(f"{label} : profession ou rôle (code) absent.")
    return errors


def _erreurs_patient(root: etree._Element, ins_attendu: Any) -> list[str]:
    errors: list[str] = []
    role = root.find("h:recordTarget/h:patientRole", XP)
    if role is None or role.find("h:patient", XP) is None:
        return ["Patient (recordTarget/patientRole/patient) absent."]
    ids = role.findall("h:id", XP)
    if not ids:
        errors.append("Patient : aucun identifiant.")
    for ident in ids:
        if not ident.get("root") or not ident.get("extension"):
            errors.append("Patient : identifiant sans root ou sans extension.")
    ins_ids = [i for i in ids if i.get("root") in codes.INS_OIDS]
    patient = role.find("h:patient", XP)
    assert patient is not None
    if ins_ids:
        if len(ins_ids) > 1:
            errors.append("Patient : plusieurs matricules INS.")
        from django.core.exceptions import ValidationError

        from dui.interop.ins.matricule import parse_matricule

        try:
            parse_matricule(ins_ids[0].get("extension") or "")
        except ValidationError as exc:
            errors.append(f"Patient : matricule INS invalide ({' '.join(exc.messages)})")
        name = patient.find("h:name", XP)
        missing = []

        def _named(tag: str, qualifier: str | None) -> bool:
            if name is None:
                return False
            return any(
                (el.text or "").strip() and el.get("qualifier") == qualifier
                for el in name.findall(f"h:{tag}", XP)
            )

        if not _named("family", "BR"):
            missing.append("nom de naissance")
        if not _named("given", "BR"):
            missing.append("premier prénom de naissance")
        if not _named("given", None):
            missing.append("prénoms de naissance")
        if not _attr(patient, "h:birthTime", "value"):
            missing.append("date de naissance")
        if not (patient.findtext("h:birthplace/h:place/h:addr/h:county", namespaces=XP) or ""):
            missing.append("lieu de naissance (code COG)")
        if not _attr(patient, "h:administrativeGenderCode", "code"):
            missing.append("sexe")
        if missing:
            errors.append(
                "Patient identifié par son INS : traits INS obligatoires manquants ("
                + ", ".join(missing)
                + ")."
            )
    if ins_attendu is None and ins_ids:
        errors.append(
            "Identité non qualifiée : le document ne doit contenir aucun matricule INS "
            "(exigence INS/va1.53)."
        )
    if ins_attendu is None:
        for telecom in role.iter("{urn:hl7-org:v3}telecom"):
            if "@patient.mssante.fr" in (telecom.get("value") or ""):
                errors.append(
                    "Identité non qualifiée : pas de messagerie citoyenne construite sur l'INS."
                )
    elif ins_attendu != "inconnu" and ins_attendu is not None:
        if not ins_ids:
            errors.append("Identité qualifiée : le matricule INS de la personne est absent.")
        elif (ins_ids[0].get("extension"), ins_ids[0].get("root")) != (
            ins_attendu.matricule,
            ins_attendu.oid,
        ):
            errors.append("Le matricule INS du document ne correspond pas à celui de la personne.")
    return errors


def _erreurs_corps(root: etree._Element, template_ids: list[str]) -> list[str]:
    errors: list[str] = []
    non_xml = root.find("h:component/h:nonXMLBody", XP)
    structured = root.find("h:component/h:structuredBody", XP)
    if non_xml is None and structured is None:
        return ["Corps du document absent."]
    if non_xml is not None:
        text = non_xml.find("h:text", XP)
        if (
            text is None
            or text.get("mediaType") != "application/pdf"
            or text.get("representation") != "B64"
        ):
            errors.append("Corps non structuré : PDF encodé en base 64 attendu.")
        else:
            try:
                head = base64.b64decode((text.text or "").strip()[:64] + "==")[:5]
            except (binascii.Error, ValueError):
                head = b""
            if not head.startswith(b"%PDF-"):
                errors.append("Corps non structuré : le contenu n'est pas un PDF.")
    if codes.TEMPLATE_DLU in template_ids:
        if _attr(root, "h:code", "code") != "74207-2":
            errors.append("DLU : le type de document doit être 74207-2.")
        if structured is None:
            errors.append("DLU : le modèle DLU-EHPAD est un document structuré (niveau 3).")
    return errors


def _usager_du_document(root: etree._Element) -> Any:
    """The person a document of ours is about (local id under an organisme's OID), or None."""
    from dui.usagers.models import Usager

    for ident in root.findall("h:recordTarget/h:patientRole/h:id", XP):
        if ident.get("root") in codes.INS_OIDS:
            continue
        extension = ident.get("extension") or ""
        if not extension.isdigit():
            continue
        usager = Usager.objects.select_related("organisme").filter(pk=int(extension)).first()
        if usager and codes.structure_oid(usager.organisme.finess) == ident.get("root"):
            return usager
    return None


def valider(cda: bytes, *, usager: Any = None) -> list[str]:
    """French error messages; [] when the document is valid (XSD + CI-SIS header rules).

    The INS rule (INS/va1.53) is checked against the person's identity *now*: `usager` if
    given, else the person named by the document's local identifier, when it is one of ours.
    A document generated before the identity lost its qualification is thus refused.
    """
    try:
        root = parse(cda)
    except etree.XMLSyntaxError as exc:
        return [f"XML mal formé : {exc}"]
    errors = erreurs_schema(root)
    if usager is None:
        usager = _usager_du_document(root)
    if usager is not None:
        from dui.usagers.identite import ins_for_sharing

        ins_attendu: Any = ins_for_sharing(usager)
    else:
        ins_attendu = "inconnu"
    errors.extend(erreurs_entete(root, ins_attendu=ins_attendu))
    return errors
