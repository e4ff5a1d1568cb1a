"""What the DMP metadata needs from a CDA R2 header (CI-SIS structuration minimale).

Stop-gap reader until `dui.interop.cda.header.lire_entete` lands: same purpose, read with a
safe parser, no personal data beyond what the metadata carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from dui.interop.dmp.xml import NS, parse

H = {"h": NS["hl7"]}


@dataclass(frozen=True)
class EnteteCDA:
    id_root: str
    id_extension: str
    type_code: str
    type_systeme: str
    titre: str
    effective_time: str
    confidentialite: str
    langue: str
    template_ids: tuple[str, ...]
    patient_ids: tuple[tuple[str, str], ...]  # (root, extension)
    traits_ins_complets: bool
    auteur_id: str
    auteur_id_root: str
    auteur_nom: str
    auteur_prenom: str
    auteur_profession: str
    auteur_profession_systeme: str
    organisation_id: str
    organisation_nom: str
    practice_setting: str
    facility_type: str
    service_debut: str
    service_fin: str
    non_structure: bool
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def unique_id(self) -> str:
        return f"{self.id_root}^{self.id_extension}" if self.id_extension else self.id_root


def _attr(root: etree._Element, path: str, name: str) -> str:
    found = root.find(path, H)
    return (found.get(name) or "").strip() if found is not None else ""


def _text(root: etree._Element, path: str) -> str:
    found = root.find(path, H)
    return " ".join((found.text or "").split()) if found is not None else ""


def lire_entete(cda: bytes) -> EnteteCDA:
    root = parse(cda)
    if root.tag != f"{{{NS['hl7']}}}ClinicalDocument":
        raise ValueError("Ce n'est pas un document CDA R2.")
    patient = root.find("h:recordTarget/h:patientRole/h:patient", H)
    traits = patient is not None and all(
        patient.find(path, H) is not None
        for path in (
            "h:name/h:family[@qualifier='BR']",
            "h:name/h:given[@qualifier='BR']",
            "h:birthTime",
            "h:administrativeGenderCode",
            "h:birthplace/h:place/h:addr/h:county",
        )
    )
    author = "h:author/h:assignedAuthor"
    return EnteteCDA(
        id_root=_attr(root, "h:id", "root"),
        id_extension=_attr(root, "h:id", "extension"),
        type_code=_attr(root, "h:code", "code"),
        type_systeme=_attr(root, "h:code", "codeSystem"),
        titre=_text(root, "h:title"),
        effective_time=_attr(root, "h:effectiveTime", "value"),
        confidentialite=_attr(root, "h:confidentialityCode", "code"),
        langue=_attr(root, "h:languageCode", "code"),
        template_ids=tuple(t.get("root", "") for t in root.iterfind("h:templateId", H)),
        patient_ids=tuple(
            (i.get("root", ""), i.get("extension", ""))
            for i in root.iterfind("h:recordTarget/h:patientRole/h:id", H)
        ),
        traits_ins_complets=traits,
        auteur_id=_attr(root, f"{author}/h:id", "extension"),
        auteur_id_root=_attr(root, f"{author}/h:id", "root"),
        auteur_nom=_text(root, f"{author}/h:assignedPerson/h:name/h:family"),
        auteur_prenom=_text(root, f"{author}/h:assignedPerson/h:name/h:given"),
        auteur_profession=_attr(root, f"{author}/h:code", "code"),
        auteur_profession_systeme=_attr(root, f"{author}/h:code", "codeSystem"),
        organisation_id=_attr(root, f"{author}/h:representedOrganization/h:id", "extension"),
        organisation_nom=_text(root, f"{author}/h:representedOrganization/h:name"),
        practice_setting=_attr(
            root,
            f"{author}/h:representedOrganization/h:standardIndustryClassCode",
            "code",
        )
        or _attr(
            root,
            "h:documentationOf/h:serviceEvent/h:performer/h:assignedEntity/"
            "h:representedOrganization/h:standardIndustryClassCode",
            "code",
        ),
        facility_type=_attr(
            root,
            "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code",
            "code",
        ),
        service_debut=_attr(
            root, "h:documentationOf/h:serviceEvent/h:effectiveTime/h:low", "value"
        ),
        service_fin=_attr(root, "h:documentationOf/h:serviceEvent/h:effectiveTime/h:high", "value"),
        non_structure=root.find("h:component/h:nonXMLBody", H) is not None,
    )
