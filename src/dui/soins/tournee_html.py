"""The dose lines of the round, rendered in Python.

A round shows up to a few hundred doses; rendered through the template engine, or even
through `format_html` (a lazy-aware escape per argument), they cost most of the page's time
(bench/round_bench.py). Same markup as a template would give: every value goes through
`_e` (the standard library escape Django's own `escape` wraps, quotes included), and the
person's list is marked safe once.
"""

from __future__ import annotations

from html import escape as _escape
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from dui.soins.tournee import Dose, LigneTournee

BADGE = {"non_donne": "warning"}


def _e(value: Any) -> str:
    return _escape(str(value), quote=True)


def _libelle(d: Dose) -> str:
    ligne = d.ligne
    voie = f", {_e(ligne.get_voie_display().lower())}" if ligne.voie != "orale" else ""
    instructions = (
        f'<br><span class="muted">{_e(ligne.instructions)}</span>' if ligne.instructions else ""
    )
    return (
        f'<div class="tournee-dose-libelle"><span class="tournee-heure">'
        f"{d.heure.strftime('%H:%M')}</span> <strong>{_e(ligne.medicament)} "
        f"{_e(ligne.dosage)}</strong> — {_e(d.quantite_texte)} {_e(ligne.unite_prise)}"
        f"{voie}{instructions}</div>"
    )


def _trace(d: Dose, may_write: bool, url_formulaire: str, query: str) -> str:
    t = d.trace
    assert t is not None
    motif = f" : {_e(t.get_motif_display().lower())}" if t.motif else ""
    commentaire = f" — {_e(t.commentaire)}" if t.commentaire else ""
    html = (
        f'<p class="tournee-trace"><span class="badge {BADGE.get(t.statut, "success")}">'
        f"{_e(t.get_statut_display())}{motif}</span> par {_e(t.trace_par.get_full_name())} à "
        f"{timezone.localtime(t.trace_le).strftime('%H:%M')}{commentaire}</p>"
    )
    if may_write:
        href = _e(f"{url_formulaire}?trace={t.pk}&{query}")
        html += (
            f'<a class="button secondary tournee-lien" href="{href}" hx-get="{href}" '
            f'hx-target="closest li" hx-swap="beforeend">Corriger'
            f'<span class="visually-hidden"> la trace de {_e(d.ligne.medicament)}</span></a>'
        )
    return html


def _actions(d: Dose, url_tracer: str, url_formulaire: str, query: str, csrf: str) -> str:
    value = _e(f"{d.ligne.pk}|{d.prise}")
    href = _e(f"{url_formulaire}?dose={d.ligne.pk}|{d.prise}&{query}")
    tracer = _e(url_tracer)
    medicament = _e(d.ligne.medicament)
    return (
        f'<form method="post" action="{tracer}" hx-post="{tracer}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf)}">'
        '<input type="hidden" name="statut" value="donne">'
        f'<button type="submit" name="dose" value="{value}" class="button tournee-donne">Donné'
        f'<span class="visually-hidden"> : {medicament}</span></button></form>'
        f'<a class="button secondary tournee-lien" href="{href}" hx-get="{href}" '
        'hx-target="closest li" hx-swap="beforeend">Non donné'
        f'<span class="visually-hidden"> : {medicament}</span></a>'
    )


def doses_html(
    row: LigneTournee,
    *,
    may_write: bool,
    url_tracer: str,
    url_formulaire: str,
    query: str,
    csrf: str,
) -> SafeString:
    items = []
    for d in row.doses:
        css = f" tracee statut-{_e(d.trace.statut)}" if d.trace else ""
        if d.trace:
            end = _trace(d, may_write, url_formulaire, query)
        elif may_write:
            end = _actions(d, url_tracer, url_formulaire, query, csrf)
        else:
            end = '<p class="muted">Non tracé</p>'
        items.append(f'<li class="tournee-dose{css}">{_libelle(d)}{end}</li>')
    return mark_safe(f'<ul class="tournee-doses">{"".join(items)}</ul>')  # noqa: S308 — every value escaped above
