import datetime
from decimal import Decimal

from django.utils import timezone

from dui.soins.models import SeuilAlerte, seuils_for
from dui.soins.tableau import series_for
from dui.soins.tests.factories import MesureFactory


def _serie(series, code):
    return next(s for s in series if s.type == code)


def test_default_thresholds_highlight_low_spo2_and_fever(etab, usager):
    MesureFactory(usager=usager, type="spo2", valeur=Decimal("91"))
    MesureFactory(usager=usager, type="temperature", valeur=Decimal("38.0"))
    MesureFactory(usager=usager, type="pouls", valeur=Decimal("80"))
    series = series_for(usager, seuils_for(etab.pk))
    assert _serie(series, "spo2").dernier.marqueur == "↓ bas"
    assert _serie(series, "temperature").dernier.marqueur == "↑ élevé"
    assert _serie(series, "pouls").dernier.ecart == ""


def test_configured_threshold_replaces_the_default(etab, usager, referent):
    SeuilAlerte.objects.create(
        etablissement=etab, type="spo2", bas=Decimal("88"), modifie_par=referent
    )
    MesureFactory(usager=usager, type="spo2", valeur=Decimal("90"))
    assert _serie(series_for(usager, seuils_for(etab.pk)), "spo2").dernier.ecart == ""
    assert _serie(series_for(usager, seuils_for(None)), "spo2").dernier.ecart == "bas"


def test_systolic_pressure_decides_blood_pressure_alerts(etab, usager):
    MesureFactory(usager=usager, type="tension", valeur=Decimal("165"), valeur2=Decimal("85"))
    assert _serie(series_for(usager, seuils_for(etab.pk)), "tension").dernier.ecart == "haut"


def test_bmi_is_computed_from_the_last_height_before_the_weight(etab, usager):
    now = timezone.now()
    MesureFactory(
        usager=usager,
        type="taille",
        valeur=Decimal("150"),
        mesure_le=now - datetime.timedelta(days=30),
    )
    MesureFactory(
        usager=usager,
        type="taille",
        valeur=Decimal("160"),
        mesure_le=now - datetime.timedelta(days=10),
    )
    MesureFactory(
        usager=usager,
        type="poids",
        valeur=Decimal("51.2"),
        mesure_le=now - datetime.timedelta(days=1),
    )
    imc = _serie(series_for(usager, seuils_for(etab.pk)), "imc").dernier
    assert imc.valeur == Decimal("20.0")  # 51.2 / 1.60²
    assert imc.ecart == "bas"  # below 21 (HAS undernutrition criterion)


def test_corrected_measure_leaves_the_chart_but_its_correction_shows(etab, usager, referent):
    from dui.soins.services import mesure_correct

    old = MesureFactory(usager=usager, type="pouls", valeur=Decimal("180"))
    mesure_correct(actor=referent, mesure=old, valeur=Decimal("80"), motif="Erreur")
    serie = _serie(series_for(usager, seuils_for(etab.pk)), "pouls")
    assert [p.valeur for p in serie.points] == [Decimal("80")]
    assert serie.dernier.mesure.corrige_id == old.pk


def test_chart_draws_threshold_lines(etab, usager):
    MesureFactory(usager=usager, type="pouls", valeur=Decimal("80"))
    g = _serie(series_for(usager, seuils_for(etab.pk)), "pouls").graphique
    assert [s["label"] for s in g["seuils"]] == ["min 50", "max 120"]
