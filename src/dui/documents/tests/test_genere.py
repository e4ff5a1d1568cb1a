"""enregistrer_document_genere: the entry point the CDA generation uses to store PDF + CDA."""

from __future__ import annotations

import pytest

from dui.audit.models import Entree
from dui.documents import services
from dui.documents.models import Document, Origine, VersionDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CDA = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>DLU</title></ClinicalDocument>'
)


def test_generated_document_then_new_version(referent, usager, prise_en_charge):
    v1 = services.enregistrer_document_genere(
        referent,
        usager,
        type_code="74207-2",
        titre="DLU",
        pdf=PDF,
        cda=CDA,
        prise_en_charge=prise_en_charge,
    )
    assert v1.numero == 1
    doc = v1.document
    assert (doc.origine, doc.usager, doc.prise_en_charge) == (
        Origine.GENERE,
        usager,
        prise_en_charge,
    )
    assert doc.categorie == "soins"
    assert v1.cda_bytes() == CDA
    assert v1.contenu() == PDF
    assert v1.mime == "application/pdf"

    v2 = services.enregistrer_document_genere(
        referent, usager, type_code="74207-2", titre="DLU", pdf=PDF + b"x", document=doc
    )
    assert (v2.document_id, v2.numero) == (doc.pk, 2)
    assert v2.cda_bytes() is None
    # The first version is kept, unchanged.
    assert VersionDocument.objects.get(pk=v1.pk).contenu() == PDF
    assert Entree.objects.filter(object_type="documents.versiondocument").count() == 2


def test_generated_document_refuses_non_pdf_and_non_cda(referent, usager):
    with pytest.raises(services.DocumentError):
        services.enregistrer_document_genere(
            referent, usager, type_code="74207-2", titre="DLU", pdf=b"not a pdf"
        )
    with pytest.raises(services.DocumentError):
        services.enregistrer_document_genere(
            referent, usager, type_code="74207-2", titre="DLU", pdf=PDF, cda=b"<x/>"
        )
    assert not Document.objects.exists()


def test_generated_document_needs_the_person_in_scope(autre_etab_pro, usager):
    with pytest.raises(services.DocumentError):
        services.enregistrer_document_genere(
            autre_etab_pro, usager, type_code="74207-2", titre="DLU", pdf=PDF
        )
    assert not Document.objects.exists()


def test_detail_of_a_generated_cda_links_to_the_dmp_tab_for_who_may_send(login, etab, usager):
    from django.urls import reverse

    from conftest import make_pro

    medecin = make_pro(etab, "medecin", prenom="Marc", nom="Médecin")
    direction = make_pro(etab, "direction", prenom="Dora", nom="Direction")
    version = services.enregistrer_document_genere(
        medecin, usager, type_code="74207-2", titre="DLU", pdf=PDF, cda=CDA
    )
    url = reverse("documents:detail", args=[usager.pk, version.document_id])
    link = f'href="{reverse("dmp:documents", args=[usager.pk])}">Envoyer au DMP'
    assert link in login(medecin).get(url).content.decode()
    response = login(direction).get(url)  # reads the document, may not send it
    assert response.status_code == 200 and link not in response.content.decode()
