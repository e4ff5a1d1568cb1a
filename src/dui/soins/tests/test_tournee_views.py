"""The round view and tracing through it: who sees it, one tap per dose (htmx or plain
POST), not-given reasons, corrections, the untraced list, the home block, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.soins.models import Administration, LigneMedicament, Prescription
from dui.soins.tests.factories import AllergieFactory
from dui.soins.tournee import creneau_or_current
from dui.structures.tests.factories import UniteFactory
from dui.usagers.tests.factories import PriseEnChargeFactory

pytestmark = pytest.mark.django_db
EVERY_SLOT = [
    {"moment": "", "heure": "03:00", "quantite": "1"},
    {"moment": "matin", "heure": "", "quantite": "1"},
    {"moment": "midi", "heure": "", "quantite": "1"},
    {"moment": "soir", "heure": "", "quantite": "1"},
    {"moment": "coucher", "heure": "", "quantite": "1"},
]


def _ligne(usager, actor, medicament="Furosémide", **kw):
    p = Prescription.objects.create(
        usager=usager,
        date_prescription=timezone.localdate(),
        prescripteur_nom="Dr X",
        saisi_par=actor,
    )
    kw.setdefault("prises", EVERY_SLOT)
    return LigneMedicament.objects.create(
        prescription=p,
        usager=usager,
        medicament=medicament,
        debut=timezone.localdate(),
        saisi_par=actor,
        **kw,
    )


def _current_prise():
    code = creneau_or_current(None).code
    return "03:00" if code == "nuit" else code


def _post(ligne, **kw):
    data = {
        "ligne": ligne.pk,
        "jour": timezone.localdate().isoformat(),
        "prise": _current_prise(),
        "creneau": creneau_or_current(None).code,
    }
    data.update(kw)
    return data


URLS = [
    ("soins:tournee", "get"),
    ("soins:doses_non_tracees", "get"),
    ("soins:dose_tracer", "post"),
    ("soins:si_besoin_tracer", "post"),
]


@pytest.mark.parametrize("role", ["accueil", "educatif", "dpo", "administrateur"])
@pytest.mark.parametrize(("name", "method"), URLS)
def test_non_health_roles_get_404(etab, usager, referent, login, role, name, method):
    ligne = _ligne(usager, referent)
    client = login(make_pro(etab, role))
    response = getattr(client, method)(reverse(name), _post(ligne, statut="donne"))
    assert response.status_code == 404
    assert not Administration.objects.exists()


def test_correction_url_refused_to_non_health_and_other_etab(
    etab, usager, referent, autre_etab_pro, login
):
    ligne = _ligne(usager, referent)
    login(referent).post(reverse("soins:dose_tracer"), _post(ligne, statut="donne"))
    trace = Administration.objects.get()
    url = reverse("soins:trace_corriger", args=[trace.pk])
    for user in (make_pro(etab, "educatif"), autre_etab_pro):
        response = login(user).post(url, {"statut": "non_donne", "motif": "refus"})
        assert response.status_code == 404
    assert Administration.objects.count() == 1


def test_other_etablissement_does_not_see_or_trace(usager, referent, autre_etab_pro, login):
    ligne = _ligne(usager, referent)
    client = login(autre_etab_pro)
    html = client.get(reverse("soins:tournee")).content.decode()
    assert "Furosémide" not in html
    assert (
        client.post(reverse("soins:dose_tracer"), _post(ligne, statut="donne")).status_code == 404
    )
    assert not Administration.objects.exists()


def test_nurse_traces_with_htmx_and_the_counter_shrinks(usager, referent, login):
    ligne = _ligne(usager, referent)
    _ligne(usager, referent, medicament="Bisoprolol")
    AllergieFactory(usager=usager, substance="Pénicilline")
    client = login(referent)
    html = client.get(reverse("soins:tournee")).content.decode()
    assert "Furosémide" in html and "Bisoprolol" in html and "Pénicilline" in html
    assert "<strong>2</strong> doses à tracer sur 2" in html
    list_entry = Entree.objects.filter(action="list", object_type="soins.administration").get()
    assert list_entry.details["usager_ids"] == [usager.pk]
    response = client.post(
        reverse("soins:dose_tracer"), _post(ligne, statut="donne"), HTTP_HX_REQUEST="true"
    )
    part = response.content.decode()
    assert response.status_code == 200 and f'id="tu-{usager.pk}"' in part
    assert 'hx-swap-oob="true"' in part and "<strong>1</strong> dose à tracer sur 2" in part
    trace = Administration.objects.get()
    assert (trace.statut, trace.trace_par, trace.usager) == ("donne", referent, usager)
    entry = Entree.objects.filter(object_type="soins.administration", action="create").get()
    assert entry.usager_id == usager.pk


def test_not_given_needs_a_reason_and_is_shown(usager, referent, login):
    ligne = _ligne(usager, referent)
    client = login(referent)
    response = client.post(
        reverse("soins:dose_tracer"), _post(ligne, statut="non_donne"), HTTP_HX_REQUEST="true"
    )
    assert "Indiquez pourquoi la dose" in response.content.decode()
    assert not Administration.objects.exists()
    response = client.post(
        reverse("soins:dose_tracer"),
        _post(ligne, statut="non_donne", motif="refus", commentaire="Refus ce matin"),
    )
    assert response.status_code == 302 and f"#tu-{usager.pk}" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "Non donné : refus" in html and "Refus ce matin" in html


def test_what_people_typed_is_escaped_in_the_round(usager, referent, login):
    ligne = _ligne(
        usager, referent, medicament='<img src=x onerror="alert(1)">', instructions="<b>écrasé</b>"
    )
    _ligne(usager, referent, medicament="Bisoprolol")
    client = login(referent)
    client.post(
        reverse("soins:dose_tracer"),
        _post(ligne, statut="non_donne", motif="refus", commentaire='"><script>x</script>'),
    )
    html = client.get(reverse("soins:tournee")).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<b>écrasé</b>" not in html and "&lt;b&gt;écrasé&lt;/b&gt;" in html
    assert "<script>x</script>" not in html and "&quot;&gt;&lt;script&gt;x&lt;/script&gt;" in html
    assert "Non donné : refus" in html


def test_correction_supersedes_and_keeps_the_first(usager, referent, collegue, login):
    ligne = _ligne(usager, referent)
    login(referent).post(reverse("soins:dose_tracer"), _post(ligne, statut="donne"))
    first = Administration.objects.get()
    response = login(collegue).post(
        reverse("soins:trace_corriger", args=[first.pk]),
        {"statut": "non_donne", "motif": "vomi", "creneau": creneau_or_current(None).code},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    new = Administration.objects.get(corrige=first)
    assert first.remplacee_le is not None and (new.statut, new.motif) == ("non_donne", "vomi")


def test_si_besoin_traced_from_the_round(usager, referent, login):
    ligne = _ligne(
        usager,
        referent,
        medicament="Paracétamol",
        prises=[{"moment": "", "heure": "", "quantite": "1"}],
        si_besoin=True,
        condition="douleur",
        max_par_jour=1,
    )
    client = login(referent)
    assert "Paracétamol" in client.get(reverse("soins:tournee")).content.decode()
    data = {"ligne": ligne.pk, "commentaire": "EVA 6"}
    client.post(reverse("soins:si_besoin_tracer"), data)
    response = client.post(reverse("soins:si_besoin_tracer"), data, HTTP_HX_REQUEST="true")
    assert "Maximum atteint" in response.content.decode()
    assert Administration.objects.filter(prise="", commentaire="EVA 6").count() == 1


def test_round_filters_by_unit(etab, usager, referent, login):
    unite = UniteFactory(etablissement=etab, nom="Les Lilas")
    autre = PriseEnChargeFactory(etablissement=etab, unite=unite).usager
    _ligne(usager, referent, medicament="Furosémide")
    _ligne(autre, referent, medicament="Lévothyrox")
    html = login(referent).get(reverse("soins:tournee"), {"unite": unite.pk}).content.decode()
    assert "Lévothyrox" in html and "Furosémide" not in html


def test_home_block_and_nav_for_care_roles_only(etab, usager, referent, login):
    _ligne(usager, referent)
    html = login(referent).get(reverse("ui:home")).content.decode()
    assert "Doses non tracées aujourd&#x27;hui" in html or "Doses non tracées aujourd'hui" in html
    assert reverse("soins:tournee") in html
    other = login(make_pro(etab, "educatif")).get(reverse("ui:home")).content.decode()
    assert reverse("soins:tournee") not in other


def test_round_query_count_is_bounded(etab, referent, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unite = UniteFactory(etablissement=etab)
    client = login(referent)
    url = reverse("soins:tournee")

    def add_person():
        person = PriseEnChargeFactory(etablissement=etab, unite=unite).usager
        for name in ("A", "B", "C"):
            _ligne(person, referent, medicament=name)
        AllergieFactory(usager=person)

    add_person()
    client.get(url, {"unite": unite.pk})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"unite": unite.pk})
    for _ in range(5):
        add_person()
    with django_assert_max_num_queries(len(one)):
        html = client.get(url, {"unite": unite.pk}).content.decode()
    assert html.count('class="card tournee-personne') == 6
    with django_assert_max_num_queries(30):
        client.get(url, {"unite": unite.pk})


def test_not_given_form_loaded_on_demand_then_posted(usager, referent, login, etab):
    ligne = _ligne(usager, referent)
    client = login(referent)
    dose = f"{ligne.pk}|{_current_prise()}"
    url = reverse("soins:dose_formulaire")
    part = client.get(url, {"dose": dose}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and 'name="motif"' in part and "Hospitalisé" in part
    page = client.get(url, {"dose": dose}).content.decode()
    assert "<html" in page and "Retour à la tournée" in page
    # Who cannot trace gets no form; an unknown dose neither.
    assert login(make_pro(etab, "psychologue")).get(url, {"dose": dose}).status_code == 404
    assert client.get(url, {"dose": "999999|matin"}).status_code == 404
    response = client.post(
        reverse("soins:dose_tracer") + "?creneau=" + creneau_or_current(None).code,
        {"dose": dose, "statut": "non_donne", "motif": "hospitalise",
         "jour": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    trace = Administration.objects.get()
    assert (trace.statut, trace.motif) == ("non_donne", "hospitalise")
    part = client.get(url, {"trace": trace.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "Finalement donné" in part and reverse("soins:trace_corriger", args=[trace.pk]) in part
