"""What the INSi teleservice is asked and answers, as plain data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TraitsRecherche:
    """Search criteria of rechercherInsAvecTraitsIdentite (RECSANSVITALE)."""

    nom_naissance: str
    prenom: str  # one first name, or several separated by spaces
    sexe: str  # "M" or "F"
    date_naissance: datetime.date
    lieu_naissance: str = ""  # code COG INSEE, optional


@dataclass(frozen=True)
class CarteVitale:
    """Criteria of rechercherInsAvecCarteVitale (RECVITALE), read from the card."""

    nir_ouvrant_droit: str
    nom_naissance: str
    date_naissance: datetime.date
    rang_naissance: int = 1
    nir_individu: str = ""


@dataclass(frozen=True)
class TraitsINS:
    """The five INS traits as INSi returns them (TIQ)."""

    nom_naissance: str
    liste_prenoms: str
    sexe: str
    date_naissance: datetime.date
    lieu_naissance: str

    @property
    def premier_prenom(self) -> str:
        return self.liste_prenoms.split(" ")[0] if self.liste_prenoms else ""


@dataclass(frozen=True)
class INS:
    numero: str  # 13 characters
    cle: str
    oid: str
    date_debut: datetime.date | None = None
    date_fin: datetime.date | None = None

    @property
    def matricule(self) -> str:
        return f"{self.numero}{self.cle}"


CR_OK = "00"
CR_AUCUNE = "01"
CR_PLUSIEURS = "02"


@dataclass(frozen=True)
class ResultatINSi:
    code_cr: str
    libelle_cr: str
    ins: INS | None = None
    traits: TraitsINS | None = None
    historique: list[INS] = field(default_factory=list)

    @property
    def trouve(self) -> bool:
        return self.code_cr == CR_OK and self.ins is not None


class INSiFault(Exception):
    """A SOAP fault from INSi (siram:Erreur): the request itself was refused."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} : {message}")
        self.code = code
        self.message = message
