"""Cahier de liaison: partners per établissement, sharing and withdrawing traced, category
rules kept on shared notes, what a partner may see, the printed cahier journaled."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from conftest import make_pro
from dui.accompagnement import liaison
from dui.accompagnement.models import PartageTransmission, Partenaire, Transmission
from dui.accompagnement.tests.factories import make_partenaire, make_transmission
from dui.audit.models import AuditAction, Entree
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def ssiad(etab):
    return make_partenaire(etab, nom="SSIAD Lyon Est")


def share(actor, t, partenaire=None):  # type: ignore[no-untyped-def]
    return liaison.transmission_share(
        actor=actor,
        transmission=t,
        destinataire="partenaire" if partenaire else "personne",
        partenaire=partenaire,
    )


# --- partners ---------------------------------------------------------------------------------


def test_partners_are_listed_per_etablissement(login, etab, autre_etab, referent):
    make_partenaire(etab, nom="Cabinet infirmier Bron")
    make_partenaire(autre_etab, nom="Portage de repas Vénissieux")
    page = login(referent).get(reverse("accompagnement:partenaires")).content.decode()
    assert "Cabinet infirmier Bron" in page and "Portage de repas" not in page


def test_the_chef_de_service_creates_a_partner_and_it_is_journaled(login, etab):
    chef = make_pro(etab, "chef_service")
    response = login(chef).post(
        reverse("accompagnement:partenaire_new"),
        {
            "nom": "SSIAD du Rhône",
            "siret": "732 829 320 00074",
            "convention_debut": "2026-01-01",
            "contact_nom": "Mme Durand",
        },
    )
    assert response.status_code == 302
    p = Partenaire.objects.get()
    assert (p.etablissement, p.siret) == (etab, "73282932000074")
    entry = Entree.objects.get(action=AuditAction.CREATE, object_type="accompagnement.partenaire")
    assert entry.etablissement_id == etab.pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"siret": "73282932000075"}, "clé de contrôle"),
        ({"siret": "1234"}, "14 chiffres"),
        ({"siret": "", "finess": ""}, "FINESS ou le numéro SIRET"),
        ({"convention_fin": "2025-12-31"}, "avant son début"),
    ],
)
def test_a_bad_partner_is_refused_with_a_clear_message(login, etab, data, message):
    chef = make_pro(etab, "chef_service")
    values = {"nom": "SSIAD", "siret": "73282932000074", "convention_debut": "2026-01-01"}
    values.update(data)
    response = login(chef).post(reverse("accompagnement:partenaire_new"), values)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Partenaire.objects.exists()


def test_a_stale_partner_save_is_refused(etab, ssiad):
    chef = make_pro(etab, "chef_service")
    data = {f: getattr(ssiad, f) for f in liaison.PARTENAIRE_FIELDS}
    liaison.partenaire_save(
        actor=chef, etablissement=etab, partenaire=ssiad, version=1, data={**data, "nom": "A"}
    )
    with pytest.raises(liaison.LiaisonError, match="modifié entre-temps"):
        liaison.partenaire_save(
            actor=chef, etablissement=etab, partenaire=ssiad, version=1, data={**data, "nom": "B"}
        )
    ssiad.refresh_from_db()
    assert (ssiad.nom, ssiad.version) == ("A", 2)


def test_a_soignant_does_not_manage_partners(collegue, etab):
    with pytest.raises(liaison.LiaisonError):
        liaison.partenaire_save(
            actor=collegue,
            etablissement=etab,
            data={"nom": "X", "siret": "73282932000074", "convention_debut": TODAY},
        )
    assert not Partenaire.objects.exists()


# --- sharing and unsharing ---------------------------------------------------------------------


def test_sharing_and_unsharing_are_traced_and_journaled(usager, collegue, etab, ssiad):
    t = make_transmission(usager, collegue, etab)
    partage = share(collegue, t, ssiad)
    t.refresh_from_db()
    assert t.partage_cahier_liaison and partage.partage_par == collegue
    created = Entree.objects.get(
        action=AuditAction.CREATE, object_type="accompagnement.partagetransmission"
    )
    assert created.details["partenaire"] == ssiad.pk and created.usager_id == usager.pk

    liaison.transmission_unshare(actor=collegue, partage=partage, motif="Fin de la prise en charge")
    partage.refresh_from_db()
    t.refresh_from_db()
    assert partage.retire_le is not None and partage.retire_par == collegue
    assert partage.motif_retrait == "Fin de la prise en charge"
    assert not t.partage_cahier_liaison
    assert PartageTransmission.objects.count() == 1  # the trace stays
    withdrawn = Entree.objects.get(
        action=AuditAction.UPDATE, object_type="accompagnement.partagetransmission"
    )
    assert withdrawn.reason == "Fin de la prise en charge"
    assert list(liaison.shared_with(usager, ssiad)) == []

    again = share(collegue, t, ssiad)  # sharing again is a new row
    assert again.pk != partage.pk and PartageTransmission.objects.count() == 2


def test_unsharing_needs_a_reason(usager, collegue, etab):
    t = make_transmission(usager, collegue, etab, partage_cahier_liaison=True)
    with pytest.raises(liaison.LiaisonError, match="motif"):
        liaison.transmission_unshare(actor=collegue, partage=t.partages.get(), motif=" ")
    assert t.partages.get().retire_le is None


def test_the_form_flag_shares_with_the_person_and_a_correction_carries_the_sharing(
    usager, collegue, etab, ssiad
):
    from dui.accompagnement import transmissions

    t = make_transmission(usager, collegue, etab, partage_cahier_liaison=True)
    assert t.partages.get().destinataire == "personne"
    share(collegue, t, ssiad)
    correction = transmissions.transmission_correct(
        actor=collegue, transmission=t, motif="Faute", type="libre", texte="Corrigé."
    )
    assert {p.destinataire for p in correction.partages.all()} == {"personne", "partenaire"}
    assert list(liaison.shared_with(usager, ssiad)) == [correction]


def test_a_partner_sees_only_what_is_shared_with_it_during_its_convention(
    usager, collegue, etab, ssiad
):
    other = make_partenaire(etab, nom="Kiné", siret="73282932000074")
    mine = make_transmission(usager, collegue, etab, texte="Pour le SSIAD")
    make_transmission(usager, collegue, etab, texte="Pour le kiné")
    share(collegue, mine, ssiad)
    share(collegue, Transmission.objects.get(texte="Pour le kiné"), other)
    assert list(liaison.shared_with(usager, ssiad)) == [mine]
    ssiad.convention_fin = TODAY - datetime.timedelta(days=1)
    ssiad.save()
    assert list(liaison.shared_with(usager, ssiad)) == []


def test_no_sharing_with_a_partner_out_of_convention_or_of_another_etablissement(
    usager, collegue, etab, autre_etab
):
    t = make_transmission(usager, collegue, etab)
    ended = make_partenaire(etab, convention_fin=TODAY - datetime.timedelta(days=1))
    elsewhere = make_partenaire(autre_etab)
    with pytest.raises(liaison.LiaisonError, match="convention"):
        share(collegue, t, ended)
    with pytest.raises(liaison.LiaisonError, match="convention"):
        share(collegue, t, elsewhere)
    assert not PartageTransmission.objects.exists()


def test_sharing_twice_with_the_same_recipient_is_refused(usager, collegue, etab):
    t = make_transmission(usager, collegue, etab, partage_cahier_liaison=True)
    with pytest.raises(liaison.LiaisonError, match="déjà partagée"):
        share(collegue, t)
    assert PartageTransmission.objects.count() == 1


# --- category rules still apply ------------------------------------------------------------


def test_only_who_writes_the_category_shares_it(usager, referent, collegue, etab):
    medical = make_transmission(usager, referent, etab, categorie="medical", texte="Bilan")
    with pytest.raises(liaison.LiaisonError, match="habilité"):
        share(collegue, medical)  # a soignant does not write médical notes
    assert not PartageTransmission.objects.exists()


def test_sharing_never_widens_what_a_professional_reads(login, usager, referent, etab, ssiad):
    medical = make_transmission(
        usager, referent, etab, categorie="medical", texte="Bilan cardiologique"
    )
    share(referent, medical, ssiad)
    share(referent, medical)
    educateur = make_pro(etab, "educatif")
    client = login(educateur)
    cahier = client.get(reverse("accompagnement:cahier_liaison", args=[usager.pk]))
    assert "Bilan cardiologique" not in cahier.content.decode()
    export = client.get(reverse("accompagnement:cahier_liaison_export", args=[usager.pk, ssiad.pk]))
    assert export.status_code == 200 and export["Content-Type"] == "application/pdf"
    entry = Entree.objects.get(action=AuditAction.EXPORT, actor_id=educateur.pk)
    assert entry.details["transmissions"] == []  # the shared médical note is left out
    url = reverse("accompagnement:transmission_partager", args=[usager.pk, medical.pk])
    assert client.get(url).status_code == 404


def test_the_referent_exports_the_cahier_for_a_partner_and_it_is_journaled(
    login, usager, referent, etab, ssiad
):
    t = make_transmission(usager, referent, etab, texte="Passage à 18 h")
    share(referent, t, ssiad)
    response = login(referent).get(
        reverse("accompagnement:cahier_liaison_export", args=[usager.pk, ssiad.pk])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = Entree.objects.get(action=AuditAction.EXPORT, usager_id=usager.pk)
    assert entry.details["transmissions"] == [t.pk]
    assert entry.details["partenaire"] == ssiad.pk


def test_export_for_a_partner_of_another_etablissement_is_not_found(
    login, usager, referent, autre_etab
):
    elsewhere = make_partenaire(autre_etab)
    url = reverse("accompagnement:cahier_liaison_export", args=[usager.pk, elsewhere.pk])
    assert login(referent).get(url).status_code == 404
    assert not Entree.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_cahier_page_lists_with_whom_and_is_journaled(login, usager, referent, etab, ssiad):
    t = make_transmission(usager, referent, etab, texte="Visible dans le cahier")
    partage = share(referent, t, ssiad)
    liaison.transmission_unshare(actor=referent, partage=partage, motif="Erreur de destinataire")
    share(referent, t)
    make_transmission(usager, referent, etab, texte="Jamais partagée")
    page = login(referent).get(reverse("accompagnement:cahier_liaison", args=[usager.pk]))
    html = page.content.decode()
    assert "Visible dans le cahier" in html and "Jamais partagée" not in html
    assert "SSIAD Lyon Est" in html and "Erreur de destinataire" in html
    assert "La personne et ses aidants" in html
    entry = Entree.objects.filter(action=AuditAction.READ, usager_id=usager.pk).last()
    assert entry is not None and entry.details["cahier_liaison"] == [t.pk]


def test_sharing_through_the_form(login, usager, collegue, etab, ssiad):
    t = make_transmission(usager, collegue, etab)
    client = login(collegue)
    url = reverse("accompagnement:transmission_partager", args=[usager.pk, t.pk])
    assert "SSIAD Lyon Est" in client.get(url).content.decode()
    response = client.post(url, {"destinataire": f"partenaire-{ssiad.pk}"})
    assert response.status_code == 302
    assert t.partages.get().partenaire == ssiad


def test_the_cahier_page_query_count_is_bounded(login, usager, referent, etab, ssiad):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(referent)
    url = reverse("accompagnement:cahier_liaison", args=[usager.pk])

    def count() -> int:
        client.get(url)  # the session's first page writes it: count a steady request
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    share(referent, make_transmission(usager, referent, etab), ssiad)
    few = count()
    for _ in range(5):
        t = make_transmission(usager, referent, etab, partage_cahier_liaison=True)
        share(referent, t, ssiad)
    assert count() == few


def test_an_intervenant_not_assigned_cannot_open_the_cahier(login, etab):
    other = PriseEnChargeFactory(etablissement=etab).usager
    intervenant = make_pro(etab, "intervenant_domicile")
    url = reverse("accompagnement:cahier_liaison", args=[other.pk])
    assert login(intervenant).get(url).status_code == 404


def test_the_timeline_offers_correct_and_share_only_on_writable_categories(
    login, usager, collegue, etab
):
    soins = make_transmission(usager, collegue, etab, texte="Soins")
    psychologue = make_pro(etab, "psychologue")  # reads soins, writes éducatif only
    make_transmission(usager, psychologue, etab, categorie="educatif", texte="Éducatif")
    page = login(psychologue).get(reverse("accompagnement:transmissions", args=[usager.pk]))
    html = page.content.decode()
    assert "Soins" in html
    share_soins = reverse("accompagnement:transmission_partager", args=[usager.pk, soins.pk])
    assert share_soins not in html
    assert html.count("Partager dans le cahier de liaison") == 1
