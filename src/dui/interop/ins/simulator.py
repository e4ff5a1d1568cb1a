"""A protocol-faithful INSi simulator: the same SOAP 1.2 operations, on loopback.

The register holds synthetic identities (test OIDs, never the production NIR OID) and, when
the project's reference folder is beside the checkout, the INSi test identities and the
responses recorded from the INSi test platform (`shared/reference/official/insi/`).
Special birth names trigger failures: ERREUR-TECHNIQUE → SOAP fault; INDISPONIBLE → HTTP 503.
"""

from __future__ import annotations

import csv
import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from django.conf import settings

from dui.interop.ins import soap
from dui.interop.ins.matricule import OID_INS_NIA, OID_INS_NIR_TEST, cle
from dui.interop.ins.schemas import (
    CR_AUCUNE,
    CR_OK,
    CR_PLUSIEURS,
    INS,
    CarteVitale,
    ResultatINSi,
    TraitsINS,
    TraitsRecherche,
)
from dui.interop.loopback import LoopbackServer

logger = logging.getLogger("dui.interop.simulator")

FAULT_NAME = "ERREUR TECHNIQUE"  # as folded: "Erreur-Technique" works too
UNAVAILABLE_NAME = "INDISPONIBLE"


def fold(text: str) -> str:
    """INSi-style comparison form: no accents, upper case, hyphens/apostrophes as spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return re.sub(r"\s+", " ", re.sub(r"[-'’]", " ", text)).strip()


def insi_form(text: str) -> str:
    """How INSi writes a trait: upper case without diacritics; hyphens and apostrophes kept
    (the recorded answers show "PIERRE-ALAIN")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


@dataclass
class IdentiteSimulee:
    ins: INS
    traits: TraitsINS
    historique: list[INS] = field(default_factory=list)
    nir_ouvrant_droit: str = ""  # for children on a parent's carte Vitale
    rang_naissance: int = 1

    def matches(self, criteria: TraitsRecherche) -> bool:
        t = self.traits
        if fold(criteria.nom_naissance) != fold(t.nom_naissance):
            return False
        if criteria.sexe != t.sexe or criteria.date_naissance != t.date_naissance:
            return False
        if criteria.lieu_naissance and criteria.lieu_naissance.upper() != t.lieu_naissance:
            return False
        asked = fold(criteria.prenom).split(" ")
        prenoms = fold(t.liste_prenoms).split(" ")
        # The first name asked is the first birth first name, or the list (or its start).
        return bool(asked) and prenoms[: len(asked)] == asked


def _synthetic(
    sexe: str,
    nom: str,
    prenoms: str,
    naissance: str,
    lieu: str,
    ordre: str,
    *,
    oid: str = OID_INS_NIR_TEST,
    historique: list[INS] | None = None,
    nir_ouvrant_droit: str = "",
) -> IdentiteSimulee:
    date = datetime.date.fromisoformat(naissance)
    numero = f"{1 if sexe == 'M' else 2}{date:%y}{date:%m}{lieu}{ordre}"
    if oid == OID_INS_NIA:
        numero = "7" + numero[1:]
    return IdentiteSimulee(
        ins=INS(numero=numero, cle=f"{cle(numero):02d}", oid=oid),
        traits=TraitsINS(insi_form(nom), insi_form(prenoms), sexe, date, lieu),
        historique=historique or [],
        nir_ouvrant_droit=nir_ouvrant_droit,
    )


def synthetic_register() -> list[IdentiteSimulee]:
    """Identities of our own making that cover every case the INSi client must handle."""
    ancien = INS(
        "2350375056123",
        f"{cle('2350375056123'):02d}",
        OID_INS_NIR_TEST,
        datetime.date(1935, 3, 1),
        datetime.date(2019, 2, 28),
    )
    parent = _synthetic("F", "Moreau", "Sophie", "1985-09-14", "69123", "044")
    return [
        _synthetic("F", "Martin-Durand", "Hélène Marie Thérèse", "1941-05-03", "69123", "012"),
        _synthetic("M", "Le Goff", "Jean-Pierre Yves", "1950-11-20", "29019", "233"),
        _synthetic("F", "N'Diaye", "Aminata", "1960-07-01", "99341", "101"),
        _synthetic("M", "Santoni", "Marc Antoine", "1939-01-15", "2A004", "078"),
        _synthetic("F", "Rossi", "Lucia", "1945-12-24", "2B033", "019"),
        _synthetic("F", "Bernard", "Louise", "1938-02-11", "75056", "301"),
        _synthetic("F", "Bernard", "Louise", "1938-02-11", "13055", "302"),
        _synthetic("M", "De Vinci", "Leonardo", "2014-02-01", "75056", "551"),
        _synthetic("M", "De Vinci", "Leonardo", "2014-02-01", "13055", "552"),
        _synthetic("F", "Petit", "Claude", "1935-03-18", "75056", "124", historique=[ancien]),
        _synthetic("F", "Kowalski", "Anna", "1990-04-02", "99122", "067", oid=OID_INS_NIA),
        parent,
        _synthetic(
            "M",
            "Moreau",
            "Lucas",
            "2012-06-30",
            "69123",
            "088",
            nir_ouvrant_droit=parent.ins.matricule,
        ),
    ]


