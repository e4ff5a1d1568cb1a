"""A small server-side SVG chart of the GIR over time (no script, no inline style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    gir: int
    date: Any


def _y(gir: int) -> float:
    # GIR 6 (most autonomous) at the top, GIR 1 at the bottom.
    return TOP + (6 - gir) * (HEIGHT - TOP - BOTTOM) / 5


def gir_chart(evaluations: list[Any]) -> dict[str, Any] | None:
    """Coordinates for the template: one point per signed evaluation, by date."""
    if not evaluations:
        return None
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
        gir = int(evaluation.resultat["gir"])
        points.append(Point(x=round(x, 1), y=round(_y(gir), 1), gir=gir, date=evaluation.date))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 24,
        "levels": [{"gir": g, "y": round(_y(g), 1)} for g in range(1, 7)],
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
    }
