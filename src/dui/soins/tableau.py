"""What the Constantes tab and the "constantes du jour" page show: latest values judged
against the thresholds, histories, and inline SVG charts (server-rendered, no script)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from dui.comptes import policy
from dui.comptes.models import Categorie, Role
from dui.soins.constantes import SPECS, ecart, format_valeur, imc
from dui.soins.models import Mesure, seuils_for
from dui.structures.models import Etablissement
from dui.usagers.models import MembreEquipe, PriseEnCharge, Usager

Seuils = dict[str, tuple[Decimal | None, Decimal | None]]
MARQUEURS = {"haut": "↑ élevé", "bas": "↓ bas"}


@dataclass
class Point:
    """One value on the tab (a measure, or an IMC computed from a weight)."""

    type: str
    valeur: Decimal
    valeur2: Decimal | None
    mesure_le: datetime.datetime
    ecart: str = ""
    mesure: Mesure | None = None

    @property
    def texte(self) -> str:
        return format_valeur(self.type, self.valeur, self.valeur2)

    @property
    def marqueur(self) -> str:
        return MARQUEURS.get(self.ecart, "")


@dataclass
class Serie:
    type: str
    libelle: str
    unite: str
    bas: Decimal | None
    haut: Decimal | None
    points: list[Point] = field(default_factory=list)
    graphique: dict[str, Any] | None = None

    @property
    def dernier(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def historique(self) -> list[Point]:
        return list(reversed(self.points))


def etablissement_of(usager: Usager, current: Etablissement | None) -> int | None:
    """Whose thresholds judge this person: the current établissement if the person has a
    stay there, else the établissement of their latest stay."""
    stays = list(
        PriseEnCharge.objects.filter(usager=usager)
        .order_by("-date_debut")
        .values_list("etablissement_id", flat=True)
    )
    if current is not None and current.pk in stays:
        return current.pk
    return stays[0] if stays else None


def _judge(point: Point, seuils: Seuils) -> Point:
    bas, haut = seuils.get(point.type, (None, None))
    point.ecart = ecart(point.valeur, bas, haut)
    return point


def series_for(usager: Usager, seuils: Seuils) -> list[Serie]:
    """One series per type that has values, oldest first; IMC from each weight and the last
    height measured before it (or the first height, when the weight came first)."""
    mesures = list(
        Mesure.objects.filter(usager=usager, corrigee_le__isnull=True)
        .select_related("saisi_par", "corrige")
        .order_by("mesure_le", "pk")
    )
    by_type: dict[str, list[Point]] = {}
    tailles = [m for m in mesures if m.type == "taille"]
    for m in mesures:
        by_type.setdefault(m.type, []).append(
            _judge(Point(m.type, m.valeur, m.valeur2, m.mesure_le, mesure=m), seuils)
        )
        if m.type == "poids" and tailles:
            before = [t for t in tailles if t.mesure_le <= m.mesure_le]
            taille = before[-1] if before else tailles[0]
            by_type.setdefault("imc", []).append(
                _judge(Point("imc", imc(m.valeur, taille.valeur), None, m.mesure_le), seuils)
            )
    series = []
    for code, spec in SPECS.items():
        if code not in by_type:
            continue
        bas, haut = seuils.get(code, (None, None))
        serie = Serie(code, spec.libelle, spec.unite, bas, haut, by_type[code])
        serie.graphique = graphique(serie)
        series.append(serie)
    return series


# --- Charts ------------------------------------------------------------------------------

W, H = 600, 220
GAUCHE, DROITE, HAUT_M, BAS_M = 56, 12, 14, 34
MAX_POINTS = 60


def _y(value: Decimal, lo: Decimal, hi: Decimal) -> float:
    span = float(hi - lo) or 1.0
    return round(HAUT_M + (H - HAUT_M - BAS_M) * (1 - float(value - lo) / span), 1)


def graphique(serie: Serie) -> dict[str, Any] | None:
    """Coordinates for an inline SVG line chart of the series with its threshold lines."""
    points = serie.points[-MAX_POINTS:]
    if not points:
        return None
    values = [p.valeur for p in points] + [p.valeur2 for p in points if p.valeur2 is not None]
    values += [v for v in (serie.bas, serie.haut) if v is not None]
    lo, hi = min(values), max(values)
    pad = (hi - lo) / 10 or Decimal(1)
    lo, hi = lo - pad, hi + pad
    t0, t1 = points[0].mesure_le, points[-1].mesure_le
    span = (t1 - t0).total_seconds()
    largeur = W - GAUCHE - DROITE

    def x(p: Point) -> float:
        if span == 0:
            return GAUCHE + largeur / 2
        return round(GAUCHE + largeur * (p.mesure_le - t0).total_seconds() / span, 1)

    def coords(second: bool) -> list[dict[str, Any]]:
        out = []
        for p in points:
            v = p.valeur2 if second else p.valeur
            if v is None:
                continue
            out.append(
                {
                    "x": x(p),
                    "y": _y(v, lo, hi),
                    "ecart": "" if second else p.ecart,
                    "titre": f"{timezone.localtime(p.mesure_le):%d/%m/%Y %H:%M} : {p.texte}",
                }
            )
        return out

    lignes = [{"points": coords(False), "classe": "serie"}]
    if any(p.valeur2 is not None for p in points):
        lignes.append({"points": coords(True), "classe": "serie secondaire"})
    for ligne in lignes:
        ligne["polyline"] = " ".join(f"{c['x']},{c['y']}" for c in ligne["points"])
    seuils = [
        {"y": _y(v, lo, hi), "label": f"{nom} {format_valeur(serie.type, v)}"}
        for nom, v in (("min", serie.bas), ("max", serie.haut))
        if v is not None
    ]
    return {
        "w": W,
        "h": H,
        "gauche": GAUCHE,
        "droite": W - DROITE,
        "bas": H - BAS_M,
        "haut": HAUT_M,
        "lignes": lignes,
        "seuils": seuils,
        "y_max": format_valeur(serie.type, hi.quantize(Decimal("0.01"))),
        "y_min": format_valeur(serie.type, lo.quantize(Decimal("0.01"))),
        "debut": f"{timezone.localtime(t0):%d/%m/%Y}",
        "fin": f"{timezone.localtime(t1):%d/%m/%Y}",
        "label_y": H - BAS_M + 22,
    }


# --- Constantes du jour ------------------------------------------------------------------


def reads_soins_in(user: Any, etablissement: Etablissement | None) -> bool:
    """Does the user read soins data in this établissement (the day list's right)?"""
    if etablissement is None:
        return False
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and Categorie.SOINS in d.lecture)


