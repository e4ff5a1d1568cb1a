"""Withdrawing a document filed in the wrong record: hidden, kept, journaled, frozen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dui.audit.models import AuditAction, Entree
from dui.documents import access, services
from dui.documents.models import Document
from dui.documents.tests import factories as f

pytestmark = pytest.mark.django_db


def test_withdrawn_document_is_hidden_kept_and_frozen(login, referent, usager):
    doc = f.document(referent, usager, type_code="60280-5", titre="Fiche d'une autre personne")
    client = login(referent)
    url = reverse("documents:retirer", args=[usager.pk, doc.pk])
    # No reason: nothing changes.
    client.post(url, {"motif": "  "})
    doc.refresh_from_db()
    assert doc.retire_le is None
    assert not Entree.objects.filter(action=AuditAction.UPDATE).exists()

    response = client.post(url, {"motif": "Classé dans le mauvais dossier"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.retire_par, doc.motif_retrait) == (referent, "Classé dans le mauvais dossier")
    entry = Entree.objects.get(action=AuditAction.UPDATE, object_type="documents.document")
    assert entry.details == {"document": doc.pk, "retrait": True}

    liste = reverse("documents:liste", args=[usager.pk])
    assert "Fiche d&#x27;une autre personne" not in client.get(liste).content.decode()
    assert "Fiche d&#x27;une autre personne" in client.get(liste + "?retires=1").content.decode()
    assert not access.documents_lisibles(referent, usager).exists()
    # Still readable (traceability), but no new version, no signature, no second withdrawal.
    detail = client.get(reverse("documents:detail", args=[usager.pk, doc.pk]))
    assert "Document retiré" in detail.content.decode()
    assert (
        client.get(reverse("documents:nouvelle_version", args=[usager.pk, doc.pk])).status_code
        == 404
    )
    with pytest.raises(services.DocumentError):
        services.signer(referent, doc.versions.get(), mode="manuscrite", signataire_nom="X")
    with pytest.raises(services.DocumentError):
        services.retirer(referent, doc, motif="encore")
    with pytest.raises(services.DocumentError, match="retiré"):
        services.enregistrer_document_genere(
            referent, usager, type_code="60280-5", titre="x", pdf=f.PDF, document=doc
        )
    assert doc.versions.count() == 1


def test_withdrawing_needs_the_write_right_on_the_category(login, referent, collegue, usager):
    ordonnance = f.document(referent, usager, type_code="57833-6")
    identite = f.document(referent, usager, type_code="PIECE-IDENTITE")
    client = login(collegue)  # soignant: no medical read, administratif read only
    for doc in (ordonnance, identite):
        client.post(reverse("documents:retirer", args=[usager.pk, doc.pk]), {"motif": "x"})
    assert not Document.objects.filter(retire_le__isnull=False).exists()
