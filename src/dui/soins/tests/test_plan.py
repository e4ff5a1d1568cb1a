"""Care plan, care acts and medical observations: rights, history kept, bad input refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.comptes.models import Professionnel
from dui.soins import plan
from dui.soins.models import ActeSoin, ObservationMedicale, SoinPlanifie
from dui.soins.services import SoinsError

pytestmark = pytest.mark.django_db


@pytest.fixture
def medecin(etab, usager):
    user = make_pro(etab, "medecin", prenom="Marc", nom="Médecin")
    Professionnel.objects.create(user=user, profession="medecin", rpps="10001234567")
    return user


def _soin(actor, usager, **kw):
    kw.setdefault("type", "pansement")
    kw.setdefault("frequence", "quotidien")
    kw.setdefault("intervenant", "ide")
    kw.setdefault("debut", timezone.localdate())
    return plan.soin_ajouter(actor=actor, usager=usager, **kw)


def test_plan_and_acts_with_who_and_when(usager, referent, collegue, login):
    soin = _soin(referent, usager, libelle="Talon gauche", moments=["matin"])
    client = login(collegue)
    html = client.get(reverse("soins:plan_de_soins", args=[usager.pk])).content.decode()
    assert "Talon gauche" in html and "Tous les jours" in html
    client.post(reverse("soins:acte_tracer", args=[usager.pk]), {"soin": soin.pk, "fait": "1"})
    client.post(
        reverse("soins:acte_tracer", args=[usager.pk]),
        {"soin": soin.pk, "fait": "0", "commentaire": "Refus de la personne"},
    )
    client.post(reverse("soins:acte_tracer", args=[usager.pk]), {"type": "prise_de_sang"})
    actes = list(ActeSoin.objects.order_by("pk"))
    assert [(a.type, a.fait, a.realise_par) for a in actes] == [
        ("pansement", True, collegue),
        ("pansement", False, collegue),
        ("prise_de_sang", True, collegue),
    ]
    assert Entree.objects.filter(object_type="soins.actesoin", action="create").count() == 3
    html = client.get(reverse("soins:plan_de_soins", args=[usager.pk])).content.decode()
    assert "Refus de la personne" in html and "Colin Collègue" in html


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (dict(type="inconnu"), "type"),
        (dict(type="autre"), "libelle"),
        (dict(frequence="parfois"), "frequence"),
        (dict(moments=["minuit"]), "moments"),
    ],
)
def test_bad_plan_entry_refused(usager, referent, kw, field):
    with pytest.raises(SoinsError) as error:
        _soin(referent, usager, **kw)
    assert field in error.value.errors and not SoinPlanifie.objects.exists()


def test_not_done_needs_a_reason_and_stopped_care_keeps_history(usager, referent):
    soin = _soin(referent, usager)
    with pytest.raises(SoinsError):
        plan.acte_tracer(actor=referent, usager=usager, soin=soin, fait=False)
    assert not ActeSoin.objects.exists()
    plan.soin_arreter(actor=referent, soin=soin, motif="Plaie cicatrisée")
    soin.refresh_from_db()
    assert soin.arret_le is not None and soin.motif_arret == "Plaie cicatrisée"
    with pytest.raises(SoinsError):
        plan.acte_tracer(actor=referent, usager=usager, soin=soin)
    assert SoinPlanifie.objects.count() == 1


def test_observations_by_physicians_only_and_corrections_kept(
    usager, referent, medecin, collegue, login
):
    # A nurse has medical write rights but is not a physician.
    with pytest.raises(SoinsError):
        plan.observation_ajouter(actor=referent, usager=usager, texte="x")
    client = login(medecin)
    url = reverse("soins:observations", args=[usager.pk])
    response = client.post(url, {"type": "consultation", "texte": "  "})
    assert response.status_code == 200 and not ObservationMedicale.objects.exists()
    client.post(url, {"type": "consultation", "texte": "Souffle systolique 2/6."})
    first = ObservationMedicale.objects.get()
    response = client.post(
        reverse("soins:observation_corriger", args=[usager.pk, first.pk]),
        {"type": "consultation", "texte": "Souffle systolique 3/6.", "motif_correction": "Erreur"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    new = ObservationMedicale.objects.get(corrige=first)
    assert first.remplacee_le is not None and first.texte == "Souffle systolique 2/6."
    assert new.texte == "Souffle systolique 3/6." and new.auteur == medecin
    # The nurse reads them (medical read) but cannot write; the aide-soignant gets 404.
    html = login(referent).get(url).content.decode()
    assert "3/6" in html and "Nouvelle observation" not in html
    assert login(referent).post(url, {"type": "visite", "texte": "x"}).status_code == 404
    assert login(collegue).get(url).status_code == 404
    assert ObservationMedicale.objects.count() == 2


def _urls(usager, soin, obs):
    u = usager.pk
    return [
        reverse("soins:plan_de_soins", args=[u]),
        reverse("soins:soin_ajouter", args=[u]),
        reverse("soins:soin_arreter", args=[u, soin.pk]),
        reverse("soins:acte_tracer", args=[u]),
        reverse("soins:observations", args=[u]),
        reverse("soins:observation_corriger", args=[u, obs.pk]),
    ]


@pytest.mark.parametrize("role", ["accueil", "educatif", "dpo"])
@pytest.mark.parametrize("index", range(6))
def test_non_health_roles_get_404(etab, usager, referent, medecin, login, role, index):
    soin = _soin(referent, usager)
    obs = plan.observation_ajouter(actor=medecin, usager=usager, texte="Examen normal.")
    url = _urls(usager, soin, obs)[index]
    client = login(make_pro(etab, role))
    assert client.get(url).status_code in (404, 405)
    data = {"type": "toilette", "fait": "1", "motif": "x", "texte": "x", "motif_correction": "x"}
    assert client.post(url, data).status_code == 404
    assert (
        SoinPlanifie.objects.filter(arret_le__isnull=True).count(),
        ActeSoin.objects.count(),
    ) == (1, 0)
    assert ObservationMedicale.objects.count() == 1


def test_no_care_data_on_the_person_page_for_non_health_roles(
    etab, usager, referent, medecin, login
):
    _soin(referent, usager, libelle="Ulcère jambe droite")
    plan.observation_ajouter(actor=medecin, usager=usager, texte="Suspicion de néoplasie.")
    html = (
        login(make_pro(etab, "educatif"))
        .get(reverse("usagers:detail", args=[usager.pk]))
        .content.decode()
    )
    assert "Ulcère" not in html and "néoplasie" not in html
    assert reverse("soins:plan_de_soins", args=[usager.pk]) not in html
