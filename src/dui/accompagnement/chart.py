"""Small server-side SVG charts of an evaluation result over time (no script, no inline
style): the GIR for AGGIR, the score for every other grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 90, 20, 20, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    valeur: float
    date: Any

    @property
    def gir(self) -> int:  # kept for the GIR chart's template
        return int(self.valeur)


def serie_chart(
    evaluations: list[Any],
    *,
    low: float,
    high: float,
    ticks: list[tuple[float, str]],
    key: str = "score",
) -> dict[str, Any] | None:
    """Coordinates for the template: one point per signed evaluation, by date; higher
    values drawn higher. `ticks` are the horizontal reference lines (value, label)."""
    if not evaluations:
        return None
    span_y = (high - low) or 1

    def y(value: float) -> float:
        return round(TOP + (high - value) * (HEIGHT - TOP - BOTTOM) / span_y, 1)

    first, last = evaluations[0].date, evaluations[-1].date
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT
    points = []
    for index, evaluation in enumerate(evaluations):
        if span:
            x = LEFT + inner * (evaluation.date - first).days / span
        elif len(evaluations) > 1:
            x = LEFT + inner * index / (len(evaluations) - 1)
        else:
            x = LEFT + inner / 2
        value = float(evaluation.resultat[key])
        value = min(max(value, low), high)
        points.append(Point(x=round(x, 1), y=y(value), valeur=value, date=evaluation.date))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 24,
        "levels": [{"label": label, "y": y(value)} for value, label in ticks],
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
    }


def gir_chart(evaluations: list[Any]) -> dict[str, Any] | None:
    """The GIR over time: GIR 6 (most autonomous) at the top, GIR 1 at the bottom."""
    return serie_chart(
        evaluations, low=1, high=6, ticks=[(g, f"GIR {g}") for g in range(1, 7)], key="gir"
    )


def score_ticks(low: int, high: int, bandes: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """Reference lines of a score chart: the range's ends and each band's lower bound."""
    values = sorted({low, high, *(int(b["min"]) for b in bandes if low < b["min"] < high)})
    return [(v, str(v)) for v in values]
