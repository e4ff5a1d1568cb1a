"""The colour pairs of app.css meet WCAG 2.1 AA (text 4.5:1, UI components 3:1)."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "static/ui/css/app.css").read_text()
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", CSS))
WHITE = "#ffffff"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _c(name: str) -> str:
    return WHITE if name == "white" else COLOURS[name]


TEXT_PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("primary", "surface"),
    ("primary", "bg"),
    ("primary-dark", "primary-soft"),
    ("white", "primary"),
    ("white", "primary-dark"),
    ("white", "header"),
    ("white", "danger"),
    ("info-text", "info-bg"),
    ("warning-text", "warning-bg"),
    ("error-text", "error-bg"),
    ("success-text", "success-bg"),
    ("info-text", "primary-soft"),
    ("text", "primary-soft"),
    ("muted", "primary-soft"),
    ("error-text", "surface"),
]
UI_PAIRS = [
    ("input-border", "surface"),
    ("focus", "surface"),
    ("focus", "bg"),
    ("focus-dark", "header"),
    ("primary", "surface"),
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS, ids=[f"{f}-on-{b}" for f, b in TEXT_PAIRS])
def test_text_colour_pair_reaches_aa_contrast(fg, bg):
    assert contrast(_c(fg), _c(bg)) >= 4.5


@pytest.mark.parametrize(("fg", "bg"), UI_PAIRS, ids=[f"{f}-on-{b}" for f, b in UI_PAIRS])
def test_ui_component_colour_pair_reaches_3_to_1(fg, bg):
    assert contrast(_c(fg), _c(bg)) >= 3


def test_light_header_text_reaches_aa_contrast():
    assert contrast("#dce6ef", _c("header")) >= 4.5
