"""A nurse traces a medication round on a tablet: opens the round of the current slot from
the navigation, taps "Donné" for one resident, records a dose not given with its reason
(the form loads on demand), and watches the count of doses to trace shrink; then goes
through yesterday's untraced doses and sees that list shrink too."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.comptes.models import Habilitation, Role
from dui.comptes.roles import install_profiles
from dui.comptes.tests.factories import AffectationFactory, UserFactory
from dui.soins.models import Administration, LigneMedicament, Prescription
from dui.structures.tests.factories import EtablissementFactory, OrganismeFactory, UniteFactory
from dui.usagers.tests.factories import PriseEnChargeFactory
from e2e.test_login_journey import assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# One intake in every slot, so that the current slot has a dose whatever the time.
EVERY_SLOT = [
    {"moment": "", "heure": "03:00", "quantite": "1"},
    {"moment": "matin", "heure": "", "quantite": "1"},
    {"moment": "midi", "heure": "", "quantite": "1"},
    {"moment": "soir", "heure": "", "quantite": "1"},
    {"moment": "coucher", "heure": "", "quantite": "1"},
]


@pytest.fixture
def unit():
    install_profiles(Role, Habilitation)
    ehpad = EtablissementFactory(organisme=OrganismeFactory(), nom="EHPAD Les Tilleuls")
    unite = UniteFactory(etablissement=ehpad, nom="Les Lilas")
    nurse = UserFactory(prenom="Inès", nom="Infirmière", email="ide@exemple.fr")
    AffectationFactory(user=nurse, etablissement=ehpad, role=Role.objects.get(code="infirmier"))
    device = TOTPDevice.objects.create(user=nurse, name="tablette", confirmed=True)
    hier = timezone.localdate() - datetime.timedelta(days=1)
    residents = []
    for nom, medicament in (
        ("ARNAUD", "Furosémide 40 mg"),
        ("BLANC", "Lévothyroxine 50 µg"),
        ("CHEVALIER", "Amlodipine 5 mg"),
    ):
        usager = PriseEnChargeFactory(
            etablissement=ehpad, unite=unite, usager__nom_naissance=nom
        ).usager
        p = Prescription.objects.create(
            usager=usager, date_prescription=hier, prescripteur_nom="Dr Martin", saisi_par=nurse
        )
        LigneMedicament.objects.create(
            prescription=p, usager=usager, medicament=medicament, prises=EVERY_SLOT,
            debut=hier, saisi_par=nurse,
        )  # fmt: skip
        residents.append(usager)
    return nurse, device, unite, residents


def _counter(page) -> int:
    text = page.inner_text("#tournee-compteur")
    match = re.search(r"(\d+) doses? à tracer", text)
    assert match, text
    return int(match.group(1))


def test_nurse_traces_a_round_on_a_tablet(browser, live_server, unit, artifacts):
    nurse, device, unite, (arnaud, blanc, chevalier) = unit
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="fr-FR")
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text),
    )
    try:
        log_in(page, live_server, nurse, device)
        assert "Doses non tracées aujourd'hui" in page.inner_text("main")
        page.click("nav[aria-label='Navigation principale'] >> text=Tournée des médicaments")
        page.wait_for_url(f"**{reverse('soins:tournee')}**")
        page.select_option("#tournee-unite", str(unite.pk))
        page.click("form.tournee-filtres button[type=submit]")
        page.wait_for_url(re.compile(rf".*unite={unite.pk}.*"))
        assert_accessible(page)
        assert _counter(page) == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
        # Touch targets are large enough for a finger.
        box = page.locator(f"#tu-{arnaud.pk} button.tournee-donne").bounding_box()
        assert box and box["height"] >= 44
        page.screenshot(path=str(artifacts / "tournee-tablette.png"), full_page=True)

        # One tap: given. The card and the counter update in place (htmx).
        page.click(f"#tu-{arnaud.pk} button.tournee-donne")
        page.wait_for_selector(f"#tu-{arnaud.pk} .tournee-trace")
        assert "Donné" in page.inner_text(f"#tu-{arnaud.pk} .tournee-trace")
        assert "Inès Infirmière" in page.inner_text(f"#tu-{arnaud.pk} .tournee-trace")
        assert _counter(page) == 2

        # Not given: the reasons load on demand; "Refus" with a comment.
        page.click(f"#tu-{blanc.pk} a:has-text('Non donné')")
        page.wait_for_selector(f"#tu-{blanc.pk} form.tournee-formulaire")
        assert_accessible(page)
        page.check(f"#tu-{blanc.pk} input[name=motif][value=refus]")
        page.fill(f"#tu-{blanc.pk} input[name=commentaire]", "Refuse, sera reproposé")
        page.click(f"#tu-{blanc.pk} button:has-text('Enregistrer « non donné »')")
        page.wait_for_selector(f"#tu-{blanc.pk} .tournee-trace")
        trace_text = page.inner_text(f"#tu-{blanc.pk} .tournee-trace")
        assert "Non donné : refus" in trace_text and "Refuse, sera reproposé" in trace_text
        assert _counter(page) == 1
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "tournee-tracee.png"), full_page=True)

        traces = {t.usager_id: t for t in Administration.objects.all()}
        assert traces[arnaud.pk].statut in ("donne", "donne_retard")
        assert (traces[blanc.pk].statut, traces[blanc.pk].motif) == ("non_donne", "refus")
        assert chevalier.pk not in traces

        # Yesterday's doses nobody traced are listed; tracing one (late) shrinks the list.
        hier = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        page.goto(f"{live_server.url}{reverse('soins:doses_non_tracees')}?jour={hier}")
        assert_accessible(page)
        rows = page.locator("main table tbody tr")
        assert rows.count() == 15
        page.locator("main table tbody tr").first.locator("a").click()
        page.wait_for_url(re.compile(rf".*jour={hier}.*"))
        first = page.locator("button.tournee-donne").first
        first.click()
        page.wait_for_selector(".tournee-trace")
        assert "Donné en retard" in page.inner_text(".tournee-trace >> nth=0")
        page.goto(f"{live_server.url}{reverse('soins:doses_non_tracees')}?jour={hier}")
        assert page.locator("main table tbody tr").count() == 14
        page.screenshot(path=str(artifacts / "doses-non-tracees.png"), full_page=True)
    finally:
        context.close()
