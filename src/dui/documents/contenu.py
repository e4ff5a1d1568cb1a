"""Recognise an uploaded file's type from its content, not from its name.

Only a few formats are accepted (what a social or medico-social service receives: scans, PDF
letters, office documents, CDA documents). A file is refused when its content is none of them
or does not match the format its extension claims (a `.pdf` that is an executable, a `.jpg`
that is a PDF…). The checks are the formats' own signatures (magic bytes); office documents
are ZIP archives recognised by their mandatory members, read without extracting anything.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree


class ContenuRefuse(Exception):
    """The file's content is refused (French message for the person)."""


@dataclass(frozen=True)
class Format:
    code: str
    libelle: str
    mime: str
    extensions: tuple[str, ...]


PDF = Format("pdf", "PDF", "application/pdf", (".pdf",))
JPEG = Format("jpeg", "image JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = Format("png", "image PNG", "image/png", (".png",))
TIFF = Format("tiff", "image TIFF", "image/tiff", (".tif", ".tiff"))
ODT = Format("odt", "texte OpenDocument", "application/vnd.oasis.opendocument.text", (".odt",))
DOCX = Format(
    "docx",
    "document Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XML = Format("xml", "XML", "application/xml", (".xml",))
CDA = Format("cda", "document CDA R2", "text/xml", (".xml",))
TEXTE = Format("texte", "texte brut", "text/plain", (".txt",))

FORMATS = (PDF, JPEG, PNG, TIFF, ODT, DOCX, XML, CDA, TEXTE)
EXTENSIONS = sorted({e for f in FORMATS for e in f.extensions})
# Extensions and MIME types: phones offer the camera for image/jpeg and convert HEIC photos.
ACCEPT = ",".join([*EXTENSIONS, *sorted({f.mime for f in FORMATS})])
LIBELLE_ACCEPTES = "PDF, JPEG, PNG, TIFF, ODT, DOCX, XML (dont CDA) ou texte"


def _zip_format(data: bytes) -> Format | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                small = archive.getinfo("mimetype").file_size <= 100
                if small and archive.read("mimetype").strip() == ODT.mime.encode():
                    return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _xml_format(data: bytes) -> Format | None:
    head = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<"):
        return None
    # No entity resolution, no DTD, no network: a hostile XML file cannot expand or fetch.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    if root.tag == "{urn:hl7-org:v3}ClinicalDocument":
        return CDA
    return XML


def _texte(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n\f" for c in text)


def detecter(data: bytes) -> Format | None:
    """The accepted format of this content, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    fmt = _xml_format(data)
    if fmt is not None:
        return fmt
    if data and _texte(data):
        return TEXTE
    return None


def verifier(data: bytes, nom_fichier: str) -> Format:
    """The file's format; ContenuRefuse when unknown or not what the extension claims."""
    if not data:
        raise ContenuRefuse("Le fichier est vide.")
    ext = Path(nom_fichier).suffix.lower()
    if ext not in EXTENSIONS:
        raise ContenuRefuse(
            f"Ce type de fichier n'est pas accepté ({ext or 'sans extension'}) : "
            f"formats acceptés : {LIBELLE_ACCEPTES}."
        )
    fmt = detecter(data)
    if fmt is None:
        raise ContenuRefuse(
            f"Le contenu du fichier n'est pas reconnu comme un format accepté ({LIBELLE_ACCEPTES})."
        )
    if ext not in fmt.extensions:
        raise ContenuRefuse(
            f"Le contenu du fichier ({fmt.libelle}) ne correspond pas à son extension "
            f"« {ext} » : le fichier est refusé."
        )
    return fmt
