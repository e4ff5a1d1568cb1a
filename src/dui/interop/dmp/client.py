"""Client of the DMP (Mon espace santé): IHE XDS.b over SOAP 1.2/MTOM, HTTPS with the
structure's certificate (mutual TLS through interop/http.py), the VIHF signed with the
structure's certificate. One function per transaction:

- ITI-41 `fournir_documents` (feed; replacement through an RPLC association),
- ITI-18 `rechercher_documents` (FindDocuments for a patient) and `lire_fiches`
  (GetDocuments),
- ITI-43 `recuperer_document`.

Errors: DMPErreurTechnique (retry later), DMPRefus (the DMP said no: do not retry).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from dataclasses import dataclass

from django.conf import settings

from dui.interop import http
from dui.interop.dmp import codes, soap
from dui.interop.dmp import metadata as md
from dui.interop.dmp.entete import EnteteCDA, lire_entete
from dui.interop.dmp.errors import DUPLICATE, DMPErreurTechnique, DMPRefus, ErreurRegistre
from dui.interop.dmp.vihf import ContexteVIHF, Signataire, build_assertion
from dui.interop.dmp.xml import NS, MalformedMessage

# Registry errors that mean "try again later" rather than "no" (IHE ITI TF-3 4.2.4.1).
TECHNIQUES = {
    "XDSRegistryError",
    "XDSRepositoryError",
    "XDSRegistryBusy",
    "XDSRepositoryBusy",
    "XDSRegistryOutOfResources",
    "XDSRepositoryOutOfResources",
}


@dataclass(frozen=True)
class DMPConfig:
    repository: http.Endpoint
    registry: http.Endpoint
    signataire: Signataire | None
    source_id: str = "2.25.1"
    lps_nom: str = "dossier-usager"
    lps_version: str = "0.1"
    lps_homologation: str = ""

    @property
    def configure(self) -> bool:
        return bool(self.repository.url and self.registry.url)

    @classmethod
    def from_settings(cls) -> DMPConfig:
        conf = getattr(settings, "DMP", None) or _env_settings()

        def endpoint(url: str) -> http.Endpoint:
            return http.Endpoint(
                url=url,
                cert_file=conf.get("CERT_FILE", ""),
                key_file=conf.get("KEY_FILE", ""),
                ca_file=conf.get("CA_FILE", ""),
                timeout_seconds=float(conf.get("TIMEOUT_SECONDS", 30)),
            )

        sign_cert = conf.get("SIGN_CERT_FILE") or conf.get("CERT_FILE", "")
        sign_key = conf.get("SIGN_KEY_FILE") or conf.get("KEY_FILE", "")
        return cls(
            repository=endpoint(conf.get("REPOSITORY_URL", "")),
            registry=endpoint(conf.get("REGISTRY_URL", "")),
            signataire=Signataire.from_files(sign_cert, sign_key) if sign_cert else None,
            source_id=conf.get("SOURCE_ID", "2.25.1"),
            lps_homologation=conf.get("LPS_HOMOLOGATION", ""),
        )


ENV_KEYS = (
    "REPOSITORY_URL",
    "REGISTRY_URL",
    "CERT_FILE",
    "KEY_FILE",
    "CA_FILE",
    "SIGN_CERT_FILE",
    "SIGN_KEY_FILE",
    "TIMEOUT_SECONDS",
    "SOURCE_ID",
    "LPS_HOMOLOGATION",
)


def _env_settings() -> dict[str, str]:
    """DUI_DMP_* variables, read when settings.DMP is not defined."""
    return {
        key: os.environ.get(f"DUI_DMP_{key}", "")
        for key in ENV_KEYS
        if os.environ.get(f"DUI_DMP_{key}")
    }


def _assertion(config: DMPConfig, contexte: ContexteVIHF):  # type: ignore[no-untyped-def]
    if config.signataire is None:
        raise DMPErreurTechnique("Certificat de signature du VIHF non configuré (DUI_DMP_*).")
    return build_assertion(contexte, config.signataire)


def _exchange(
    endpoint: http.Endpoint, body: bytes, content_type: str, expected_action: str
) -> soap.MessageLu:
    if not endpoint.url:
        raise DMPErreurTechnique("Le DMP n'est pas configuré (DUI_DMP_REPOSITORY_URL).")
    try:
        response = http.post(endpoint, body, content_type=content_type, service="DMP")
    except http.ServiceUnavailable as exc:
        raise DMPErreurTechnique(f"DMP injoignable : {exc}") from exc
    try:
        message = soap.read(response.body, response.headers.get("Content-Type", ""))
    except soap.SoapFault as fault:
        if fault.code.endswith("Receiver") or response.status >= 500:
            raise DMPErreurTechnique(f"Erreur technique du DMP : {fault.reason}") from fault
        raise DMPRefus([ErreurRegistre(fault.subcode or fault.code, fault.reason)]) from fault
    except MalformedMessage as exc:
        raise DMPErreurTechnique(
            f"Réponse illisible du DMP (HTTP {response.status}) : {exc}"
        ) from exc
    if message.action and message.action != expected_action:
        raise DMPErreurTechnique(f"Réponse inattendue du DMP : {message.action}")
    return message


def _raise_for(status: str, erreurs: list[ErreurRegistre]) -> None:
    if status == soap.SUCCESS:
        return
    blocking = [e for e in erreurs if e.severite == "Error"] or erreurs
    if any(e.code in TECHNIQUES for e in blocking):
        raise DMPErreurTechnique(" ".join(e.message for e in blocking))
    raise DMPRefus(blocking or [ErreurRegistre("XDSRegistryError", "statut " + status)])


# --- ITI-41 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultatDepot:
    deja_recu: bool  # the DMP already had this uniqueId with the same content
    avertissements: list[ErreurRegistre]


def fournir_documents(
    soumission: soap.Soumission, contexte: ContexteVIHF, config: DMPConfig | None = None
) -> ResultatDepot:
    """ITI-41 Provide and Register Document Set-b.

    A resend of a document the DMP already holds (same uniqueId, same hash) is answered
    XDSDuplicateUniqueIdInRegistry: that is a success for the sender (idempotent retries)."""
    config = config or DMPConfig.from_settings()
    body, content_type = soap.iti41_request(
        soumission, _assertion(config, contexte), config.repository.url
    )
    message = _exchange(config.repository, body, content_type, soap.ACTION_ITI41 + soap.RESPONSE)
    response = message.body.find("rs:RegistryResponse", NS)
    if response is None:
        raise DMPErreurTechnique("Réponse du DMP sans RegistryResponse.")
    status, erreurs = soap.read_registry_response(response)
    errors = [e for e in erreurs if e.severite == "Error"]
    if status == soap.FAILURE and errors and all(e.code == DUPLICATE for e in errors):
        return ResultatDepot(deja_recu=True, avertissements=erreurs)
    _raise_for(status, erreurs)
    return ResultatDepot(deja_recu=False, avertissements=erreurs)


def _utc(value: str) -> str:
    """CDA TS (YYYYMMDDhhmmss[+zzzz]) → XDS DTM in UTC."""
    if not value:
        return ""
    digits = value[:14]
    offset = value[14:]
    formats = {14: "%Y%m%d%H%M%S", 12: "%Y%m%d%H%M", 8: "%Y%m%d"}
    try:
        moment = datetime.datetime.strptime(digits, formats[len(digits)])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"Date CDA illisible : {value}") from exc
    if len(digits) == 8:
        return digits
    if offset and offset[0] in "+-" and len(offset) == 5:
        sign = 1 if offset[0] == "+" else -1
        delta = datetime.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        moment -= sign * delta
    return moment.strftime("%Y%m%d%H%M%S")


def new_oid() -> str:
    """A globally unique OID (ITU-T X.667: 2.25 + the UUID as an integer)."""
    return f"2.25.{uuid.uuid4().int}"


@dataclass(frozen=True)
class Identifiants:
    ins_matricule: str
    ins_oid: str
    ipp: str = ""
    ipp_oid: str = ""

    @property
    def patient_cx(self) -> str:
        return md.patient_cx(self.ins_matricule, self.ins_oid)

    @property
    def source_cx(self) -> str:
        if self.ipp and self.ipp_oid:
            return f"{self.ipp}^^^&{self.ipp_oid}&ISO^PI"
        return self.patient_cx


def fiche_depuis_cda(
    cda: bytes,
    identifiants: Identifiants,
    *,
    entete: EnteteCDA | None = None,
    visibilites: tuple[str, ...] = (),
    practice_setting: str = "ESSMS",
    facility_type: str = "SA17",
) -> md.FicheDocument:
    """The DocumentEntry of a CDA document (interop.md §2.2 mapping). ValueError when the
    header lacks what the DMP requires."""
    e = entete or lire_entete(cda)
    if e.type_code not in codes.TYPES:
        raise ValueError(f"Type de document non accepté par le DMP : {e.type_code}")
    if (identifiants.ins_oid, identifiants.ins_matricule) not in e.patient_ids:
        raise ValueError("L'INS du document CDA ne correspond pas à celui de la personne.")
    if not e.traits_ins_complets:
        raise ValueError("Le document CDA ne porte pas les traits INS obligatoires.")
    if e.non_structure:
        format_code = codes.FORMAT_N1
    else:
        known = [
            codes.FORMAT_PAR_TEMPLATE[t] for t in e.template_ids if t in codes.FORMAT_PAR_TEMPLATE
        ]
        if not known:
            raise ValueError("Modèle de document CDA structuré inconnu (formatCode).")
        format_code = known[0]
    auteur = md.Auteur(
        identifiant=e.auteur_id,
        nom=e.auteur_nom,
        prenom=e.auteur_prenom,
        identifiant_oid=e.auteur_id_root or md.OID_IDNPS,
        institution_id=e.organisation_id,
        institution_nom=e.organisation_nom,
        role=e.auteur_profession,
    )
    confidentialite = e.confidentialite or "N"
    return md.FicheDocument(
        entry_uuid=md.new_uuid(),
        unique_id=e.unique_id,
        patient_id=identifiants.patient_cx,
        source_patient_id=identifiants.source_cx,
        titre=e.titre,
        class_code=codes.class_code_for(e.type_code),
        type_code=codes.type_code(e.type_code),
        format_code=codes.format_code(format_code),
        confidentialite=md.Code(
            confidentialite, md.OID_CONFIDENTIALITE, codes.CONFIDENTIALITES.get(confidentialite, "")
        ),
        healthcare_facility_type=md.Code(
            e.facility_type or facility_type,
            codes.TRE_R02,
            codes.SECTEURS.get(e.facility_type or facility_type, ""),
        ),
        practice_setting=md.Code(
            e.practice_setting or practice_setting,
            codes.TRE_A00_PRATIQUE,
            codes.PRATIQUES.get(e.practice_setting or practice_setting, ""),
        ),
        auteur=auteur,
        creation_time=_utc(e.effective_time),
        service_start=_utc(e.service_debut),
        service_stop=_utc(e.service_fin),
        langue=e.langue or "fr-FR",
        hash_sha1=hashlib.sha1(cda).hexdigest(),  # noqa: S324 - XDS mandates SHA-1
        taille=len(cda),
        visibilites=visibilites,
    )


def soumission_pour(
    cda: bytes,
    identifiants: Identifiants,
    *,
    config: DMPConfig,
    visibilites: tuple[str, ...] = (),
    remplace: str = "",
    entry_uuid: str = "",
) -> soap.Soumission:
    """One CDA document in one submission set; `remplace` is the entryUUID (in the DMP) of
    the document this one replaces."""
    fiche = fiche_depuis_cda(cda, identifiants, visibilites=visibilites)
    if entry_uuid:
        fiche = fiche.with_(entry_uuid=entry_uuid)
    lot = md.LotSoumission(
        unique_id=new_oid(),
        source_id=config.source_id,
        submission_time=datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S"),
        patient_id=identifiants.patient_cx,
        content_type=md.Code("ESSMS", codes.CONTENT_TYPE_SYSTEM, "Social et médico-social"),
        auteur=fiche.auteur,
        titre=fiche.titre,
    )
    return soap.Soumission(
        lot=lot,
        fiches=[fiche],
        contenus={fiche.entry_uuid: cda},
        remplacements=[md.Remplacement(fiche.entry_uuid, remplace)] if remplace else [],
    )


# --- ITI-18 ----------------------------------------------------------------------------


def _query(
    config: DMPConfig, contexte: ContexteVIHF, query_id: str, params: dict[str, list[str]]
) -> list[md.FicheDocument]:
    body, content_type = soap.iti18_request(
        query_id, params, _assertion(config, contexte), config.registry.url
    )
    message = _exchange(config.registry, body, content_type, soap.ACTION_ITI18 + soap.RESPONSE)
    response = message.body.find("query:AdhocQueryResponse", NS)
    if response is None:
        raise DMPErreurTechnique("Réponse du DMP sans AdhocQueryResponse.")
    status, erreurs = soap.read_registry_response(response)
    _raise_for(status, erreurs)
    try:
        return [
            md.lire_fiche(eo)
            for eo in response.iterfind("rim:RegistryObjectList/rim:ExtrinsicObject", NS)
        ]
    except md.MetadonneesInvalides as exc:
        raise DMPErreurTechnique(f"Métadonnées illisibles dans la réponse du DMP : {exc}") from exc


def rechercher_documents(
    patient_cx: str,
    contexte: ContexteVIHF,
    config: DMPConfig | None = None,
    *,
    inclure_remplaces: bool = False,
) -> list[md.FicheDocument]:
    """ITI-18 FindDocuments: the person's documents (approved ones, by default)."""
    config = config or DMPConfig.from_settings()
    statuts = [md.APPROVED] + ([md.DEPRECATED] if inclure_remplaces else [])
    params = {
        "$XDSDocumentEntryPatientId": [soap.quoted(patient_cx)],
        "$XDSDocumentEntryStatus": ["(" + ",".join(soap.quoted(s) for s in statuts) + ")"],
    }
    return _query(config, contexte, soap.FIND_DOCUMENTS, params)