def hors_norme_du_jour(
    user: Any, etablissement: Etablissement | None, *, day: datetime.date | None = None
) -> list[Point]:
    """Out-of-range measures of the day of the persons the user reaches with a current stay
    in the établissement (home-care workers: their own persons), with each person's current
    unit; a constant number of queries."""
    if not reads_soins_in(user, etablissement):
        return []
    assert etablissement is not None
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    stays = PriseEnCharge.objects.filter(etablissement=etablissement).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=day)
    )
    persons = Usager.objects.visible_to(user).filter(pk__in=stays.values("usager_id"))
    if policy.droits(user)[etablissement.pk].role.perimetre == Role.Perimetre.ASSIGNES:
        persons = persons.filter(
            pk__in=MembreEquipe.objects.filter(
                MembreEquipe.active_q(), user=user, etablissement=etablissement
            ).values("usager_id")
        )
    seuils = seuils_for(etablissement.pk)
    mesures = (
        Mesure.objects.filter(
            usager__in=persons, corrigee_le__isnull=True, mesure_le__gte=start, mesure_le__lt=end
        )
        .select_related("usager")
        .prefetch_related(
            Prefetch(
                "usager__prises_en_charge",
                queryset=stays.select_related("unite"),
                to_attr="sejours_ici",
            )
        )
        .order_by("mesure_le", "pk")
    )
    result = []
    for m in mesures:
        point = _judge(Point(m.type, m.valeur, m.valeur2, m.mesure_le, mesure=m), seuils)
        if point.ecart:
            result.append(point)
    return result
