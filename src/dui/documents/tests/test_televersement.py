"""Uploading documents: content sniffing, size limit, antivirus hook, versions, signatures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.models import AuditAction, Entree
from dui.documents import contenu, services
from dui.documents.models import (
    Document,
    ModeSignature,
    Signature,
    VersionDocument,
    documents_root,
)
from dui.documents.tests import factories as f

pytestmark = pytest.mark.django_db

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def scan_eicar(data: bytes, nom_fichier: str) -> str | None:
    """Test antivirus: refuses the EICAR test string."""
    return "signature EICAR détectée" if EICAR in data else None


def scan_en_panne(data: bytes, nom_fichier: str) -> str | None:
    raise ConnectionError("clamd unreachable")


def _stored_files() -> list[str]:
    root = documents_root()
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload(client, usager, data, name, **fields):
    payload = {
        "type_code": "57833-6",
        "titre": "Ordonnance",
        "confidentialite": "N",
        "origine": "televerse",
        "fichier": SimpleUploadedFile(name, data),
        **fields,
    }
    return client.post(reverse("documents:televerser", args=[usager.pk]), payload)


def _nothing_written(before_files):
    assert not Document.objects.exists()
    assert not VersionDocument.objects.exists()
    assert not Entree.objects.filter(action=AuditAction.CREATE).exists()
    assert _stored_files() == before_files


# --- Content sniffing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (f.PDF, "a.pdf", contenu.PDF),
        (f.PNG, "a.png", contenu.PNG),
        (f.JPEG, "a.JPG", contenu.JPEG),
        (f.TIFF, "a.tif", contenu.TIFF),
        (f.CDA, "a.xml", contenu.CDA),
        (f.XML, "a.xml", contenu.XML),
        (f.TEXTE, "a.txt", contenu.TEXTE),
    ],
)
def test_accepted_formats_are_recognised_from_content(data, name, expected):
    assert contenu.verifier(data, name) is expected


def test_office_documents_are_recognised_from_their_archive_members():
    assert contenu.verifier(f.odt(), "lettre.odt") is contenu.ODT
    assert contenu.verifier(f.docx(), "lettre.docx") is contenu.DOCX


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (f.EXE, "ordonnance.pdf", "n'est pas reconnu"),
        (f.PDF, "photo.jpg", "ne correspond pas à son extension"),
        (f.PNG, "scan.pdf", "ne correspond pas à son extension"),
        (f.PDF, "programme.exe", "n'est pas accepté"),
        (f.odt(), "lettre.docx", "ne correspond pas"),
        (b"PK\x03\x04" + b"\x00" * 40, "lettre.docx", "n'est pas reconnu"),
        (b"", "vide.pdf", "vide"),
        (b"\x00\x01\x02binary", "notes.txt", "n'est pas reconnu"),
    ],
)
def test_content_not_matching_is_refused(data, name, message):
    with pytest.raises(contenu.ContenuRefuse, match=message):
        contenu.verifier(data, name)


def test_hostile_xml_is_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
    )
    # Parsed without resolving entities: recognised as XML, nothing expanded or fetched.
    assert contenu.detecter(bomb) is contenu.XML


def test_upload_with_lying_extension_shows_french_error_and_changes_nothing(
    login, referent, usager
):
    before = _stored_files()
    response = _upload(login(referent), usager, f.EXE, "ordonnance.pdf")
    assert response.status_code == 200
    assert "n&#x27;est pas reconnu comme un format accepté" in response.content.decode()
    _nothing_written(before)


# --- Size limit ------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused(login, referent, usager, settings):
    settings.DOCUMENT_MAX_MB = 1
    before = _stored_files()
    big = f.PDF + b"0" * (1024 * 1024)
    response = _upload(login(referent), usager, big, "gros.pdf")
    assert response.status_code == 200
    assert "trop volumineux" in response.content.decode()
    assert "la taille maximale est de 1 Mo" in response.content.decode()
    _nothing_written(before)
    # The same file under the limit is accepted.
    settings.DOCUMENT_MAX_MB = 2
    response = _upload(login(referent), usager, big, "gros.pdf")
    assert response.status_code == 302
    assert VersionDocument.objects.get().taille == len(big)


def test_service_also_enforces_the_size_limit(referent, usager, settings):
    settings.DOCUMENT_MAX_MB = 1
    with pytest.raises(services.DocumentError, match="trop volumineux"):
        services.televerser(
            referent,
            usager,
            data=f.PDF + b"0" * (1024 * 1024),
            nom_fichier="gros.pdf",
            type_code="PIECE-IDENTITE",
            titre="x",
        )


# --- Antivirus hook --------------------------------------------------------------------------


def test_antivirus_refusal_changes_nothing(login, referent, usager, settings):
    settings.DOCUMENT_ANTIVIRUS = "dui.documents.tests.test_televersement.scan_eicar"
    before = _stored_files()
    response = _upload(login(referent), usager, EICAR, "note.txt")
    assert response.status_code == 200
    assert "Fichier refusé par l&#x27;antivirus : signature EICAR détectée" in (
        response.content.decode()
    )
    _nothing_written(before)
    # A clean file goes through the same hook.
    assert _upload(login(referent), usager, f.TEXTE, "note.txt").status_code == 302
    assert Document.objects.count() == 1


def test_antivirus_failure_refuses_the_file(referent, usager, settings):
    settings.DOCUMENT_ANTIVIRUS = "dui.documents.tests.test_televersement.scan_en_panne"
    before = _stored_files()
    with pytest.raises(services.DocumentError, match="analyse antivirus n'a pas pu être faite"):
        services.televerser(
            referent,
            usager,
            data=f.PDF,
            nom_fichier="a.pdf",
            type_code="PIECE-IDENTITE",
            titre="x",
        )
    _nothing_written(before)


# --- Upload, private storage, versions -------------------------------------------------------


def test_upload_stores_the_file_privately_and_journals_it(login, referent, usager, settings):
    response = _upload(login(referent), usager, f.PDF, "Ordonnance Dupont.pdf")
    version = VersionDocument.objects.select_related("document").get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "documents:detail", args=[usager.pk, version.document_id]
    )
    assert (version.numero, version.mime, version.nom_fichier) == (
        1,
        "application/pdf",
        "Ordonnance Dupont.pdf",
    )
    assert version.document.categorie == "medical"
    # Random file name, outside MEDIA_ROOT, no URL.
    path = documents_root() / version.fichier.name
    assert path.read_bytes() == f.PDF
    assert "Dupont" not in version.fichier.name
    assert str(settings.MEDIA_ROOT) not in str(path.resolve())
    with pytest.raises(ValueError):
        version.fichier.url  # noqa: B018
    entry = Entree.objects.get(action=AuditAction.CREATE, object_type="documents.versiondocument")
    assert entry.usager_id == usager.pk and entry.actor_id == referent.pk
    assert entry.details["nouveau_document"] is True


def test_new_version_keeps_the_old_one_and_refuses_a_stale_upload(login, referent, usager):
    client = login(referent)
    _upload(client, usager, f.PDF, "v1.pdf")
    doc = Document.objects.get()
    url = reverse("documents:nouvelle_version", args=[usager.pk, doc.pk])
    response = client.post(url, {"fichier": SimpleUploadedFile("v2.png", f.PNG), "base_numero": 1})
    assert response.status_code == 302
    v1, v2 = doc.versions.order_by("numero")
    assert (v1.numero, v2.numero) == (1, 2)
    assert v1.contenu() == f.PDF and v2.contenu() == f.PNG
    # Someone else's form still showed version 1: refused, nothing added.
    response = client.post(url, {"fichier": SimpleUploadedFile("v3.pdf", f.PDF), "base_numero": 1})
    assert response.status_code == 200
    assert "ajoutée pendant votre saisie" in response.content.decode()
    assert doc.versions.count() == 2


def test_new_version_content_is_checked_too(login, referent, usager):
    client = login(referent)
    _upload(client, usager, f.PDF, "v1.pdf")
    doc = Document.objects.get()
    response = client.post(
        reverse("documents:nouvelle_version", args=[usager.pk, doc.pk]),
        {"fichier": SimpleUploadedFile("v2.pdf", f.EXE), "base_numero": 1},
    )
    assert response.status_code == 200
    assert doc.versions.count() == 1


def test_received_urgences_sheet_is_linked_to_the_stay(login, referent, usager, prise_en_charge):
    client = login(referent)
    form = client.get(
        reverse("documents:televerser", args=[usager.pk])
        + f"?type=60280-5&origine=recu&sejour={prise_en_charge.pk}"
    )
    assert form.status_code == 200
    assert 'value="recu" checked' in form.content.decode() or (
        '<option value="recu" selected>' in form.content.decode()
    )
    # A received document needs its sender.
    response = _upload(
        client,
        usager,
        f.PDF,
        "retour.pdf",
        type_code="60280-5",
        titre="Fiche de retour des urgences",
        origine="recu",
        prise_en_charge=prise_en_charge.pk,
    )
    assert response.status_code == 200 and not Document.objects.exists()
    assert "Indiquez qui a envoyé ce document." in response.content.decode()
    _upload(
        client,
        usager,
        f.PDF,
        "retour.pdf",
        type_code="60280-5",
        titre="Fiche de retour des urgences",
        origine="recu",
        emetteur="SAU du CH de Melun",
        prise_en_charge=prise_en_charge.pk,
    )
    doc = Document.objects.get()
    assert (doc.origine, doc.emetteur, doc.prise_en_charge) == (
        "recu",
        "SAU du CH de Melun",
        prise_en_charge,
    )
    # The Parcours tab links each stay to its documents.
    parcours = client.get(reverse("usagers:parcours", args=[usager.pk])).content.decode()
    link = reverse("documents:liste", args=[usager.pk]) + f"?sejour={prise_en_charge.pk}"
    assert f'href="{link}"' in parcours
    listed = client.get(link).content.decode()
    assert "Fiche de retour des urgences" in listed
    # Another stay of the person lists none of them.
    from dui.usagers.tests.factories import PriseEnChargeFactory

    autre = PriseEnChargeFactory(usager=usager, etablissement=prise_en_charge.etablissement)
    other = client.get(reverse("documents:liste", args=[usager.pk]) + f"?sejour={autre.pk}")
    assert "Fiche de retour des urgences" not in other.content.decode()


# --- Signatures ------------------------------------------------------------------------------


def _code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_signing_in_the_software_needs_a_fresh_second_factor(login, referent, usager):
    client = login(referent)
    _upload(client, usager, f.PDF, "a.pdf")
    doc = Document.objects.get()
    version = doc.versions.get()
    url = reverse("documents:signer", args=[usager.pk, doc.pk])
    wrong = client.post(url, {"mode": "logiciel", "code_otp": "000000", "version": version.pk})
    assert wrong.status_code == 200
    assert "Code de votre application d&#x27;authentification incorrect" in (wrong.content.decode())
    assert not Signature.objects.exists()
    # django-otp throttles after a wrong code; a user would wait a second before retrying.
    TOTPDevice.objects.filter(user=referent).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    ok = client.post(url, {"mode": "logiciel", "code_otp": _code(referent), "version": version.pk})
    assert ok.status_code == 302
    s = Signature.objects.get()
    assert (s.signataire, s.mode, s.sha256) == (referent, ModeSignature.LOGICIEL, version.sha256)
    assert s.signataire_nom == referent.get_full_name()
    assert "Infirmier" in s.signataire_role
    assert Entree.objects.filter(
        action=AuditAction.CREATE, object_type="documents.signature", usager_id=usager.pk
    ).exists()
    detail = client.get(reverse("documents:detail", args=[usager.pk, doc.pk])).content.decode()
    assert "Dans le logiciel (compte + second facteur)" in detail


def test_scanned_handwritten_signature_is_declared_with_the_upload(referent, usager):
    version = services.televerser(
        referent,
        usager,
        data=f.PDF,
        nom_fichier="ordonnance.pdf",
        type_code="57833-6",
        titre="Ordonnance",
        signature_manuscrite="Dr Martin, médecin traitant",
    )
    s = version.signatures.get()
    assert (s.signataire, s.enregistre_par, s.mode, s.signataire_nom) == (
        None,
        referent,
        ModeSignature.MANUSCRITE_SCANNEE,
        "Dr Martin, médecin traitant",
    )


def test_only_the_latest_version_is_signed(referent, usager):
    v1 = services.televerser(
        referent, usager, data=f.PDF, nom_fichier="a.pdf", type_code="57833-6", titre="O"
    )
    services.televerser(
        referent, usager, data=f.PNG, nom_fichier="a.png", document=v1.document, base_numero=1
    )
    with pytest.raises(services.DocumentError, match="dernière version"):
        services.signer(referent, v1, mode="manuscrite", signataire_nom="Dr X")
    assert not Signature.objects.exists()


def test_a_user_signs_a_version_once(referent, usager):
    v1 = services.televerser(
        referent, usager, data=f.PDF, nom_fichier="a.pdf", type_code="57833-6", titre="O"
    )
    services.signer(referent, v1, mode="logiciel", code_otp=_make_code(referent))
    with pytest.raises(services.DocumentError, match="déjà signé"):
        services.signer(referent, v1, mode="logiciel", code_otp=_make_code(referent, later=True))
    assert Signature.objects.count() == 1


def _make_code(user, later: bool = False) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    # A TOTP code is accepted once: the second one is the next time step's.
    t0 = device.t0 - (device.step if later else 0)
    return f"{totp(device.bin_key, device.step, t0, device.digits, device.drift):06d}"


def test_a_failed_save_leaves_no_file_behind(referent, usager, monkeypatch):
    v1 = services.televerser(
        referent, usager, data=f.PDF, nom_fichier="a.pdf", type_code="57833-6", titre="O"
    )
    before = _stored_files()
    # Two uploads computing the same number at once: the second hits the unique constraint
    # after its file was written.
    monkeypatch.setattr(services, "_numero_suivant", lambda document: 1)
    with pytest.raises(services.VersionConflict):
        services.televerser(referent, usager, data=f.PNG, nom_fichier="b.png", document=v1.document)
    assert _stored_files() == before
    assert VersionDocument.objects.count() == 1


def test_archived_record_takes_no_document(login, referent, usager):
    from django.utils import timezone

    from dui.usagers.identite import IdentiteError

    usager.archive_le = timezone.now()
    usager.save(update_fields=["archive_le"])
    with pytest.raises(IdentiteError):
        services.televerser(
            referent, usager, data=f.PDF, nom_fichier="a.pdf", type_code="57833-6", titre="O"
        )
    assert not Document.objects.exists()
    assert login(referent).get(reverse("documents:televerser", args=[usager.pk])).status_code == 404
