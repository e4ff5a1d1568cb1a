"""The person's photo: JPEG/PNG by content, size limit, policy, journal, synthesis and PDF."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_pro
from dui.audit.models import AuditAction, Entree

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def accueil(etab):
    return make_pro(etab, "accueil")


def upload(client, usager, data, name="photo.png"):
    return client.post(
        f"/usagers/{usager.pk}/photo/", {"photo": SimpleUploadedFile(name, data)}, follow=True
    )


def test_png_is_stored_served_to_the_team_and_each_view_journaled(
    media, login, accueil, collegue, usager
):
    upload(login(accueil), usager, PNG)
    usager.refresh_from_db()
    assert usager.photo.name.startswith("photos/") and "photo.png" not in usager.photo.name
    response = login(collegue).get(f"/usagers/{usager.pk}/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == PNG
    assert Entree.objects.filter(
        action=AuditAction.READ, usager_id=usager.pk, details__photo=True
    ).exists()


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(media, login, accueil, usager):
    response = upload(login(accueil), usager, b"<script>alert(1)</script>", name="x.png")
    assert "JPEG ou PNG" in response.content.decode()
    usager.refresh_from_db()
    assert not usager.photo


def test_too_big_photo_is_refused(media, login, accueil, usager):
    response = upload(login(accueil), usager, PNG + b"\0" * (2 * 1024 * 1024))
    assert "2 Mo" in response.content.decode()


def test_read_only_roles_cannot_change_it_and_outsiders_cannot_see_it(
    media, login, accueil, collegue, autre_etab_pro, usager
):
    upload(login(accueil), usager, PNG)
    assert login(collegue).post(f"/usagers/{usager.pk}/photo/", {"retirer": "1"}).status_code == 404
    assert login(autre_etab_pro).get(f"/usagers/{usager.pk}/photo/").status_code == 404
    usager.refresh_from_db()
    assert usager.photo


def test_synthesis_and_its_pdf_show_the_photo(media, login, accueil, usager):
    client = login(accueil)
    upload(client, usager, PNG)
    assert f"/usagers/{usager.pk}/photo/" in client.get(f"/usagers/{usager.pk}/").content.decode()
    pdf = client.get(f"/usagers/{usager.pk}/synthese/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    without = login(make_pro(usager.prises_en_charge.first().etablissement, "direction"))
    usager.photo = ""
    usager.save(update_fields=["photo"])
    # The embedded image makes the PDF carry an image object that the photo-less one lacks.
    assert b"/Image" in pdf.content
    assert b"/Image" not in without.get(f"/usagers/{usager.pk}/synthese/pdf/").content


def test_removal_is_journaled(media, login, accueil, usager):
    client = login(accueil)
    upload(client, usager, PNG)
    client.post(f"/usagers/{usager.pk}/photo/", {"retirer": "1"})
    usager.refresh_from_db()
    assert not usager.photo
    assert Entree.objects.filter(usager_id=usager.pk, details__retiree=True).exists()
