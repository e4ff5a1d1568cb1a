"""PDF/A rendering of the documents this package writes itself (WeasyPrint).

PDF/A-3b: the archival profile the CDA level 1 body asks for (IHE XDS-SD: PDF/A), and the
one that allows attachments should a later version embed the CDA in its PDF.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from django.template.loader import render_to_string

from dui.ui import pdf as ui_pdf

PDF_VARIANT = "pdf/a-3b"


def rendre(template: str, context: dict[str, Any]) -> bytes:
    """A self-contained print template (its own `<style>`) as PDF/A; no external resource."""
    return ui_pdf.render_pdf(render_to_string(template, context), pdf_variant=PDF_VARIANT)


_PDFA_PART = re.compile(rb'pdfaid:part(?:>|=")\s*(\d)')
_PDFA_CONFORMANCE = re.compile(rb'pdfaid:conformance(?:>|=")\s*([ABUabu])')
_STREAM = re.compile(rb"stream\r?\n")


def _xmp_candidates(pdf: bytes) -> list[bytes]:
    """The raw file, then every Flate stream decoded (WeasyPrint compresses the XMP)."""
    found = [pdf]
    for match in _STREAM.finditer(pdf):
        try:
            found.append(zlib.decompressobj().decompress(pdf[match.end() : match.end() + 65536]))
        except zlib.error:
            continue
    return found


def niveau_pdfa(pdf: bytes) -> str:
    """The PDF/A part and conformance declared in the XMP metadata ("3B"), or ""."""
    for chunk in _xmp_candidates(pdf):
        part = _PDFA_PART.search(chunk)
        if part:
            conformance = _PDFA_CONFORMANCE.search(chunk)
            level = conformance.group(1).decode().upper() if conformance else ""
            return part.group(1).decode() + level
    return ""
