"""A protocol-faithful DMP simulator on loopback: the repository (ITI-41, ITI-43) and the
registry (ITI-18) endpoints over SOAP 1.2/MTOM with mutual TLS, checking the VIHF.

It keeps documents per INS, answers queries and retrievals, deprecates a replaced entry,
honours the visibility flags, and refuses what the DMP refuses: unknown INS or person
without DMP (XDSUnknownPatientId), opposition (DMPOpposition), closed DMP (DMPFerme),
inconsistent patient ids (XDSPatientIdDoesNotMatch), metadata outside the value sets
(XDSRegistryMetadataError), hash or size differing from the document
(XDSRepositoryMetadataError), malformed uniqueId (XDSDocumentUniqueIdError), another
content under a known uniqueId (XDSNonIdenticalHash), missing document (XDSMissingDocument),
and a missing, unsigned, untrusted or expired VIHF (SOAP fault wsse:*). Outages can be
injected (`disponible`, `taux_panne_avant`, `taux_panne_apres`). The same document
sent again (same uniqueId and hash) is answered XDSDuplicateUniqueIdInRegistry and not
stored twice: `registre.recus` counts the documents stored once.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import random
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from dui.interop.dmp import codes, soap
from dui.interop.dmp import metadata as md
from dui.interop.dmp.entete import lire_entete
from dui.interop.dmp.errors import DUPLICATE, ErreurRegistre
from dui.interop.dmp.vihf import VIHFInvalide, VIHFLu, verify_assertion
from dui.interop.dmp.xml import NS, MalformedMessage
from dui.interop.ins.matricule import cle
from dui.interop.loopback import LoopbackServer

logger = logging.getLogger("dui.interop.simulator")

REPOSITORY_ID = "1.2.250.1.213.4.1.1.99"  # the simulator's repositoryUniqueId
INS_OIDS = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"}
UNIQUE_ID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+(\^[A-Za-z0-9.\-_]{1,16})?$")
ROLE_PATIENT = "PATIENT"
ROLE_REPRESENTANT = "REPRESENTANT_LEGAL"


@dataclass
class DocumentStocke:
    fiche: md.FicheDocument
    contenu: bytes
    recu_le: datetime.datetime


@dataclass
class Registre:
    """The DMP's state. A DMP exists for every well-formed INS (test OIDs) except those in
    `sans_dmp`; `oppositions` and `fermes` hold persons whose DMP refuses feeding."""

    documents: dict[str, DocumentStocke] = field(default_factory=dict)  # uniqueId ->
    par_entree: dict[str, str] = field(default_factory=dict)  # entryUUID -> uniqueId
    sans_dmp: set[str] = field(default_factory=set)
    oppositions: set[str] = field(default_factory=set)
    fermes: set[str] = field(default_factory=set)
    recus: int = 0  # documents stored (each once)
    doublons: int = 0  # resends answered "already received"
    depots: int = 0  # ITI-41 requests processed
    lock: threading.Lock = field(default_factory=threading.Lock)

    def patient(self, cx: str) -> ErreurRegistre | None:
        matricule, oid = md.parse_cx(cx)
        if oid not in INS_OIDS or len(matricule) != 15:
            return ErreurRegistre("XDSUnknownPatientId", "INS absent ou de type non accepté")
        try:
            valid = cle(matricule[:13]) == int(matricule[13:])
        except ValueError:
            valid = False
        if not valid or matricule in self.sans_dmp:
            return ErreurRegistre("XDSUnknownPatientId", "aucun DMP pour cet INS")
        if matricule in self.oppositions:
            return ErreurRegistre("DMPOpposition")
        if matricule in self.fermes:
            return ErreurRegistre("DMPFerme")
        return None

    def de_patient(self, cx: str) -> list[DocumentStocke]:
        return [d for d in self.documents.values() if d.fiche.patient_id == cx]


def _visible(fiche: md.FicheDocument, vihf: VIHFLu) -> bool:
    if (
        md.MASQUE_PS in fiche.visibilites
        and vihf.identifiant_structure != fiche.auteur.institution_id
    ):
        return False  # masked from professionals, except the author's structure
    if md.INVISIBLE_PATIENT in fiche.visibilites and ROLE_PATIENT in vihf.roles:
        return False
    return not (
        md.INVISIBLE_REPRESENTANTS_LEGAUX in fiche.visibilites and ROLE_REPRESENTANT in vihf.roles
    )


def _check_metadata(fiche: md.FicheDocument) -> list[ErreurRegistre]:
    problems = []
    if fiche.type_code.code not in codes.TYPES:
        problems.append(f"typeCode {fiche.type_code.code} hors JDV")
    elif codes.TYPES[fiche.type_code.code][1] != fiche.class_code.code:
        problems.append("classCode incohérent avec typeCode")
    if fiche.class_code.code not in codes.CLASSES:
        problems.append("classCode hors JDV")
    if codes.FORMATS.get(fiche.format_code.code) != fiche.format_code.systeme:
        problems.append("formatCode hors JDV")
    if fiche.confidentialite.code not in codes.CONFIDENTIALITES:
        problems.append("confidentialityCode hors JDV")
    if fiche.healthcare_facility_type.code not in codes.SECTEURS:
        problems.append("healthcareFacilityTypeCode hors JDV")
    if fiche.practice_setting.code not in codes.PRATIQUES:
        problems.append("practiceSettingCode hors JDV")
    if any(v not in md.VISIBILITES for v in fiche.visibilites):
        problems.append("code de visibilité inconnu")
    for label, value in (
        ("creationTime", fiche.creation_time),
        ("title", fiche.titre),
        ("languageCode", fiche.langue),
        ("sourcePatientId", fiche.source_patient_id),
        ("authorPerson", fiche.auteur.identifiant),
        ("authorInstitution", fiche.auteur.institution_id),
    ):
        if not value:
            problems.append(f"{label} absent")
    if fiche.mime_type != "text/xml":
        problems.append("mimeType attendu : text/xml")
    if fiche.creation_time and not re.fullmatch(r"\d{8}(\d{6})?", fiche.creation_time):
        problems.append("creationTime illisible")
    return [ErreurRegistre("XDSRegistryMetadataError", p) for p in problems]


class _Handler(BaseHTTPRequestHandler):
    server: DMPSimulator

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("DMP simulé : " + format, *args)

    def _send(self, status: int, body: bytes, content_type: str = soap.SOAP_CT) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _unavailable(self) -> None:
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _fault(self, subcode: str, reason: str, *, status: int = 400) -> None:
        code = "soap:Sender" if status < 500 else "soap:Receiver"
        self._send(status, soap.fault(code, subcode, reason))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        if not self.server.disponible or self.server.panne("avant"):
            self._unavailable()
            return
        try:
            message = soap.read(data, self.headers.get("Content-Type", ""))
        except (MalformedMessage, soap.SoapFault) as exc:
            self._fault("MalformedMessage", f"Requête invalide : {exc}")
            return
        routes = {
            ("/repository", soap.ACTION_ITI41): self._iti41,
            ("/repository", soap.ACTION_ITI43): self._iti43,
            ("/registry", soap.ACTION_ITI18): self._iti18,
        }
        handler = routes.get((self.path, message.action))
        if handler is None:
            self._fault("wsa:ActionNotSupported", f"Action non prise en charge : {message.action}")
            return
        try:
            vihf = verify_assertion(
                message.root.find("soap:Header/wsse:Security/saml:Assertion", NS),
                ca_pem_file=self.server.vihf_ca,
            )
        except VIHFInvalide as exc:
            self._fault(exc.code, f"VIHF refusé : {exc.message}")
            return
        handler(message, vihf)

    # --- ITI-41 ---------------------------------------------------------------------

    def _iti41(self, message: soap.MessageLu, vihf: VIHFLu) -> None:
        registre = self.server.registre
        request = message.body.find("xdsb:ProvideAndRegisterDocumentSetRequest", NS)
        if request is None:
            self._fault("MalformedMessage", "ProvideAndRegisterDocumentSetRequest attendu")
            return
        erreurs: list[ErreurRegistre] = []
        fiches: list[md.FicheDocument] = []
        try:
            lot = md.lire_lot(request)
            for eo in request.iterfind(".//rim:ExtrinsicObject", NS):
                fiches.append(md.lire_fiche(eo))
        except md.MetadonneesInvalides as exc:
            self._send(
                200,
                soap.iti41_response(
                    soap.FAILURE, [ErreurRegistre("XDSRegistryMetadataError", str(exc))]
                ),
            )
            return
        contenus: dict[str, bytes] = {}
        try:
            for document in request.iterfind("xdsb:Document", NS):
                contenus[document.get("id", "")] = message.include(document)
        except (MalformedMessage, ValueError) as exc:
            self._fault("MalformedMessage", f"Pièce jointe illisible : {exc}")
            return
        associations = md.lire_associations(request)
        remplacements = {s: t for kind, s, t in associations if kind == md.RPLC}
        with registre.lock:
            registre.depots += 1
            if not fiches:
                erreurs.append(ErreurRegistre("XDSRegistryMetadataError", "aucun document"))
            if lot.patient_id != vihf.patient_ins:
                erreurs.append(ErreurRegistre("XDSPatientIdDoesNotMatch", "patient du VIHF"))
            if (e := registre.patient(lot.patient_id)) is not None:
                erreurs.append(e)
            duplicates = 0
            for fiche in fiches:
                if fiche.patient_id != lot.patient_id:
                    erreurs.append(ErreurRegistre("XDSPatientIdDoesNotMatch", fiche.entry_uuid))
                erreurs += _check_metadata(fiche)
                if fiche.auteur.institution_id != vihf.identifiant_structure:
                    erreurs.append(
                        ErreurRegistre(
                            "XDSRegistryMetadataError",
                            "authorInstitution différente de la structure authentifiée",
                        )
                    )
                if not UNIQUE_ID.match(fiche.unique_id) or len(fiche.unique_id) > 64:
                    erreurs.append(ErreurRegistre("XDSDocumentUniqueIdError", fiche.unique_id))
                contenu = contenus.get(fiche.entry_uuid)
                if contenu is None:
                    erreurs.append(ErreurRegistre("XDSMissingDocument", fiche.entry_uuid))
                    continue
                digest = hashlib.sha1(contenu).hexdigest()  # noqa: S324 - XDS hash
                if fiche.hash_sha1.lower() != digest:
                    erreurs.append(ErreurRegistre("XDSRepositoryMetadataError", "hash différent"))
                if fiche.taille != len(contenu):
                    erreurs.append(ErreurRegistre("XDSRepositoryMetadataError", "size différente"))
                erreurs += self._check_cda(contenu, fiche)
                known = registre.documents.get(fiche.unique_id)
                if known is not None:
                    if known.fiche.hash_sha1 == digest:
                        erreurs.append(ErreurRegistre(DUPLICATE, fiche.unique_id))
                        duplicates += 1
                    else:
                        erreurs.append(ErreurRegistre("XDSNonIdenticalHash", fiche.unique_id))
                cible = remplacements.get(fiche.entry_uuid)
                if cible:
                    target = registre.documents.get(registre.par_entree.get(cible, ""))
                    if target is None or target.fiche.statut != md.APPROVED:
                        erreurs.append(
                            ErreurRegistre(
                                "XDSRegistryMetadataError",
                                "document à remplacer inconnu ou déjà remplacé",
                            )
                        )
                    elif target.fiche.patient_id != fiche.patient_id:
                        erreurs.append(ErreurRegistre("XDSPatientIdDoesNotMatch", cible))
            if duplicates and len(erreurs) == duplicates:
                registre.doublons += duplicates
            if erreurs:
                self._send(200, soap.iti41_response(soap.FAILURE, erreurs))
                return
            now = datetime.datetime.now(datetime.UTC)
            for fiche in fiches:
                stored = fiche.with_(repository_unique_id=REPOSITORY_ID, statut=md.APPROVED)
                registre.documents[fiche.unique_id] = DocumentStocke(
                    stored, contenus[fiche.entry_uuid], now
                )
                registre.par_entree[fiche.entry_uuid] = fiche.unique_id
                registre.recus += 1
                cible = remplacements.get(fiche.entry_uuid)
                if cible:
                    target = registre.documents[registre.par_entree[cible]]
                    target.fiche = target.fiche.with_(statut=md.DEPRECATED)
        if self.server.panne("apres"):
            # Stored, but the answer is lost: the sender sees an outage and sends again.
            self._unavailable()
            return
        self._send(200, soap.iti41_response(soap.SUCCESS, []))

    def _check_cda(self, contenu: bytes, fiche: md.FicheDocument) -> list[ErreurRegistre]:
        try:
            entete = lire_entete(contenu)
        except (MalformedMessage, ValueError):
            return [ErreurRegistre("XDSRepositoryMetadataError", "document CDA illisible")]
        matricule, oid = md.parse_cx(fiche.patient_id)
        if (oid, matricule) not in entete.patient_ids:
            return [ErreurRegistre("XDSPatientIdDoesNotMatch", "INS absent du document CDA")]
        if not entete.traits_ins_complets:
            return [ErreurRegistre("XDSRegistryMetadataError", "traits INS absents du CDA")]
        if entete.unique_id != fiche.unique_id:
            return [ErreurRegistre("XDSDocumentUniqueIdError", "uniqueId ≠ id du CDA")]
        return []

    # --- ITI-18 ---------------------------------------------------------------------

    def _iti18(self, message: soap.MessageLu, vihf: VIHFLu) -> None:
        adhoc = message.body.find("query:AdhocQueryRequest/rim:AdhocQuery", NS)
        if adhoc is None:
            self._fault("MalformedMessage", "AdhocQueryRequest attendu")
            return
        params = {
            s.get("name", ""): [v.text or "" for v in s.iterfind("rim:ValueList/rim:Value", NS)]
            for s in adhoc.iterfind("rim:Slot", NS)
        }
        registre = self.server.registre
        with registre.lock:
            if adhoc.get("id") == soap.FIND_DOCUMENTS:
                patients = [
                    v
                    for raw in params.get("$XDSDocumentEntryPatientId", [])
                    for v in soap.unquote_list(raw)
                ]
                statuts = [
                    v
                    for raw in params.get("$XDSDocumentEntryStatus", [])
                    for v in soap.unquote_list(raw)
                ]
                if len(patients) != 1 or not statuts:
                    self._query_error(ErreurRegistre("XDSStoredQueryParamNumber"))
                    return
                patient = patients[0]
                if patient != vihf.patient_ins:
                    self._query_error(ErreurRegistre("XDSPatientIdDoesNotMatch", "patient du VIHF"))
                    return
                if (e := registre.patient(patient)) is not None:
                    self._query_error(e)
                    return
                fiches = [
                    d.fiche
                    for d in registre.de_patient(patient)
                    if d.fiche.statut in statuts and _visible(d.fiche, vihf)
                ]
            elif adhoc.get("id") == soap.GET_DOCUMENTS:
                ids = [
                    v
                    for raw in params.get("$XDSDocumentEntryUniqueId", [])
                    for v in soap.unquote_list(raw)
                ]
                if not ids:
                    self._query_error(ErreurRegistre("XDSStoredQueryParamNumber"))
                    return
                found = [registre.documents[i].fiche for i in ids if i in registre.documents]
                fiches = [
                    f for f in found if f.patient_id == vihf.patient_ins and _visible(f, vihf)
                ]
            else:
                self._query_error(ErreurRegistre("XDSUnknownStoredQuery", adhoc.get("id", "")))
                return
        fiches.sort(key=lambda f: f.creation_time, reverse=True)
        self._send(200, soap.iti18_response(soap.SUCCESS, fiches, []))

    def _query_error(self, erreur: ErreurRegistre) -> None:
        self._send(200, soap.iti18_response(soap.FAILURE, [], [erreur]))

    # --- ITI-43 ---------------------------------------------------------------------

    def _iti43(self, message: soap.MessageLu, vihf: VIHFLu) -> None:
        requests = message.body.findall("xdsb:RetrieveDocumentSetRequest/xdsb:DocumentRequest", NS)
        if not requests:
            self._fault("MalformedMessage", "RetrieveDocumentSetRequest attendu")
            return
        registre = self.server.registre
        documents = []
        erreurs = []
        with registre.lock:
            for r in requests:
                repository = r.findtext("xdsb:RepositoryUniqueId", "", NS)
                unique_id = r.findtext("xdsb:DocumentUniqueId", "", NS)
                if repository != REPOSITORY_ID:
                    erreurs.append(ErreurRegistre("XDSUnknownRepositoryId", repository))
                    continue
                stored = registre.documents.get(unique_id)
                if (
                    stored is None
                    or stored.fiche.patient_id != vihf.patient_ins
                    or not _visible(stored.fiche, vihf)
                ):
                    erreurs.append(ErreurRegistre("XDSDocumentUniqueIdError", unique_id))
                    continue
                documents.append((repository, unique_id, stored.fiche.mime_type, stored.contenu))
        if erreurs and documents:
            status = soap.PARTIAL
        else:
            status = soap.FAILURE if erreurs else soap.SUCCESS
        body, content_type = soap.iti43_response(status, documents, erreurs)
        self._send(200, body, content_type)


class DMPSimulator(LoopbackServer):
    nom = "simulateur DMP"

    def __init__(
        self,
        address: tuple[str, int] = ("127.0.0.1", 0),
        *,
        registre: Registre | None = None,
        certfile: str = "",
        keyfile: str = "",
        client_ca: str = "",
        vihf_ca: str = "",
    ) -> None:
        super().__init__(address, _Handler, certfile=certfile, keyfile=keyfile, client_ca=client_ca)
        self.registre = registre if registre is not None else Registre()
        self.disponible = True
        # Fault injection (benchmarks, tests): share of requests answered 503 before being
        # processed, and share of accepted submissions whose answer is lost (503 after
        # storing): a faithful sender retries both without creating a duplicate.
        self.taux_panne_avant = 0.0
        self.taux_panne_apres = 0.0
        self._rng = random.Random(20261122)  # noqa: S311 - fault injection, not security
        self._rng_lock = threading.Lock()
        self.vihf_ca = vihf_ca or client_ca
        if not self.vihf_ca:
            raise ValueError("Le simulateur DMP vérifie le VIHF : indiquez l'AC de confiance.")

    def panne(self, moment: str) -> bool:
        rate = self.taux_panne_avant if moment == "avant" else self.taux_panne_apres
        if rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    @property
    def repository_url(self) -> str:
        return f"{self.base_url}/repository"

    @property
    def registry_url(self) -> str:
        return f"{self.base_url}/registry"
