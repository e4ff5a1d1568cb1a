"""Test helpers for documents: tiny valid files and a ready-stored document."""

from __future__ import annotations

import io
import zipfile
from typing import Any

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010804000000b51c0c02"
    "0000000b4944415478da63646000000006000230819d0000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00"
CDA = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Document</title></ClinicalDocument>'
)
XML = b'<?xml version="1.0"?><courrier><objet>Rendez-vous</objet></courrier>'
TEXTE = "Compte rendu de visite : RAS.\nÀ revoir dans un mois.\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def document(
    user: Any,
    usager: Any,
    *,
    type_code: str = "PIECE-IDENTITE",
    confidentialite: str = "N",
    titre: str = "Document",
    data: bytes = PDF,
    prise_en_charge: Any = None,
    origine: str = "televerse",
) -> Any:
    """A stored document (one version) written directly, whatever the user's rights."""
    from django.core.files.base import ContentFile

    from dui.documents.models import Document, VersionDocument

    doc = Document.objects.create(
        usager=usager,
        type_code=type_code,
        titre=titre,
        confidentialite=confidentialite,
        origine=origine,
        prise_en_charge=prise_en_charge,
        created_by=user,
    )
    version = VersionDocument(
        document=doc,
        numero=1,
        mime="application/pdf",
        taille=len(data),
        sha256="0" * 64,
        created_by=user,
        nom_fichier="doc.pdf",
    )
    version.fichier.save("doc.pdf", ContentFile(data), save=False)
    version.save()
    return doc


def matrix_args(w: Any, *, type_code: str, version: bool = False, cda: bool = False) -> list[Any]:
    """URL args for the policy matrix: a document of `type_code` by the world's colleague."""
    doc = document(w.target, w.usager, type_code=type_code)
    if cda:
        from django.core.files.base import ContentFile

        v = doc.versions.get()
        v.cda.save("x.xml", ContentFile(CDA))
    if version or cda:
        return [w.usager.pk, doc.versions.get().pk]
    return [w.usager.pk, doc.pk]
