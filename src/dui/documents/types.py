"""Document types: a subset of the CI-SIS XDS typeCode value set (JDV_J07_XdsTypeCode_CISIS,
OID 1.2.250.1.213.1.1.5.471), with the policy category needed to read each type.

Codes and labels are those of the value set (LOINC 2.16.840.1.113883.6.1 or the ASIP
terminology 1.2.250.1.213.1.1.4.12). The category decides who reads a document: a medical
letter needs the `medical` category, a care prescription `soins`, an identity card
`administratif`. An unknown code (a received document with an unlisted type) is treated as
medical, the most protected category, so an unexpected type never widens access.
"""

from __future__ import annotations

from dataclasses import dataclass

LOINC = "2.16.840.1.113883.6.1"
ASIP = "1.2.250.1.213.1.1.4.12"
VALUE_SET_OID = "1.2.250.1.213.1.1.5.471"

A, S, E, SO, M = "administratif", "social", "educatif", "soins", "medical"


@dataclass(frozen=True)
class TypeDocument:
    code: str
    systeme: str
    libelle: str
    categorie: str
    # Offered in the upload form (generated-only types are not).
    televersable: bool = True


TYPES: tuple[TypeDocument, ...] = (
    # Medical.
    TypeDocument("57833-6", LOINC, "Prescription de produits de santé", M),
    TypeDocument("57828-6", LOINC, "Prescription (autre)", M),
    TypeDocument("11488-4", LOINC, "CR ou fiche de consultation ou de visite", M),
    TypeDocument("34112-3", LOINC, "CR hospitalier (séjour)", M),
    TypeDocument("11502-2", LOINC, "CR d'examens biologiques", M),
    TypeDocument("18748-4", LOINC, "CR d'imagerie médicale", M),
    TypeDocument("15507-7", LOINC, "CR de passage aux urgences", M),
    TypeDocument("60280-5", LOINC, "Fiche de retour du service des urgences", SO),
    TypeDocument("78341-5", LOINC, "Fiche de transfert vers le service des urgences", SO),
    TypeDocument("74207-2", LOINC, "Document de liaison d'urgence", SO),
    TypeDocument("11490-0", LOINC, "Lettre de liaison à la sortie d'un établissement de soins", M),
    TypeDocument(
        "18761-7",
        LOINC,
        "Note de transfert (dont lettre de liaison à l'entrée en établissement de soins)",
        M,
    ),
    TypeDocument("96349-6", LOINC, "Lettre d'adressage", M),
    TypeDocument("60591-5", LOINC, "Synthèse médicale", M),
    TypeDocument("34133-9", LOINC, "Synthèse d'épisode de soins", M),
    TypeDocument("89601-9", LOINC, "Certificat médical", M),
    TypeDocument("83901-9", LOINC, "Bilan psychologique", M),
    TypeDocument("11369-6", LOINC, "Historique des vaccinations", M),
    TypeDocument("EXPPAT_3", ASIP, "Directives anticipées", M),
    TypeDocument("PROT_ALD", ASIP, "Protocole de soins ALD", M),
    # Care.
    TypeDocument("57832-8", LOINC, "Prescription de soins", SO),
    TypeDocument("PRESC-INF", ASIP, "Prescription d'actes infirmiers", SO),
    TypeDocument("PRESC-KINE", ASIP, "Prescription d'actes de kinésithérapie", SO),
    TypeDocument("11506-3", LOINC, "CR ou fiche de suivi de soins par auxiliaire médical", SO),
    TypeDocument("18776-5", LOINC, "Plan personnalisé de soins", SO),
    TypeDocument("47420-5", LOINC, "CR de bilan fonctionnel", SO),
    TypeDocument("BIL_AUTO", ASIP, "CR de bilan d'évaluation de la perte d'autonomie", SO),
    TypeDocument("34842-5", LOINC, "Grille d'évaluation médico-social", SO),
    TypeDocument(
        "88348-8", LOINC, "Lettre de liaison d'entrée en structure sociale ou médico-sociale", M
    ),
    TypeDocument(
        "83981-1",
        LOINC,
        "Lettre de liaison à la sortie d'une structure sociale ou médico-sociale",
        M,
    ),
    # Social / educational support.
    TypeDocument("80788-3", LOINC, "Projet personnalisé d'accompagnement", E),
    TypeDocument("28653-4", LOINC, "Document du secteur social / médico-social", S),
    # Administrative.
    TypeDocument("PIECE-IDENTITE", ASIP, "Copie pièce d'identité", A),
    TypeDocument("ATTEST-DROITS-AM", ASIP, "Attestation de droits à l'assurance maladie", A),
    TypeDocument("ATTEST-ASS-COMPL", ASIP, "Attestation assurance complémentaire", A),
    TypeDocument("ATTEST-RESID", ASIP, "Attestation de résidence", A),
    TypeDocument("ATTEST-HEBGT", ASIP, "Attestation d'hébergement", A),
    TypeDocument("51851-4", LOINC, "Document administratif", A),
    TypeDocument("59284-0", LOINC, "Attestation de consentement", A),
    TypeDocument("86531-1", LOINC, "Attestation de sortie", A),
    TypeDocument("EXPPAT_1", ASIP, "Volontés et droits du patient", A),
    TypeDocument("CERT_DECL", ASIP, "Certificat, déclaration", A),
    TypeDocument("EXPORT_DUI", ASIP, "Export du Dossier Usager Informatisé", A, False),
)

# The urgences sheets (DLU volet: 74207-2 is the DLU and the FLUDR/FLUDT) go with the DLU tab,
# category soins: the night-shift carer who sends or receives the person must read them.

PAR_CODE: dict[str, TypeDocument] = {t.code: t for t in TYPES}

# Named codes used by the code (the document kinds of the sector's exchanges).
ORDONNANCE = "57833-6"
COMPTE_RENDU = "11488-4"
COURRIER = "96349-6"
PIECE_IDENTITE = "PIECE-IDENTITE"
FICHE_RETOUR_URGENCES = "60280-5"
FICHE_TRANSFERT_URGENCES = "78341-5"
PROJET_PERSONNALISE = "80788-3"
EVALUATION = "34842-5"
LETTRE_ENTREE = "88348-8"
LETTRE_SORTIE = "83981-1"


def categorie_du_type(code: str) -> str:
    """The policy category needed to read a document of this type (unknown: medical)."""
    t = PAR_CODE.get(code)
    return t.categorie if t else M


def libelle_du_type(code: str) -> str:
    t = PAR_CODE.get(code)
    return t.libelle if t else f"Type {code}"


def systeme_du_type(code: str) -> str:
    t = PAR_CODE.get(code)
    return t.systeme if t else LOINC


def choix_televersables() -> list[tuple[str, str]]:
    return sorted(
        ((t.code, t.libelle) for t in TYPES if t.televersable), key=lambda c: c[1].lower()
    )