def _reference_dir() -> Path | None:
    configured = getattr(settings, "INSI_SIMULATOR_REFERENCE", "")
    path = Path(configured) if configured else settings.ROOT_DIR.parent / "shared" / "reference"
    path = path / "official" / "insi"
    return path if path.is_dir() else None


def reference_register() -> list[IdentiteSimulee]:
    """The INSi test identities of the reference folder, when it is there."""
    folder = _reference_dir()
    if folder is None:
        return []
    found: dict[str, IdentiteSimulee] = {}
    csv_path = folder / "insi_test_identities.csv"
    if csv_path.exists():
        with csv_path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                matricule = row.get("registrationNumber(NIR+cle)", "")
                if len(matricule) != 15 or not row.get("allFirstNames"):
                    continue
                found[matricule] = IdentiteSimulee(
                    ins=INS(matricule[:13], matricule[13:], row["oid"]),
                    traits=TraitsINS(
                        row["birthName"],
                        row["allFirstNames"],
                        "F" if row["gender"] == "Female" else "M",
                        datetime.date.fromisoformat(row["dateOfBirth"]),
                        row["placeOfBirthCode"],
                    ),
                )
    # Recorded answers carry the history (INSHISTO) and the NIA case.
    for xml_path in sorted((folder / "padoa-tlsi-ins-fixtures-xml").glob("*.xml")):
        resultat = soap.parse_response(xml_path.read_bytes())
        if resultat.ins and resultat.traits:
            found[resultat.ins.matricule] = IdentiteSimulee(
                resultat.ins, resultat.traits, list(resultat.historique)
            )
    return list(found.values())


class Register:
    def __init__(self, identities: list[IdentiteSimulee]) -> None:
        self.identities = identities

    @classmethod
    def default(cls) -> Register:
        return cls(reference_register() + synthetic_register())

    def answer(self, criteria: TraitsRecherche | CarteVitale) -> ResultatINSi:
        if isinstance(criteria, CarteVitale):
            found = [
                i
                for i in self.identities
                if (criteria.nir_individu and i.ins.matricule == criteria.nir_individu)
                or (
                    not criteria.nir_individu
                    and criteria.nir_ouvrant_droit in (i.ins.matricule, i.nir_ouvrant_droit)
                    and i.traits.date_naissance == criteria.date_naissance
                    and i.rang_naissance == criteria.rang_naissance
                )
            ]
        else:
            found = [i for i in self.identities if i.matches(criteria)]
        if not found:
            return ResultatINSi(CR_AUCUNE, "Aucune identite trouvee")
        if len(found) > 1:
            return ResultatINSi(CR_PLUSIEURS, "Plusieurs identites trouvees")
        one = found[0]
        return ResultatINSi(CR_OK, "OK", one.ins, one.traits, list(one.historique))


class _Handler(BaseHTTPRequestHandler):
    server: INSiSimulator

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("INSi simulé : " + format, *args)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", soap.CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        self.server.requests.append(data)
        try:
            action, criteria = soap.parse_request(data)
        except soap.MalformedMessage as exc:
            self._send(400, soap.build_fault("INSI_REQ_INVALIDE", f"Requête invalide : {exc}"))
            return
        expected = soap.ACTION_VITALE if isinstance(criteria, CarteVitale) else soap.ACTION_TRAITS
        if action != expected:
            self._send(400, soap.build_fault("INSI_ACTION", f"wsa:Action inattendue : {action}"))
            return
        nom = fold(criteria.nom_naissance)
        if nom == UNAVAILABLE_NAME:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if nom == FAULT_NAME:
            self._send(
                500,
                soap.build_fault(
                    "INSI_ERR_TECHNIQUE", "Erreur technique du téléservice", sender=False
                ),
            )
            return
        self._send(200, soap.build_response(self.server.register.answer(criteria)))


class INSiSimulator(LoopbackServer):
    nom = "simulateur INSi"

    def __init__(
        self,
        address: tuple[str, int] = ("127.0.0.1", 0),
        *,
        register: Register | None = None,
        certfile: str = "",
        keyfile: str = "",
        client_ca: str = "",
    ) -> None:
        super().__init__(address, _Handler, certfile=certfile, keyfile=keyfile, client_ca=client_ca)
        self.register = register or Register.default()
        self.requests: list[bytes] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/lps"
