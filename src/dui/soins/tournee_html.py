"""The dose lines of the round, rendered in Python.

A round shows up to a few hundred doses; rendered through the template engine they cost
most of the page's time (bench/round_bench.py). Same markup as a template would give, built
with format_html (every value escaped), once per person card.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dui.soins.tournee import Dose, LigneTournee

BADGE = {"non_donne": "warning"}


def _libelle(d: Dose) -> SafeString:
    ligne = d.ligne
    voie = f", {ligne.get_voie_display().lower()}" if ligne.voie != "orale" else ""
    instructions = (
        format_html('<br><span class="muted">{}</span>', ligne.instructions)
        if ligne.instructions
        else ""
    )
    return format_html(
        '<div class="tournee-dose-libelle"><span class="tournee-heure">{}</span> '
        "<strong>{} {}</strong> — {} {}{}{}</div>",
        d.heure.strftime("%H:%M"),
        ligne.medicament,
        ligne.dosage,
        d.quantite_texte,
        ligne.unite_prise,
        voie,
        instructions,
    )


def _trace(d: Dose, may_write: bool, url_formulaire: str, query: str) -> SafeString:
    t = d.trace
    assert t is not None
    motif = f" : {t.get_motif_display().lower()}" if t.motif else ""
    commentaire = format_html(" — {}", t.commentaire) if t.commentaire else ""
    html = format_html(
        '<p class="tournee-trace"><span class="badge {}">{}{}</span> par {} à {}{}</p>',
        BADGE.get(t.statut, "success"),
        t.get_statut_display(),
        motif,
        t.trace_par.get_full_name(),
        timezone.localtime(t.trace_le).strftime("%H:%M"),
        commentaire,
    )
    if may_write:
        href = f"{url_formulaire}?trace={t.pk}&{query}"
        html += format_html(
            '<a class="button secondary tournee-lien" href="{}" hx-get="{}" '
            'hx-target="closest li" hx-swap="beforeend">Corriger'
            '<span class="visually-hidden"> la trace de {}</span></a>',
            href,
            href,
            d.ligne.medicament,
        )
    return html


def _actions(d: Dose, url_tracer: str, url_formulaire: str, query: str, csrf: str) -> SafeString:
    value = f"{d.ligne.pk}|{d.prise}"
    href = f"{url_formulaire}?dose={value}&{query}"
    return format_html(
        '<form method="post" action="{}" hx-post="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="statut" value="donne">'
        '<button type="submit" name="dose" value="{}" class="button tournee-donne">Donné'
        '<span class="visually-hidden"> : {}</span></button></form>'
        '<a class="button secondary tournee-lien" href="{}" hx-get="{}" hx-target="closest li" '
        'hx-swap="beforeend">Non donné<span class="visually-hidden"> : {}</span></a>',
        url_tracer,
        url_tracer,
        csrf,
        value,
        d.ligne.medicament,
        href,
        href,
        d.ligne.medicament,
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
    def item(d: Dose) -> tuple[str, SafeString, SafeString]:
        css = f" tracee statut-{d.trace.statut}" if d.trace else ""
        if d.trace:
            end = _trace(d, may_write, url_formulaire, query)
        elif may_write:
            end = _actions(d, url_tracer, url_formulaire, query, csrf)
        else:
            end = mark_safe('<p class="muted">Non tracé</p>')
        return css, _libelle(d), end

    return format_html(
        '<ul class="tournee-doses">{}</ul>',
        format_html_join("", '<li class="tournee-dose{}">{}{}</li>', (item(d) for d in row.doses)),
    )
