"""Transmissions: category protection, correction instead of edit, acknowledgement,
the handover window, the journal and the query counts of the lists."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui import audit
from dui.accompagnement import transmissions as services
from dui.accompagnement.models import LectureTransmission, Transmission
from dui.accompagnement.tests.factories import make_transmission
from dui.audit.models import AuditAction, Entree
from dui.usagers.tests.factories import MembreEquipeFactory, PriseEnChargeFactory

pytestmark = pytest.mark.django_db

MEDICAL_TEXT = "Bilan cardiologique à prévoir"
EDUCATIF_TEXT = "Atelier cuisine réussi"


@pytest.fixture
def notes(usager, referent, etab):
    """A médical note (by the infirmier) and an éducatif one (by an éducateur)."""
    educateur = make_pro(etab, "educatif", prenom="Eddy", nom="Éducateur")
    make_transmission(usager, referent, etab, categorie="medical", texte=MEDICAL_TEXT)
    make_transmission(usager, educateur, etab, categorie="educatif", texte=EDUCATIF_TEXT)
    return educateur


def test_an_educatif_reads_no_medical_transmission_in_the_timeline(login, usager, notes):
    html = login(notes).get(reverse("accompagnement:transmissions", args=[usager.pk]))
    page = html.content.decode()
    assert EDUCATIF_TEXT in page
    card = Transmission.objects.get(categorie="educatif")
    heading = page.split(f'id="transmission-{card.pk}">', 1)[1].split("</h3>", 1)[0]
    assert "Éducatif" in heading  # the card's category label
    assert MEDICAL_TEXT not in page and "Médical" not in page


def test_an_educatif_reads_no_medical_transmission_in_the_etablissement_list(login, notes):
    page = login(notes).get(reverse("accompagnement:transmissions_etablissement"))
    assert EDUCATIF_TEXT in page.content.decode()
    assert MEDICAL_TEXT not in page.content.decode()


def test_an_educatif_reads_no_medical_transmission_in_the_handover(login, notes):
    page = login(notes).get(reverse("accompagnement:transmissions_releve"))
    assert EDUCATIF_TEXT in page.content.decode()
    assert MEDICAL_TEXT not in page.content.decode()


def test_an_educatif_cannot_open_the_correction_of_a_medical_transmission(login, usager, notes):
    medical = Transmission.objects.get(categorie="medical")
    url = reverse("accompagnement:transmission_correct", args=[usager.pk, medical.pk])
    assert login(notes).get(url).status_code == 404


def test_a_soignant_cannot_write_a_social_transmission(usager, collegue, etab):
    with pytest.raises(services.TransmissionError):
        make_transmission(usager, collegue, etab, categorie="social")
    assert not Transmission.objects.exists()


def test_the_form_offers_a_soignant_only_the_categories_they_write(login, usager, collegue):
    client = login(collegue)
    url = reverse("accompagnement:transmission_new", args=[usager.pk])
    page = client.get(url).content.decode()
    assert 'value="soins"' in page and 'value="vie_quotidienne"' in page
    assert 'value="social"' not in page and 'value="medical"' not in page
    response = client.post(url, {"categorie": "social", "type": "libre", "texte": "x"})
    assert response.status_code == 200 and not Transmission.objects.exists()


def test_writing_from_the_form_journals_the_creation(login, usager, collegue, etab):
    response = login(collegue).post(
        reverse("accompagnement:transmission_new", args=[usager.pk]),
        {
            "categorie": "vie_quotidienne",
            "type": "libre",
            "texte": "A bien dormi.",
            "is_urgent": "on",
        },
    )
    t = Transmission.objects.get()
    assert response.status_code == 302
    assert (t.auteur, t.etablissement, t.is_urgent) == (collegue, etab, True)
    entry = Entree.objects.get(action=AuditAction.CREATE, object_id=str(t.pk))
    assert entry.usager_id == usager.pk and entry.actor_id == collegue.pk


def test_a_targeted_transmission_needs_a_target_and_content(usager, collegue, etab):
    with pytest.raises(services.TransmissionError, match="cible"):
        make_transmission(usager, collegue, etab, type="ciblee", donnees="Chute")
    with pytest.raises(services.TransmissionError, match="au moins"):
        make_transmission(usager, collegue, etab, type="ciblee", cible="Chute")
    assert not Transmission.objects.exists()


def test_a_correction_is_a_new_transmission_and_keeps_the_original(usager, collegue, etab):
    original = make_transmission(usager, collegue, etab, texte="Tension 18/9")
    correction = services.transmission_correct(
        actor=collegue,
        transmission=original,
        motif="Erreur de saisie",
        type="libre",
        texte="Tension 13/8",
    )
    original.refresh_from_db()
    assert original.texte == "Tension 18/9" and original.corrigee_le is not None
    assert correction.corrige == original and correction.texte == "Tension 13/8"
    assert correction.categorie == original.categorie
    entry = Entree.objects.get(action=AuditAction.UPDATE, object_id=str(correction.pk))
    assert entry.reason == "Erreur de saisie" and entry.details["corrige"] == original.pk


def test_the_card_of_a_correction_links_the_corrected_note_and_its_actions(
    login, usager, collegue, etab
):
    original = make_transmission(usager, collegue, etab, texte="Tension 18/9")
    correction = services.transmission_correct(
        actor=collegue, transmission=original, motif="Erreur de saisie", type="libre",
        texte="Tension 13/8",
    )  # fmt: skip
    page = login(collegue).get(reverse("accompagnement:transmissions", args=[usager.pk]))
    html = page.content.decode()
    when = timezone.localtime(original.cree_le).strftime("%d/%m/%Y %H:%M")
    assert f"correction de la transmission du {when} (motif : Erreur de saisie)" in html
    # Only the correction may still be corrected or shared; the original is marked corrected.
    for name in ("transmission_correct", "transmission_partager"):
        assert reverse(f"accompagnement:{name}", args=[usager.pk, correction.pk]) in html
        assert reverse(f"accompagnement:{name}", args=[usager.pk, original.pk]) not in html


def test_a_page_without_an_urgent_note_does_not_look_for_readers(login, usager, collegue, etab):
    make_transmission(usager, collegue, etab)
    client = login(collegue)
    url = reverse("accompagnement:transmissions", args=[usager.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert not [q for q in ctx.captured_queries if "lecturetransmission" in q["sql"]]
    make_transmission(usager, collegue, etab, is_urgent=True)
    with CaptureQueriesContext(connection) as ctx:
        assert "personne pour l'instant" in client.get(url).content.decode()
    assert len([q for q in ctx.captured_queries if "lecturetransmission" in q["sql"]]) == 1


def test_a_correction_needs_a_reason(usager, collegue, etab):
    original = make_transmission(usager, collegue, etab)
    with pytest.raises(services.TransmissionError, match="motif"):
        services.transmission_correct(
            actor=collegue, transmission=original, motif=" ", type="libre", texte="x"
        )
    assert Transmission.objects.count() == 1


def test_a_corrected_transmission_is_not_corrected_twice(usager, collegue, etab):
    original = make_transmission(usager, collegue, etab)
    services.transmission_correct(
        actor=collegue, transmission=original, motif="m", type="libre", texte="x"
    )
    with pytest.raises(services.TransmissionError, match="déjà été corrigée"):
        services.transmission_correct(
            actor=collegue, transmission=original, motif="m", type="libre", texte="y"
        )
    assert Transmission.objects.count() == 2


def test_acknowledging_an_urgent_transmission_is_recorded_once(usager, collegue, referent, etab):
    t = make_transmission(usager, collegue, etab, is_urgent=True)
    first = services.transmission_acknowledge(actor=referent, transmission=t)
    again = services.transmission_acknowledge(actor=referent, transmission=t)
    assert first.pk == again.pk and LectureTransmission.objects.count() == 1
    entries = Entree.objects.filter(
        action=AuditAction.CREATE, object_type="accompagnement.lecturetransmission"
    )
    assert entries.count() == 1 and entries.get().details == {"transmission": t.pk}


def test_a_non_urgent_transmission_is_not_acknowledged(usager, collegue, referent, etab):
    t = make_transmission(usager, collegue, etab)
    with pytest.raises(services.TransmissionError):
        services.transmission_acknowledge(actor=referent, transmission=t)
    assert not LectureTransmission.objects.exists()


def test_i_have_read_button_shows_the_reader_in_lu_par(login, usager, collegue, referent, etab):
    t = make_transmission(usager, collegue, etab, is_urgent=True)
    client = login(referent)
    url = reverse("accompagnement:transmissions_releve")
    assert "J'ai lu" in client.get(url).content.decode()
    response = client.post(
        reverse("accompagnement:transmission_lu", args=[usager.pk, t.pk]), {"next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "Lu par : Rita Référente" in page and "J'ai lu" not in page


def test_the_handover_starts_at_the_previous_login(usager, collegue, referent, etab):
    previous = audit.record(action=AuditAction.LOGIN, actor=referent)
    audit.record(action=AuditAction.LOGIN, actor=referent)  # the current session
    assert services.handover_since(referent) == previous.at


def test_without_a_previous_login_the_handover_covers_twelve_hours(referent):
    audit.record(action=AuditAction.LOGIN, actor=referent)  # the current session only
    since = services.handover_since(referent)
    assert timezone.now() - since >= datetime.timedelta(hours=12)
    assert timezone.now() - since < datetime.timedelta(hours=12, minutes=5)


def test_the_handover_lists_only_what_was_written_since_the_previous_login(
    login, usager, collegue, referent, etab
):
    old = make_transmission(usager, collegue, etab, texte="Avant la relève")
    Transmission.objects.filter(pk=old.pk).update(
        cree_le=timezone.now() - datetime.timedelta(hours=2)
    )
    audit.record(action=AuditAction.LOGIN, actor=referent)
    make_transmission(usager, collegue, etab, texte="Après la relève")
    audit.record(action=AuditAction.LOGIN, actor=referent)
    page = login(referent).get(reverse("accompagnement:transmissions_releve")).content.decode()
    assert "Après la relève" in page and "Avant la relève" not in page


def test_the_etablissement_list_is_journaled_with_the_persons_shown(login, usager, collegue, etab):
    make_transmission(usager, collegue, etab)
    login(collegue).get(reverse("accompagnement:transmissions_etablissement"))
    entry = Entree.objects.get(action=AuditAction.LIST, object_type="accompagnement.transmission")
    assert entry.details["usager_ids"] == [usager.pk] and entry.etablissement_id == etab.pk


def test_an_intervenant_lists_only_the_persons_assigned_to_them(login, usager, etab):
    other = PriseEnChargeFactory(etablissement=etab).usager
    intervenant = make_pro(etab, "intervenant_domicile")
    MembreEquipeFactory(usager=other, user=intervenant, etablissement=etab)
    author = make_pro(etab, "soignant")
    make_transmission(usager, author, etab, texte="Non assignée")
    make_transmission(other, author, etab, texte="Assignée")
    page = login(intervenant).get(reverse("accompagnement:transmissions_etablissement"))
    assert "Assignée" in page.content.decode() and "Non assignée" not in page.content.decode()


def test_filters_by_category_and_urgency(login, usager, collegue, referent, etab):
    make_transmission(usager, collegue, etab, categorie="vie_quotidienne", texte="Repas pris")
    make_transmission(usager, referent, etab, categorie="medical", texte="Urgence", is_urgent=True)
    client = login(referent)
    url = reverse("accompagnement:transmissions", args=[usager.pk])
    by_cat = client.get(url, {"categorie": "vie_quotidienne"}).content.decode()
    assert "Repas pris" in by_cat and "Urgence" not in by_cat
    urgent = client.get(url, {"urgentes": "on"}).content.decode()
    assert "Urgence" in urgent and "Repas pris" not in urgent
    by_author = client.get(url, {"auteur": collegue.pk}).content.decode()
    assert "Repas pris" in by_author and "Urgence" not in by_author


def test_an_archived_record_takes_no_transmission(usager, collegue, etab):
    usager.archive_le = timezone.now()
    usager.save(update_fields=["archive_le"])
    with pytest.raises(Exception, match="archivé"):
        make_transmission(usager, collegue, etab)
    assert not Transmission.objects.exists()


def _count_queries(client, url):  # type: ignore[no-untyped-def]
    # The session's first page writes it (current établissement): count a steady request.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _write_many(etab, author, reader, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        person = PriseEnChargeFactory(etablissement=etab).usager
        t = make_transmission(person, author, etab, is_urgent=True)
        services.transmission_acknowledge(actor=reader, transmission=t)


def test_the_etablissement_list_query_count_does_not_grow_with_transmissions(
    login, collegue, referent, etab
):
    client = login(referent)
    url = reverse("accompagnement:transmissions_etablissement")
    _write_many(etab, collegue, collegue, 2)
    few = _count_queries(client, url)
    _write_many(etab, collegue, collegue, 6)
    assert _count_queries(client, url) == few


def test_the_person_timeline_query_count_does_not_grow_with_transmissions(
    login, usager, collegue, referent, etab
):
    client = login(referent)
    url = reverse("accompagnement:transmissions", args=[usager.pk])
    for _ in range(2):
        t = make_transmission(usager, collegue, etab, is_urgent=True)
        services.transmission_acknowledge(actor=collegue, transmission=t)
    few = _count_queries(client, url)
    for _ in range(6):
        t = make_transmission(usager, collegue, etab, is_urgent=True)
        services.transmission_acknowledge(actor=collegue, transmission=t)
    assert _count_queries(client, url) == few


def test_the_person_timeline_journals_the_transmissions_shown(login, usager, collegue, etab):
    t = make_transmission(usager, collegue, etab)
    login(collegue).get(reverse("accompagnement:transmissions", args=[usager.pk]))
    entry = Entree.objects.get(action=AuditAction.READ, usager_id=usager.pk)
    assert entry.details["onglet"] == "accompagnement:transmissions"
    assert entry.details["transmissions"] == [t.pk]


def test_the_cahier_de_liaison_flag_is_kept_and_shown(login, usager, collegue, etab):
    make_transmission(usager, collegue, etab, partage_cahier_liaison=True)
    t = Transmission.objects.get()
    page = login(collegue).get(reverse("accompagnement:transmissions", args=[usager.pk]))
    assert t.partage_cahier_liaison and "Cahier de liaison" in page.content.decode()
    entry = Entree.objects.get(
        action=AuditAction.CREATE, object_type="accompagnement.transmission", object_id=str(t.pk)
    )
    assert entry.details["cahier_liaison"] is True


# Upper bounds of the SQL queries of one page, whatever the number of notes, readers and
# persons (session, user, établissement, rights, person, journal entry included).
TIMELINE_MAX_QUERIES = 23
HANDOVER_MAX_QUERIES = 21


def test_the_timeline_page_stays_within_its_query_budget(
    login, usager, collegue, referent, etab, django_assert_max_num_queries
):
    client = login(referent)
    for _ in range(40):  # more than a page
        t = make_transmission(usager, collegue, etab, is_urgent=True, partage_cahier_liaison=True)
        services.transmission_acknowledge(actor=collegue, transmission=t)
    with django_assert_max_num_queries(TIMELINE_MAX_QUERIES):
        assert (
            client.get(reverse("accompagnement:transmissions", args=[usager.pk])).status_code == 200
        )


def test_the_handover_page_stays_within_its_query_budget(
    login, collegue, referent, etab, django_assert_max_num_queries
):
    client = login(referent)
    _write_many(etab, collegue, collegue, 35)  # 35 persons, more than a page
    for url in (
        reverse("accompagnement:transmissions_releve"),
        reverse("accompagnement:transmissions_releve") + "?urgentes=on",
    ):
        with django_assert_max_num_queries(HANDOVER_MAX_QUERIES):
            assert client.get(url).status_code == 200


def test_the_unit_filter_keeps_the_persons_staying_in_the_unit(login, collegue, referent, etab):
    from dui.structures.tests.factories import UniteFactory

    aile, autre_aile = UniteFactory(etablissement=etab), UniteFactory(etablissement=etab)
    ici = PriseEnChargeFactory(etablissement=etab, unite=aile).usager
    ailleurs = PriseEnChargeFactory(etablissement=etab, unite=autre_aile).usager
    make_transmission(ici, collegue, etab, texte="Dans l'aile")
    make_transmission(ailleurs, collegue, etab, texte="Dans l'autre aile")
    page = (
        login(referent)
        .get(reverse("accompagnement:transmissions_releve"), {"unite": aile.pk})
        .content.decode()
    )
    assert "Dans l&#x27;aile" in page and "autre aile" not in page


def test_an_unknown_unit_filters_nothing_in(login, collegue, referent, etab, autre_etab):
    from dui.structures.tests.factories import UniteFactory

    elsewhere = UniteFactory(etablissement=autre_etab)
    make_transmission(PriseEnChargeFactory(etablissement=etab).usager, collegue, etab, texte="Ici")
    response = login(referent).get(
        reverse("accompagnement:transmissions_etablissement"), {"unite": elsewhere.pk}
    )
    assert response.status_code == 200 and "Ici" not in response.content.decode()
