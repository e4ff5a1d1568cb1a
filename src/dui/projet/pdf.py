"""The PDF of a signed version, written for the person ("Mon projet personnalisé"): plain
words, large type, the person's own words first. Rendered through `dui.ui.pdf` (no network);
as PDF/A when it becomes the body of a CDA document."""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from dui.projet import contenu as schema
from dui.projet.models import VersionProjet
from dui.projet.services import add_months
from dui.ui import pdf as ui_pdf

PRINT_CSS = "projet/css/projet-print.css"


def _qui(action: dict[str, Any]) -> str:
    kinds = dict(schema.QUI_TYPES)
    if action.get("qui_type") == "personne":
        return "moi"
    return action.get("qui") or kinds.get(action.get("qui_type", ""), "")


def _date(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return ""


def person_view(contenu: dict[str, Any]) -> dict[str, Any]:
    """Objectives with their actions, in words for the person."""
    domaines = dict(schema.DOMAINES_VIE)
    actions = [
        {**a, "qui": _qui(a)}
        for a in schema.section_of(contenu, "actions")
        if a.get("statut") != "abandonnee"
    ]
    objectifs = []
    for i, o in enumerate(schema.section_of(contenu, "objectifs"), start=1):
        if o.get("statut") == "annule":
            continue
        objectifs.append(
            {
                **o,
                "domaine": domaines.get(o.get("domaine", ""), ""),
                "echeance": _date(o.get("echeance", "")),
                "actions": [a for a in actions if str(a.get("objectif", "")).strip() == str(i)],
            }
        )
    rattachees = {id(a) for o in objectifs for a in o["actions"]}
    exprime = dict(schema.EXPRIME_PAR)
    attentes = [
        {**a, "exprimee_par_libelle": exprime.get(a.get("exprimee_par", ""), "").lower()}
        for a in schema.section_of(contenu, "attentes")
    ]
    return {
        "c": {
            **{s.key: schema.section_of(contenu, s.key) for s in schema.SECTIONS},
            "attentes": attentes,
            "habitudes": contenu.get("habitudes") or [],
            # Addressed to the person: "La personne" is "Moi" here.
            "participants": [
                {**p, "libelle": "Moi"} if p.get("type") == "personne" else p
                for p in contenu.get("participants") or []
            ],
        },
        "objectifs": objectifs,
        "autres_actions": [a for a in actions if id(a) not in rattachees],
        "bilan_date": _date(schema.section_of(contenu, "bilan").get("date_bilan", "")),
    }


def projet_pdf(version: VersionProjet, *, pdf_variant: str | None = None) -> bytes:
    """The signed version as an A4 PDF readable by the person (the caller journals it).

    `pdf_variant="pdf/a-3b"`: the same document as PDF/A, for a CDA level 1 body."""
    projet = version.projet
    html = render_to_string(
        "projet/projet_print.html",
        {
            **person_view(version.contenu),
            "version": version,
            "usager": projet.usager,
            "etablissement": projet.etablissement,
            "echeance": add_months(version.referent_signe_le, 12),
            "printed_at": timezone.localtime(),
        },
    )
    return ui_pdf.render_pdf(html, stylesheets=(PRINT_CSS,), pdf_variant=pdf_variant)
