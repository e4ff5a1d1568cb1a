"""Errors of the DMP client: technical (retry later) or business refusals (do not retry).

Registry error codes are the IHE XDS.b ones (ITI TF-3 4.2.4.1) plus the WS-Security fault
codes for the VIHF; the DMP-specific refusals (opposition, no DMP) use DMP-style names
[UNCONFIRMED: the exact DMP codes are in the DMP integration guide, not public].
"""

from __future__ import annotations

from dataclasses import dataclass

# Codes whose meaning is "the DMP refuses this": never retried.
MESSAGES = {
    "XDSUnknownPatientId": "Cette personne n'a pas de DMP (INS inconnu du DMP).",
    "XDSPatientIdDoesNotMatch": "L'INS du document ne correspond pas à celui de l'envoi.",
    "XDSRegistryMetadataError": "Métadonnées du document refusées par le DMP.",
    "XDSRepositoryMetadataError": "Métadonnées du document refusées par l'entrepôt du DMP.",
    "XDSDocumentUniqueIdError": "Identifiant unique du document refusé par le DMP.",
    "XDSNonIdenticalHash": "Un autre contenu a déjà été déposé avec le même identifiant.",
    "XDSMissingDocument": "Le document annoncé est absent de l'envoi.",
    "XDSMissingDocumentMetadata": "Les métadonnées d'un document joint sont absentes.",
    "XDSUnknownRepositoryId": "Entrepôt de documents inconnu du DMP.",
    "XDSDuplicateUniqueIdInRegistry": "Ce document a déjà été reçu par le DMP.",
    "XDSUnknownStoredQuery": "Requête inconnue du DMP.",
    "XDSStoredQueryParamNumber": "Paramètres de recherche invalides.",
    "DMPOpposition": "La personne s'est opposée à son DMP : envoi et consultation refusés.",
    "DMPFerme": "Le DMP de cette personne est fermé.",
    "DMPAccesInterdit": "Accès refusé par le DMP pour ce professionnel.",
    "wsse:InvalidSecurity": "Jeton d'identification (VIHF) absent ou non signé.",
    "wsse:FailedAuthentication": "Signature du jeton VIHF invalide ou certificat non reconnu.",
    "wsse:InvalidSecurityToken": "Jeton VIHF expiré ou incomplet.",
}

DUPLICATE = "XDSDuplicateUniqueIdInRegistry"


@dataclass(frozen=True)
class ErreurRegistre:
    code: str
    contexte: str = ""
    severite: str = "Error"

    @property
    def message(self) -> str:
        base = MESSAGES.get(self.code, f"Erreur du DMP ({self.code}).")
        return f"{base} {self.contexte}".strip() if self.contexte else base


class DMPErreur(Exception):
    """Anything that prevented a DMP transaction from succeeding."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DMPErreurTechnique(DMPErreur):
    """The DMP could not be reached or answered something unreadable: retry later."""


class DMPRefus(DMPErreur):
    """The DMP answered and refused (metadata, patient, consent, security): do not retry."""

    def __init__(self, erreurs: list[ErreurRegistre]) -> None:
        self.erreurs = erreurs
        super().__init__(" ".join(e.message for e in erreurs) or "Refus du DMP.")

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.erreurs]
