"""Who reads which document: category of the type, confidentiality, private journaled serving,
and the list's query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.audit.models import AuditAction, Entree
from dui.documents import access
from dui.documents.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def educateur(etab):
    return make_pro(etab, "educatif", prenom="Eddy", nom="Éducateur")


@pytest.fixture
def medecin(etab):
    return make_pro(etab, "medecin", prenom="Mina", nom="Médecin")


def _listed(client, usager) -> str:
    response = client.get(reverse("documents:liste", args=[usager.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _status(client, usager, doc) -> tuple[int, int]:
    detail = client.get(reverse("documents:detail", args=[usager.pk, doc.pk]))
    download = client.get(reverse("documents:telecharger", args=[usager.pk, doc.versions.get().pk]))
    return detail.status_code, download.status_code


def test_the_type_category_decides_who_reads(login, referent, collegue, educateur, usager):
    ordonnance = f.document(referent, usager, type_code="57833-6", titre="Ordonnance XYZ")
    retour = f.document(referent, usager, type_code="60280-5", titre="Retour urgences XYZ")
    identite = f.document(referent, usager, type_code="PIECE-IDENTITE", titre="CNI XYZ")
    # The soignant (collegue) reads soins and administratif, not medical.
    soignant = login(collegue)
    page = _listed(soignant, usager)
    assert "Retour urgences XYZ" in page and "CNI XYZ" in page
    assert "Ordonnance XYZ" not in page
    assert _status(soignant, usager, ordonnance) == (404, 404)
    assert _status(soignant, usager, retour) == (200, 200)
    # The educatif role reads neither soins nor medical documents.
    edu = login(educateur)
    page = _listed(edu, usager)
    assert "CNI XYZ" in page and "Retour urgences XYZ" not in page
    assert _status(edu, usager, retour) == (404, 404)
    assert _status(edu, usager, identite) == (200, 200)
    # The infirmière reads all three.
    assert all(
        s == (200, 200) for s in (_status(login(referent), usager, d) for d in (ordonnance, retour))
    )


def test_restricted_documents_need_a_health_role_or_authorship(
    login, referent, collegue, educateur, medecin, usager
):
    restreint = f.document(educateur, usager, type_code="PIECE-IDENTITE", confidentialite="R")
    tres = f.document(medecin, usager, type_code="PIECE-IDENTITE", confidentialite="V")
    # R: the author (educatif, not a health role) and health roles read it.
    assert _status(login(educateur), usager, restreint) == (200, 200)
    assert _status(login(collegue), usager, restreint) == (200, 200)
    accueil = make_pro(usager.prises_en_charge.get().etablissement, "accueil")
    assert _status(login(accueil), usager, restreint) == (404, 404)
    # V: the author and health roles reading medical data (médecin, infirmier) only.
    assert _status(login(referent), usager, tres) == (200, 200)
    assert _status(login(collegue), usager, tres) == (404, 404)
    assert _status(login(educateur), usager, tres) == (404, 404)
    visible = set(access.documents_lisibles(collegue, usager).values_list("pk", flat=True))
    assert visible == {restreint.pk}


def test_another_etablissement_sees_nothing(login, autre_etab_pro, referent, usager):
    doc = f.document(referent, usager, type_code="60280-5")
    client = login(autre_etab_pro)
    assert client.get(reverse("documents:liste", args=[usager.pk])).status_code == 404
    assert _status(client, usager, doc) == (404, 404)


def test_a_version_of_another_person_is_not_served(login, referent, usager, etab):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    other = PriseEnChargeFactory(etablissement=etab).usager
    doc = f.document(referent, other, type_code="60280-5")
    client = login(referent)
    url = reverse("documents:telecharger", args=[usager.pk, doc.versions.get().pk])
    assert client.get(url).status_code == 404


def test_download_is_private_and_journaled(login, referent, usager):
    doc = f.document(referent, usager, type_code="60280-5", titre="Retour des urgences")
    version = doc.versions.get()
    client = login(referent)
    response = client.get(reverse("documents:telecharger", args=[usager.pk, version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="retour-des-urgences-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    entry = Entree.objects.get(action=AuditAction.READ, object_type="documents.versiondocument")
    assert entry.usager_id == usager.pk and entry.actor_id == referent.pk
    assert entry.details == {
        "document": doc.pk,
        "version": 1,
        "fichier": "fichier",
        "affichage": "telechargement",
    }
    shown = client.get(
        reverse("documents:telecharger", args=[usager.pk, version.pk]) + "?afficher=1"
    )
    assert shown["Content-Disposition"].startswith("inline")
    # No public URL leads to the file.
    with pytest.raises(ValueError):
        version.fichier.url  # noqa: B018
    assert client.get("/media/" + version.fichier.name).status_code == 404


def test_cda_is_served_only_when_present(login, referent, usager):
    doc = f.document(referent, usager, type_code="60280-5")
    version = doc.versions.get()
    client = login(referent)
    url = reverse("documents:telecharger_cda", args=[usager.pk, version.pk])
    assert client.get(url).status_code == 404
    from django.core.files.base import ContentFile

    version.cda.save("x.xml", ContentFile(f.CDA))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == f.CDA
    assert response["X-Content-Type-Options"] == "nosniff"


def test_list_read_is_journaled_with_the_count(login, referent, usager):
    f.document(referent, usager, type_code="60280-5")
    _listed(login(referent), usager)
    entry = Entree.objects.filter(action=AuditAction.READ, usager_id=usager.pk).latest("seq")
    assert entry.details == {"onglet": "documents:liste", "documents": 1}


def test_list_query_count_does_not_grow_with_documents(
    login, referent, usager, django_assert_max_num_queries
):
    from dui.documents import services

    def add(n: int) -> None:
        for i in range(n):
            v = services.televerser(
                referent,
                usager,
                data=f.PDF,
                nom_fichier="o.pdf",
                type_code="57833-6",
                titre=f"Ordonnance {i}",
                signature_manuscrite="Dr X",
            )
            services.televerser(
                referent, usager, data=f.PNG, nom_fichier="o.png", document=v.document
            )

    client = login(referent)
    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _listed(client, usager)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _listed(client, usager)
    assert page.count("Ordonnance ") >= 12


def test_list_pages_and_filters(login, referent, usager, monkeypatch):
    from dui.documents import views

    monkeypatch.setattr(views, "PAR_PAGE", 2)
    for titre, code in (("Doc A", "60280-5"), ("Doc B", "57833-6"), ("Doc C", "60280-5")):
        f.document(referent, usager, type_code=code, titre=titre)
    client = login(referent)
    url = reverse("documents:liste", args=[usager.pk])
    first = client.get(url).content.decode()
    assert "Doc C" in first and "Doc B" in first and "Doc A" not in first
    assert "Page 1 sur 2" in first
    second = client.get(url + "?page=2").content.decode()
    assert "Doc A" in second and "Doc C" not in second
    # Filtering on a type keeps every readable type in the filter's choices.
    filtered = client.get(url + "?type=57833-6").content.decode()
    assert "Doc B" in filtered and "Doc A" not in filtered
    assert 'value="60280-5"' in filtered
    # Sorted by type: the labels' order (Fiche de retour… before Prescription…).
    by_type = client.get(url + "?tri=type").content.decode()
    assert by_type.index("Doc C") < by_type.index("Doc A") and "Doc B" not in by_type
    assert "Doc B" in client.get(url + "?tri=type&page=2").content.decode()


def test_break_glass_reads_with_own_rights_and_is_flagged(login, autre_etab_pro, referent, usager):
    import datetime

    from django.utils import timezone

    from dui.comptes.models import AccesExceptionnel

    doc = f.document(referent, usager, type_code="57833-6", confidentialite="V")
    client = login(autre_etab_pro)  # an infirmière of another établissement
    assert _status(client, usager, doc) == (404, 404)
    AccesExceptionnel.objects.create(
        user=autre_etab_pro,
        usager=usager,
        motif="Transfert aux urgences la nuit",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    assert _status(login(autre_etab_pro), usager, doc) == (200, 200)
    entry = Entree.objects.filter(
        action=AuditAction.READ, object_type="documents.versiondocument"
    ).get()
    assert entry.break_glass is True and entry.actor_id == autre_etab_pro.pk
