"""Codes and OIDs of the CDA R2 documents (CI-SIS "structuration minimale", JDV value sets).

Facts from ../shared/reference/ci-sis (official examples, jeuxDeValeurs, schematrons) and
interop.md. Nothing here depends on Django models, so the header checks can use it too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# --- Header -----------------------------------------------------------------------------
TYPE_ID_ROOT = "2.16.840.1.113883.1.3"
TYPE_ID_EXTENSION = "POCD_HD000040"
TEMPLATE_HL7_FRANCE = "2.16.840.1.113883.2.8.2.1"
TEMPLATE_CISIS = "1.2.250.1.213.1.1.1.1"
# IHE XDS-SD: in an unstructured (level 1) document it replaces the volet's templateId
# (structuration minimale schematron: exactly these three templateIds).
TEMPLATE_XDS_SD = "1.3.6.1.4.1.19376.1.2.20"
TEMPLATE_DLU = "1.2.250.1.213.1.1.1.22"
TEMPLATE_DLU_VERSION = "2022.01"

LOINC = "2.16.840.1.113883.6.1"
CONFIDENTIALITY = "2.16.840.1.113883.5.25"
ADMINISTRATIVE_GENDER = "2.16.840.1.113883.5.1"
ACT_ENCOUNTER_CODE = "2.16.840.1.113883.5.4"

# National identifiers (interop.md §1.3; CI-SIS examples).
OID_ID_NAT_PS = "1.2.250.1.71.4.2.1"  # "8" + RPPS, or "3" + FINESS + "/" + internal id
OID_ID_NAT_STRUCTURE = "1.2.250.1.71.4.2.2"  # "1" + FINESS
OID_HEALTHCARE_FACILITY = "1.2.250.1.71.4.2.4"  # TRE_R02 SecteurActivite (JDV_J02)
OID_PRACTICE_SETTING = "1.2.250.1.213.1.1.4.9"  # JDV_J04
INS_OIDS = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR-TEST",
    "1.2.250.1.213.1.4.11": "INS-NIR-DEMO",
}

# XDS formatCode (JDV_J10): level 1 PDF, and the DLU volet.
FORMAT_CODE_SYSTEM = "1.3.6.1.4.1.19376.1.2.3"
FORMAT_CODE_PDF = "urn:ihe:iti:xds-sd:pdf:2008"
FORMAT_CODE_DLU = "urn:asip:ci-sis:dlu:2015"

CONFIDENTIALITE = {"N": "Normal", "R": "Restreint", "V": "Très restreint"}
SEXES = {"F": "Féminin", "M": "Masculin", "I": "Indéterminé", "U": "Inconnu"}


@dataclass(frozen=True)
class TypeCDA:
    kind: str
    code: str  # LOINC (JDV_J07)
    libelle: str
    titre: str
    # serviceEvent code (what the document documents): LOINC as in the official examples.
    acte_code: str
    acte_libelle: str
    structure: bool = False  # level 3 body (else level 1, PDF)


TYPES: dict[str, TypeCDA] = {
    t.kind: t
    for t in (
        TypeCDA(
            "dlu",
            "74207-2",
            "Dossier de liaison d'urgence",
            "Document de liaison d'urgence",
            "34117-2",
            "Historique et clinique",
            structure=True,
        ),
        TypeCDA(
            "fiche_transfert",
            "78341-5",
            "Fiche de transfert vers le service des urgences",
            "Fiche de transfert vers les urgences",
            "34117-2",
            "Historique et clinique",
        ),
        TypeCDA(
            "projet_personnalise",
            "80788-3",
            "Projet personnalisé d'accompagnement",
            "Projet personnalisé d'accompagnement",
            "80788-3",
            "Projet personnalisé d'accompagnement",
        ),
        TypeCDA(
            "evaluation",
            "34842-5",
            "Grille d'évaluation médico-sociale",
            "Grille d'évaluation médico-sociale",
            "34842-5",
            "Grille d'évaluation médico-sociale",
        ),
        TypeCDA(
            "lettre_entree",
            "88348-8",
            "Lettre de liaison d'entrée en structure sociale ou médico-sociale",
            "Lettre de liaison d'entrée",
            "88348-8",
            "Lettre de liaison d'entrée en structure sociale ou médico-sociale",
        ),
        TypeCDA(
            "lettre_sortie",
            "83981-1",
            "Lettre de liaison à la sortie d'une structure sociale ou médico-sociale",
            "Lettre de liaison de sortie",
            "83981-1",
            "Lettre de liaison à la sortie d'une structure sociale ou médico-sociale",
        ),
    )
}
KINDS = tuple(TYPES)

# Author profession (JDV_J01_XdsAuthorSpecialty_CISIS): (code, code system, label).
_G15 = "1.2.250.1.213.1.1.4.5"  # TRE_G15 professions de santé
_R94 = "1.2.250.1.213.1.6.1.107"  # TRE_R94 professions du social / médico-social
_R95 = "1.2.250.1.213.1.6.1.109"  # usagers de titre (psychologue)
_R291 = "1.2.250.1.213.1.6.1.4"  # assistant de service social
AUTRE_PROFESSIONNEL = ("312", _R94, "Autre professionnel")
PROFESSIONS: dict[str, tuple[str, str, str]] = {
    "medecin": ("G15_10", _G15, "Médecin"),
    "medecin_coordonnateur": ("G15_10", _G15, "Médecin"),
    "ide": ("G15_60", _G15, "Infirmier"),
    "idec": ("G15_60", _G15, "Infirmier"),
    "aide_soignant": ("G15_35", _G15, "Aide-soignant"),
    "aes": ("328", _R94, "Accompagnant éducatif et social"),
    "educateur_specialise": ("326", _R94, "Educateur spécialisé"),
    "moniteur_educateur": ("324", _R94, "Moniteur éducateur"),
    "psychologue": ("93", _R95, "Psychologue"),
    "ergotherapeute": ("G15_94", _G15, "Ergothérapeute"),
    "kinesitherapeute": ("G15_70", _G15, "Masseur-Kinésithérapeute"),
    "psychomotricien": ("G15_96", _G15, "Psychomotricien"),
    "assistant_service_social": ("41", _R291, "Assistant de service social"),
    "secretaire": ("331", _R94, "Secrétaire assistante médico-administrative"),
    "responsable_secteur": (
        "345",
        _R94,
        "Autre professionnel intervenant dans le social, éducatif, psychologie et culturel",
    ),
    "intervenant_domicile": ("350", _R94, "Aide à domicile"),
    "directeur": ("359", _R94, "Directeur d'établissement"),
    "informaticien": (
        "340",
        _R94,
        "Autre professionnel intervenant dans la direction des systèmes d'information",
    ),
}

# FINESS category → healthcareFacilityTypeCode (JDV_J02) and encounter code (ActEncounterCode).
_PERSONNES_AGEES = ("SA17", "Etablissement pour personnes âgées")
_HANDICAP = ("SA16", "Etablissement pour personnes handicapées")
_AUTRE_MS = ("SA41", "Autre établissement du domaine social ou médico-social")
FACILITY_TYPES: dict[str, tuple[str, str]] = {
    "500": _PERSONNES_AGEES,
    "202": _PERSONNES_AGEES,
    "207": _PERSONNES_AGEES,
    "183": _HANDICAP,
    "186": _HANDICAP,
    "192": _HANDICAP,
    "182": _HANDICAP,
    "190": _HANDICAP,
    "255": _HANDICAP,
    "437": _HANDICAP,
    "246": _HANDICAP,
    "382": _HANDICAP,
    "445": _HANDICAP,
    "446": _HANDICAP,
    "460": _AUTRE_MS,
    "354": _AUTRE_MS,
    "214": ("SA21", "Etablissement d'hébergement et de réadaptation"),
    "177": ("SA20", "Etablissement pour la protection de l'enfance"),
}
PRACTICE_SETTING = ("ESSMS", "Etablissement ou Service Social ou Médico-Social")
_DOMICILE = {"460", "354", "182", "445", "446"}
_JOUR = {"207", "246", "190"}


def facility_type(categorie: str) -> tuple[str, str]:
    return FACILITY_TYPES.get(categorie, _AUTRE_MS)


def encounter_code(categorie: str) -> tuple[str, str]:
    if categorie in _DOMICILE:
        return "HH", "Prise en charge à domicile"
    if categorie in _JOUR:
        return "AMB", "Accueil de jour ou en journée"
    return "IMP", "Hébergement en établissement"


def profession(code: str) -> tuple[str, str, str]:
    return PROFESSIONS.get(code, AUTRE_PROFESSIONNEL)


# --- OIDs made by the DUI ----------------------------------------------------------------
# Without a registered OID arc, the DUI uses UUID-derived OIDs (ISO/IEC 9834-8, arc 2.25):
# unique by construction, no registration needed. A structure's OID is derived from its
# FINESS (stable across installations); an installation with its own arc sets
# CDA_OID_STRUCTURES = {finess: oid} in the settings.
_NAMESPACE = uuid.UUID("6f1c1c2e-5d0b-4f55-9b3e-2f0c8e0d1a61")


def new_document_oid() -> str:
    return f"2.25.{uuid.uuid4().int}"


def structure_oid(finess: str) -> str:
    from django.conf import settings

    configured = getattr(settings, "CDA_OID_STRUCTURES", None) or {}
    if finess in configured:
        return str(configured[finess])
    return f"2.25.{uuid.uuid5(_NAMESPACE, f'finess:{finess}').int}"
