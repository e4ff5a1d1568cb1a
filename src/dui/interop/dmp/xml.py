"""XML plumbing shared by the DMP client and simulator: namespaces and a safe parser."""

from __future__ import annotations

from lxml import etree

NS = {
    "soap": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xdsb": "urn:ihe:iti:xds-b:2007",
    "lcm": "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0",
    "rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0",
    "rs": "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0",
    "query": "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0",
    "xop": "http://www.w3.org/2004/08/xop/include",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "hl7": "urn:hl7-org:v3",
}


class MalformedMessage(ValueError):
    """Not a message of the expected shape."""


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def el(parent: etree._Element | None, prefix: str, tag: str, text: str | None = None, **attrs: str):  # type: ignore[no-untyped-def]
    element = (
        etree.Element(q(prefix, tag), attrs, nsmap=NS)
        if parent is None
        else etree.SubElement(parent, q(prefix, tag), attrs)
    )
    if text is not None:
        element.text = text
    return element


def parse(data: bytes) -> etree._Element:
    # No DTD from a peer: no entity expansion, no external fetch.
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise MalformedMessage("DTD interdite dans un message XML")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedMessage(f"XML invalide : {exc}") from exc


def text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else ""


def tostring(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="utf-8", xml_declaration=True)
