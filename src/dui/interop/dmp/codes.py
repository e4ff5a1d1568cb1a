"""Value sets the DMP metadata draw from (CI-SIS JDV, interop.md §2.3), restricted to what
the médico-social documents of the DUI use. The simulator refuses codes outside them.

typeCode → classCode follows ASS_X04 in spirit; the exact DMP table (ASS_X16) is not public
here [UNCONFIRMED]: every type is mapped to the class a reader of the DMP would look under.
"""

from __future__ import annotations

from dui.interop.dmp.metadata import Code

LOINC = "2.16.840.1.113883.6.1"
TRE_A05 = "1.2.250.1.213.1.1.4.12"
TRE_A03 = "1.2.250.1.213.1.1.4.1"  # classCode
TRE_A06 = "1.2.250.1.213.1.1.4.2.282"  # formatCode (structured)
IHE_FORMAT = "1.3.6.1.4.1.19376.1.2.3"
TRE_R02 = "1.2.250.1.71.4.2.4"  # healthcareFacilityTypeCode
TRE_A00_PRATIQUE = "1.2.250.1.213.1.1.4.9"  # practiceSettingCode
CONTENT_TYPE_SYSTEM = "1.2.250.1.213.2.2"  # JDV_J59 contentTypeCode

CLASSES = {
    "10": "Compte rendu",
    "11": "Synthèse",
    "44": "Plan de soins, protocole de soins",
    "95": "Document de gestion",
}

# typeCode (JDV_J07) → (libellé, classCode)
TYPES = {
    "74207-2": ("Document de liaison d'urgence", "11"),
    "78341-5": ("Fiche de transfert vers le service des urgences", "11"),
    "60280-5": ("Fiche de retour du service des urgences", "10"),
    "80788-3": ("Projet personnalisé d'accompagnement", "44"),
    "34842-5": ("Grille d'évaluation médico-social", "10"),
    "88348-8": ("Lettre de liaison d'entrée en structure sociale ou médico-sociale", "10"),
    "83981-1": ("Lettre de liaison à la sortie d'une structure sociale ou médico-sociale", "10"),
    "28653-4": ("Document du secteur social / médico-social", "10"),
    "60591-5": ("Synthèse médicale", "11"),
    "18776-5": ("Plan personnalisé de soins", "44"),
    "11369-6": ("Historique des vaccinations", "11"),
}

FORMATS = {
    "urn:ihe:iti:xds-sd:pdf:2008": IHE_FORMAT,
    "urn:asip:ci-sis:dlu:2015": TRE_A06,
    "urn:asip:ci-sis:dlu:2024": TRE_A06,
    "urn:asip:ci-sis:fludt:2017": TRE_A06,
    "urn:asip:ci-sis:ft-su:2024": TRE_A06,
    "urn:asip:ci-sis:fludr:2017": TRE_A06,
    "urn:asip:ci-sis:ldl-ees:2017": TRE_A06,
    "urn:asip:ci-sis:ldl-ses:2017": TRE_A06,
    "urn:asip:ci-sis:export-dui:2023": TRE_A06,
}

# CDA model templateId → formatCode (ASS_A11)
FORMAT_PAR_TEMPLATE = {
    "1.2.250.1.213.1.1.1.22": "urn:asip:ci-sis:dlu:2015",
    "1.2.250.1.213.1.1.1.23": "urn:asip:ci-sis:fludt:2017",
    "1.2.250.1.213.1.1.1.24": "urn:asip:ci-sis:fludr:2017",
    "1.2.250.1.213.1.1.1.58": "urn:asip:ci-sis:export-dui:2023",
}
TEMPLATE_N1 = "1.3.6.1.4.1.19376.1.2.20"
FORMAT_N1 = "urn:ihe:iti:xds-sd:pdf:2008"

SECTEURS = {
    "SA16": "Etablissement pour personnes handicapées",
    "SA17": "Etablissement pour personnes âgées",
    "SA18": "Aide à la famille",
    "SA20": "Protection de l'enfance",
    "SA21": "Hébergement et réadaptation",
    "SA41": "Autre établissement du domaine social ou médico-social",
}

PRATIQUES = {
    "ESSMS": "Etablissement ou Service Social ou Médico-Social",
    "ETABLISSEMENT": "Etablissement de santé",
    "MAD": "Maintien à domicile",
    "SAD": "Soins à domicile",
    "AMBULATOIRE": "Ambulatoire",
}

CONFIDENTIALITES = {"N": "Normal", "R": "Restreint", "V": "Très restreint"}


def type_code(code: str) -> Code:
    return Code(code, LOINC, TYPES[code][0])


def class_code_for(type_: str) -> Code:
    classe = TYPES[type_][1]
    return Code(classe, TRE_A03, CLASSES[classe])


def format_code(code: str) -> Code:
    return Code(code, FORMATS[code], code)
