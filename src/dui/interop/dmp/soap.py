"""SOAP 1.2 messages of the three XDS.b transactions (ITI-41, ITI-18, ITI-43), with
WS-Addressing and the VIHF in wsse:Security. Shared by the client and the simulator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from lxml import etree

from dui.interop.dmp import metadata as md
from dui.interop.dmp import mtom
from dui.interop.dmp.errors import ErreurRegistre
from dui.interop.dmp.xml import NS, MalformedMessage, el, parse, q, tostring

ACTION_ITI41 = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
ACTION_ITI18 = "urn:ihe:iti:2007:RegistryStoredQuery"
ACTION_ITI43 = "urn:ihe:iti:2007:RetrieveDocumentSet"
RESPONSE = "Response"
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
PARTIAL = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
SEVERITY_ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
SEVERITY_WARNING = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"
SOAP_CT = "application/soap+xml; charset=utf-8"


def envelope(action: str, *, to: str = "", assertion: etree._Element | None = None):  # type: ignore[no-untyped-def]
    env = el(None, "soap", "Envelope")
    header = el(env, "soap", "Header")
    el(header, "wsa", "Action", action, **{q("soap", "mustUnderstand"): "true"})
    el(header, "wsa", "MessageID", f"urn:uuid:{uuid.uuid4()}")
    if to:
        el(header, "wsa", "To", to)
    if assertion is not None:
        security = el(header, "wsse", "Security", **{q("soap", "mustUnderstand"): "true"})
        security.append(assertion)
    body = el(env, "soap", "Body")
    return env, body


# --- ITI-41 ----------------------------------------------------------------------------


@dataclass
class Soumission:
    lot: md.LotSoumission
    fiches: list[md.FicheDocument]
    contenus: dict[str, bytes]  # entryUUID -> document bytes
    remplacements: list[md.Remplacement] = field(default_factory=list)


def iti41_request(soumission: Soumission, assertion: etree._Element, to: str) -> tuple[bytes, str]:
    env, body = envelope(ACTION_ITI41, to=to, assertion=assertion)
    request = el(body, "xdsb", "ProvideAndRegisterDocumentSetRequest")
    submit = el(request, "lcm", "SubmitObjectsRequest")
    objects = el(submit, "rim", "RegistryObjectList")
    for fiche in soumission.fiches:
        md.fiche_xml(objects, fiche)
    md.lot_xml(objects, soumission.lot)
    for fiche in soumission.fiches:
        md.association_xml(objects, md.HAS_MEMBER, soumission.lot.entry_uuid, fiche.entry_uuid)
    for r in soumission.remplacements:
        md.association_xml(objects, md.RPLC, r.nouvelle, r.cible)
    attachments = {}
    for entry_uuid, data in soumission.contenus.items():
        cid = mtom.new_content_id()
        document = el(request, "xdsb", "Document", id=entry_uuid)
        etree.SubElement(document, q("xop", "Include"), href=f"cid:{cid}")
        attachments[cid] = data
    return mtom.build(tostring(env), attachments, action=ACTION_ITI41)


def registry_response(
    parent: etree._Element, status: str, erreurs: list[ErreurRegistre]
) -> etree._Element:
    response = el(parent, "rs", "RegistryResponse", status=status)
    if erreurs:
        errors = el(response, "rs", "RegistryErrorList")
        for e in erreurs:
            el(
                errors,
                "rs",
                "RegistryError",
                errorCode=e.code,
                codeContext=e.contexte,
                severity=SEVERITY_WARNING if e.severite == "Warning" else SEVERITY_ERROR,
            )
    return response


def read_registry_response(response: etree._Element) -> tuple[str, list[ErreurRegistre]]:
    errors = [
        ErreurRegistre(
            code=e.get("errorCode", ""),
            contexte=e.get("codeContext", ""),
            severite="Warning" if e.get("severity", "").endswith("Warning") else "Error",
        )
        for e in response.iterfind("rs:RegistryErrorList/rs:RegistryError", NS)
    ]
    return response.get("status", ""), errors


def iti41_response(status: str, erreurs: list[ErreurRegistre]) -> bytes:
    env, body = envelope(ACTION_ITI41 + RESPONSE)
    registry_response(body, status, erreurs)
    return tostring(env)


# --- ITI-18 ----------------------------------------------------------------------------


def _query_slot(parent: etree._Element, name: str, *values: str) -> None:
    slot = el(parent, "rim", "Slot", name=name)
    value_list = el(slot, "rim", "ValueList")
    for v in values:
        el(value_list, "rim", "Value", v)


def iti18_request(
    query_id: str, params: dict[str, list[str]], assertion: etree._Element, to: str
) -> tuple[bytes, str]:
    env, body = envelope(ACTION_ITI18, to=to, assertion=assertion)
    request = el(body, "query", "AdhocQueryRequest")
    el(request, "query", "ResponseOption", returnType="LeafClass", returnComposedObjects="true")
    adhoc = el(request, "rim", "AdhocQuery", id=query_id)
    for name, values in params.items():
        _query_slot(adhoc, name, *values)
    return tostring(env), SOAP_CT


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def unquote_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("(") and value.endswith(")"):
        value = value[1:-1]
    return [v.strip().strip("'") for v in value.split(",") if v.strip()]


def iti18_response(
    status: str, fiches: list[md.FicheDocument], erreurs: list[ErreurRegistre]
) -> bytes:
    env, body = envelope(ACTION_ITI18 + RESPONSE)
    response = el(body, "query", "AdhocQueryResponse", status=status)
    if erreurs:
        errors = el(response, "rs", "RegistryErrorList")
        for e in erreurs:
            el(
                errors,
                "rs",
                "RegistryError",
                errorCode=e.code,
                codeContext=e.contexte,
                severity=SEVERITY_ERROR,
            )
    objects = el(response, "rim", "RegistryObjectList")
    for fiche in fiches:
        md.fiche_xml(objects, fiche)
    return tostring(env)


# --- ITI-43 ----------------------------------------------------------------------------


def iti43_request(
    repository: str, unique_id: str, assertion: etree._Element, to: str
) -> tuple[bytes, str]:
    env, body = envelope(ACTION_ITI43, to=to, assertion=assertion)
    request = el(body, "xdsb", "RetrieveDocumentSetRequest")
    doc = el(request, "xdsb", "DocumentRequest")
    el(doc, "xdsb", "RepositoryUniqueId", repository)
    el(doc, "xdsb", "DocumentUniqueId", unique_id)
    return tostring(env), SOAP_CT


def iti43_response(
    status: str,
    documents: list[tuple[str, str, str, bytes]],  # repository, uniqueId, mime, bytes
    erreurs: list[ErreurRegistre],
) -> tuple[bytes, str]:
    env, body = envelope(ACTION_ITI43 + RESPONSE)
    response = el(body, "xdsb", "RetrieveDocumentSetResponse")
    registry_response(response, status, erreurs)
    attachments = {}
    for repository, unique_id, mime, data in documents:
        d = el(response, "xdsb", "DocumentResponse")
        el(d, "xdsb", "RepositoryUniqueId", repository)
        el(d, "xdsb", "DocumentUniqueId", unique_id)
        el(d, "xdsb", "mimeType", mime)
        cid = mtom.new_content_id()
        etree.SubElement(el(d, "xdsb", "Document"), q("xop", "Include"), href=f"cid:{cid}")
        attachments[cid] = data
    return mtom.build(tostring(env), attachments, action=ACTION_ITI43 + RESPONSE)


# --- reading any message -----------------------------------------------------------------


@dataclass
class MessageLu:
    root: etree._Element
    action: str
    body: etree._Element
    attachments: dict[str, bytes]

    def header(self, prefix: str, tag: str) -> etree._Element | None:
        return self.root.find(f"soap:Header/{prefix}:{tag}", NS)

    def include(self, element: etree._Element) -> bytes:
        """The bytes of an element holding xop:Include (or inline base64)."""
        include = element.find("xop:Include", NS)
        if include is None:
            import base64

            return base64.b64decode("".join((element.text or "").split()))
        cid = include.get("href", "").removeprefix("cid:")
        from urllib.parse import unquote

        cid = unquote(cid)
        if cid not in self.attachments:
            raise MalformedMessage(f"pièce jointe XOP absente : {cid}")
        return self.attachments[cid]


class SoapFault(Exception):
    def __init__(self, code: str, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.subcode = subcode
        self.reason = reason


def read(body: bytes, content_type: str) -> MessageLu:
    message = mtom.parse(body, content_type)
    root = parse(message.envelope)
    if root.tag != q("soap", "Envelope"):
        raise MalformedMessage("Enveloppe SOAP 1.2 attendue")
    soap_body = root.find("soap:Body", NS)
    if soap_body is None:
        raise MalformedMessage("Enveloppe SOAP sans corps")
    fault = soap_body.find("soap:Fault", NS)
    if fault is not None:
        raise SoapFault(
            code=fault.findtext("soap:Code/soap:Value", "", NS),
            subcode=fault.findtext("soap:Code/soap:Subcode/soap:Value", "", NS),
            reason=fault.findtext("soap:Reason/soap:Text", "", NS),
        )
    action = root.findtext("soap:Header/wsa:Action", "", NS).strip()
    return MessageLu(root, action, soap_body, message.attachments)


def fault(code: str, subcode: str, reason: str) -> bytes:
    env = el(None, "soap", "Envelope")
    el(
        el(env, "soap", "Header"),
        "wsa",
        "Action",
        "http://www.w3.org/2005/08/addressing/soap/fault",
    )
    body = el(env, "soap", "Body")
    f = el(body, "soap", "Fault")
    c = el(f, "soap", "Code")
    el(c, "soap", "Value", code)
    if subcode:
        el(el(c, "soap", "Subcode"), "soap", "Value", subcode)
    el(
        el(f, "soap", "Reason"),
        "soap",
        "Text",
        reason,
        **{"{http://www.w3.org/XML/1998/namespace}lang": "fr"},
    )
    return tostring(env)
