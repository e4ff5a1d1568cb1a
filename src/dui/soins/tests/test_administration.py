"""Administration traceability: planned doses from posologies, given / late / not given with
reasons, one trace per dose and corrections superseding, "si besoin" maximum, changes of a
line during a day, the untraced doses once their slot has ended."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_pro
from dui.audit.models import Entree
from dui.soins import administration, tournee
from dui.soins.creneaux import PAR_CODE
from dui.soins.models import Administration, LigneMedicament, Prescription
from dui.soins.services import SoinsError

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 3, 10)


def at(hour: int, minute: int = 0, day: datetime.date = D) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute)).replace(
        tzinfo=timezone.get_current_timezone()
    )


def ligne(usager, actor, medicament="Amlodipine", prises=None, **kw):
    p = Prescription.objects.create(
        usager=usager, date_prescription=D, prescripteur_nom="Dr X", saisi_par=actor
    )
    return LigneMedicament.objects.create(
        prescription=p,
        usager=usager,
        medicament=medicament,
        prises=prises
        if prises is not None
        else [
            {"moment": "matin", "heure": "", "quantite": "1"},
            {"moment": "soir", "heure": "", "quantite": "0.5"},
        ],
        debut=kw.pop("debut", D - datetime.timedelta(days=5)),
        saisi_par=actor,
        **kw,
    )


def test_planned_doses_per_slot(usager, referent):
    lg = ligne(
        usager,
        referent,
        prises=[
            {"moment": "matin", "heure": "", "quantite": "1"},
            {"moment": "", "heure": "21:30", "quantite": "2"},
            {"moment": "", "heure": "07:00", "quantite": "1"},
        ],
    )
    doses = tournee.doses_of(lg, D)
    assert [(d.creneau.code, d.prise, d.quantite) for d in doses] == [
        ("matin", "07:00", Decimal("1")),
        ("matin", "matin", Decimal("1")),
        ("coucher", "21:30", Decimal("2")),
    ]
    assert tournee.doses_of(lg, D, PAR_CODE["midi"]) == []


def test_given_late_and_not_given_with_reason(usager, referent):
    lg = ligne(usager, referent)
    t = administration.dose_tracer(
        actor=referent, ligne=lg, jour=D, prise="matin", statut="donne", now=at(8, 30)
    )
    assert (t.statut, t.trace_par, t.administre_le) == ("donne", referent, at(8, 30))
    entry = Entree.objects.filter(object_type="soins.administration").get()
    assert entry.usager_id == usager.pk and entry.details["statut"] == "donne"
    late = administration.dose_tracer(
        actor=referent,
        ligne=lg,
        jour=D - datetime.timedelta(days=1),
        prise="matin",
        statut="donne",
        now=at(12, 0),
    )
    assert late.statut == "donne_retard"
    refused = administration.dose_tracer(
        actor=referent,
        ligne=lg,
        jour=D,
        prise="soir",
        statut="non_donne",
        motif="refus",
        commentaire="Refuse de prendre le comprimé",
        now=at(18, 40),
    )
    assert (refused.statut, refused.motif, refused.administre_le) == ("non_donne", "refus", None)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (dict(statut="non_donne"), "motif"),
        (dict(statut="non_donne", motif="inconnu"), "motif"),
        (dict(statut="non_donne", motif="autre"), "commentaire"),
        (dict(statut="donne", motif="refus"), "motif"),
        (dict(statut="peut-etre"), "statut"),
        (dict(statut="donne", prise="midi"), ""),
        (dict(statut="donne", prise="soir"), ""),  # the evening slot has not begun at 08:30
        (dict(statut="donne", jour=D + datetime.timedelta(days=1)), ""),
    ],
)
def test_bad_traces_are_refused_and_nothing_saved(usager, referent, kw, field):
    lg = ligne(usager, referent)
    kw.setdefault("prise", "matin")
    kw.setdefault("jour", D)
    with pytest.raises(SoinsError) as error:
        administration.dose_tracer(actor=referent, ligne=lg, now=at(8, 30), **kw)
    assert field in error.value.errors
    assert not Administration.objects.exists()
    assert not Entree.objects.filter(object_type="soins.administration").exists()


def test_each_not_given_reason_is_kept(usager, referent):
    lg = ligne(
        usager,
        referent,
        prises=[
            {"moment": "", "heure": h, "quantite": "1"}
            for h in ("07:00", "08:00", "09:00", "10:00", "10:30")
        ],
    )
    for heure, motif in zip(
        ("07:00", "08:00", "09:00", "10:00", "10:30"),
        ("refus", "absent", "vomi", "hospitalise", "autre"),
        strict=True,
    ):
        administration.dose_tracer(
            actor=referent,
            ligne=lg,
            jour=D,
            prise=heure,
            statut="non_donne",
            motif=motif,
            commentaire="précision",
            now=at(10, 45),
        )
    assert sorted(Administration.objects.values_list("motif", flat=True)) == sorted(
        ["refus", "absent", "vomi", "hospitalise", "autre"]
    )


def test_a_dose_is_traced_once_and_corrections_supersede(usager, referent, etab):
    lg = ligne(usager, referent)
    first = administration.dose_tracer(
        actor=referent, ligne=lg, jour=D, prise="matin", statut="donne", now=at(8, 30)
    )
    other = make_pro(etab, "soignant")
    with pytest.raises(SoinsError):
        administration.dose_tracer(
            actor=other,
            ligne=lg,
            jour=D,
            prise="matin",
            statut="non_donne",
            motif="refus",
            now=at(8, 40),
        )
    assert Administration.objects.count() == 1
    new = administration.trace_corriger(
        actor=other, trace=first, statut="non_donne", motif="vomi", commentaire="Vomi à 8h45"
    )
    first.refresh_from_db()
    assert first.remplacee_le is not None and first.statut == "donne"
    assert (new.corrige, new.statut, new.motif, new.trace_par) == (
        first,
        "non_donne",
        "vomi",
        other,
    )
    with pytest.raises(SoinsError):
        administration.trace_corriger(actor=other, trace=first, statut="donne")
    assert Administration.objects.count() == 2


def test_non_soins_writer_cannot_trace(usager, referent, etab):
    lg = ligne(usager, referent)
    for role in ("educatif", "direction", "psychologue"):
        with pytest.raises(SoinsError):
            administration.dose_tracer(
                actor=make_pro(etab, role),
                ligne=lg,
                jour=D,
                prise="matin",
                statut="donne",
                now=at(8, 30),
            )
    assert not Administration.objects.exists()


def test_si_besoin_maximum_per_day(usager, referent):
    lg = ligne(
        usager,
        referent,
        medicament="Paracétamol",
        prises=[{"moment": "", "heure": "", "quantite": "1"}],
        si_besoin=True,
        condition="douleur",
        max_par_jour=2,
    )
    now = timezone.now()
    lg.debut = timezone.localdate(now) - datetime.timedelta(days=1)
    lg.save()
    administration.si_besoin_tracer(actor=referent, ligne=lg, now=now)
    administration.si_besoin_tracer(actor=referent, ligne=lg, quantite=Decimal("0.5"), now=now)
    with pytest.raises(SoinsError) as error:
        administration.si_besoin_tracer(actor=referent, ligne=lg, now=now)
    assert "Maximum atteint" in str(error.value)
    assert Administration.objects.filter(prise="").count() == 2
    regular = ligne(usager, referent)
    with pytest.raises(SoinsError):
        administration.si_besoin_tracer(actor=referent, ligne=regular, now=now)


def test_change_during_the_day_neither_doubles_nor_drops_a_dose(usager, referent):
    old = ligne(usager, referent)
    old.arret_le = at(12, 0)
    old.save()
    new = ligne(usager, referent, medicament="Amlodipine 10", debut=D, remplace=old)
    slots = [(d.ligne.pk, d.creneau.code) for lg in (old, new) for d in tournee.doses_of(lg, D)]
    assert slots == [(old.pk, "matin"), (new.pk, "soir")]


def test_untraced_doses_once_their_slot_has_ended(usager, referent, etab):
    lg = ligne(usager, referent)
    assert tournee.non_tracees(referent, etab, D, now=at(10, 0)) == []
    [n] = tournee.non_tracees(referent, etab, D, now=at(11, 5))
    assert (n.usager, n.dose.prise) == (usager, "matin")
    administration.dose_tracer(
        actor=referent,
        ligne=lg,
        jour=D,
        prise="matin",
        statut="non_donne",
        motif="absent",
        now=at(11, 10),
    )
    assert tournee.non_tracees(referent, etab, D, now=at(11, 15)) == []
    assert [n.dose.prise for n in tournee.non_tracees(referent, etab, D, now=at(23, 0))] == ["soir"]
    # Nothing for a role that does not read soins data.
    assert tournee.non_tracees(make_pro(etab, "educatif"), etab, D, now=at(23, 0)) == []
