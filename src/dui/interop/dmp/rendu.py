"""Readable rendering of a document read from the DMP: the PDF of a level 1 CDA, or the
narrative blocks of a structured body as plain, escaped HTML (no style, no script)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from lxml import etree

from dui.interop.dmp.xml import NS, MalformedMessage, parse

H = {"h": NS["hl7"]}
# CDA narrative block elements → HTML; anything else keeps only its text.
_TAGS = {
    "paragraph": "p",
    "list": "ul",
    "item": "li",
    "table": "table",
    "thead": "thead",
    "tbody": "tbody",
    "tr": "tr",
    "th": "th",
    "td": "td",
    "caption": "caption",
}


@dataclass
class Section:
    titre: str
    html: SafeString
    sous_sections: list[Section] = field(default_factory=list)


@dataclass
class Rendu:
    titre: str
    pdf: bytes | None
    sections: list[Section]


def _narratif(element: etree._Element) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        name = etree.QName(node).localname if isinstance(node.tag, str) else ""
        tag = _TAGS.get(name)
        if name == "br":
            parts.append("<br>")
        elif tag:
            parts.append(f"<{tag}>")
        if node.text and name != "br":
            parts.append(escape(node.text))
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(escape(child.tail))
        if tag:
            parts.append(f"</{tag}>")

    walk(element)
    return "".join(parts)


def _sections(parent: etree._Element) -> list[Section]:
    result = []
    for section in parent.iterfind("h:component/h:section", H):
        text = section.find("h:text", H)
        result.append(
            Section(
                titre=" ".join((section.findtext("h:title", "", H) or "").split()),
                html=mark_safe(_narratif(text) if text is not None else ""),  # noqa: S308 - escaped above
                sous_sections=_sections(section),
            )
        )
    return result


def rendre(cda: bytes) -> Rendu:
    """ValueError when the document is not a readable CDA."""
    try:
        root = parse(cda)
    except MalformedMessage as exc:
        raise ValueError(str(exc)) from exc
    if root.tag != f"{{{NS['hl7']}}}ClinicalDocument":
        raise ValueError("Ce document n'est pas un document CDA R2.")
    titre = " ".join((root.findtext("h:title", "", H) or "").split())
    text = root.find("h:component/h:nonXMLBody/h:text", H)
    if text is not None:
        if text.get("mediaType") != "application/pdf":
            raise ValueError("Document non structuré dans un format non pris en charge.")
        try:
            pdf = base64.b64decode("".join((text.text or "").split()), validate=True)
        except ValueError as exc:
            raise ValueError("PDF illisible dans le document.") from exc
        return Rendu(titre, pdf, [])
    body = root.find("h:component/h:structuredBody", H)
    return Rendu(titre, None, _sections(body) if body is not None else [])