def lire_fiches(
    unique_ids: list[str], contexte: ContexteVIHF, config: DMPConfig | None = None
) -> list[md.FicheDocument]:
    """ITI-18 GetDocuments: the entries of these uniqueIds."""
    config = config or DMPConfig.from_settings()
    params = {
        "$XDSDocumentEntryUniqueId": ["(" + ",".join(soap.quoted(u) for u in unique_ids) + ")"]
    }
    return _query(config, contexte, soap.GET_DOCUMENTS, params)


# --- ITI-43 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRecupere:
    unique_id: str
    mime_type: str
    contenu: bytes


def recuperer_document(
    repository_unique_id: str,
    unique_id: str,
    contexte: ContexteVIHF,
    config: DMPConfig | None = None,
) -> DocumentRecupere:
    """ITI-43 Retrieve Document Set: one document's bytes."""
    config = config or DMPConfig.from_settings()
    body, content_type = soap.iti43_request(
        repository_unique_id, unique_id, _assertion(config, contexte), config.repository.url
    )
    message = _exchange(config.repository, body, content_type, soap.ACTION_ITI43 + soap.RESPONSE)
    response = message.body.find("xdsb:RetrieveDocumentSetResponse", NS)
    if response is None:
        raise DMPErreurTechnique("Réponse du DMP sans RetrieveDocumentSetResponse.")
    registry = response.find("rs:RegistryResponse", NS)
    if registry is None:
        raise DMPErreurTechnique("Réponse du DMP sans RegistryResponse.")
    status, erreurs = soap.read_registry_response(registry)
    _raise_for(status, erreurs)
    for d in response.iterfind("xdsb:DocumentResponse", NS):
        if d.findtext("xdsb:DocumentUniqueId", "", NS) == unique_id:
            document = d.find("xdsb:Document", NS)
            if document is None:
                break
            try:
                contenu = message.include(document)
            except (MalformedMessage, ValueError) as exc:
                raise DMPErreurTechnique(f"Document illisible : {exc}") from exc
            return DocumentRecupere(unique_id, d.findtext("xdsb:mimeType", "", NS), contenu)
    raise DMPRefus([ErreurRegistre("XDSMissingDocument", unique_id)])
