"""The fiche de synthèse: one summary of the record, shared by the screen and the PDF.

`build_synthese` reads a bounded number of queries whatever the size of the record, and only
the categories the user may read (benefits need social read). Rendering the PDF is here too
(`dui.ui.pdf`: no network).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from dui.comptes import policy
from dui.comptes.models import Categorie
from dui.ui import pdf as ui_pdf
from dui.usagers.identite import INSPartage, ins_for_sharing
from dui.usagers.models import (
    DroitPrestation,
    IntervenantExterieur,
    MembreEquipe,
    PriseEnCharge,
    Proche,
    Usager,
)
from dui.usagers.photo import photo_data_uri
from dui.usagers.services_entourage import Echeance, droit_echeance, mesure_echue

PRINT_CSS = "usagers/css/synthese-print.css"


@dataclass
class ProcheLigne:
    proche: Proche
    roles: list[str]
    mesure_echue: bool


@dataclass
class DroitLigne:
    droit: DroitPrestation
    echeance: Echeance


@dataclass
class Synthese:
    usager: Usager
    categories: set[str]
    ins: INSPartage | None
    proches: list[ProcheLigne]
    personne_confiance: ProcheLigne | None
    representants: list[ProcheLigne]
    sejours: list[PriseEnCharge]
    equipe: list[MembreEquipe]
    medecin_traitant: IntervenantExterieur | None
    intervenants: list[IntervenantExterieur]
    # None when the user may not read social data (the section is not shown at all).
    droits: list[DroitLigne] | None
    alertes: list[str] = field(default_factory=list)
    # Habits of life (accompagnement.HabitudeDeVie), filled in domain order; one query.
    habitudes: list[Any] = field(default_factory=list)
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def shows_social(self) -> bool:
        return self.droits is not None


def proche_roles(proche: Proche) -> list[str]:
    roles = []
    if proche.is_personne_confiance:
        roles.append("Personne de confiance")
    if proche.is_representant_legal:
        roles.append("Représentant légal")
    if proche.is_aidant:
        roles.append("Proche aidant")
    if proche.is_contact_urgence:
        roles.append("À prévenir en cas d'urgence")
    return roles


def build_synthese(user: Any, usager: Usager, *, today: datetime.date | None = None) -> Synthese:
    """Everything the fiche shows, limited to what the user may read."""
    today = today or timezone.localdate()
    categories = policy.usager_categories(user, usager)
    etab_ids = policy.etablissement_ids(user)

    proches = [
        ProcheLigne(p, proche_roles(p), mesure_echue(p, today))
        for p in Proche.objects.filter(usager=usager, actif=True)
    ]
    intervenants = list(IntervenantExterieur.objects.filter(usager=usager, actif=True))
    sejours = list(
        PriseEnCharge.objects.filter(usager=usager, etablissement_id__in=etab_ids)
        .exclude(date_fin__lt=today)
        .select_related("etablissement", "unite")
        .order_by("-date_debut")
    )
    equipe = list(
        MembreEquipe.objects.filter(
            MembreEquipe.active_q(), usager=usager, etablissement_id__in=etab_ids
        )
        .select_related("user", "etablissement")
        .order_by("-is_referent", "user__nom", "user__prenom")
    )
    droits = None
    if Categorie.SOCIAL in categories:
        droits = [
            DroitLigne(d, droit_echeance(d, today))
            for d in DroitPrestation.objects.filter(usager=usager)
        ]

    synthese = Synthese(
        usager=usager,
        categories=categories,
        ins=ins_for_sharing(usager),
        proches=proches,
        personne_confiance=next((p for p in proches if p.proche.is_personne_confiance), None),
        representants=[p for p in proches if p.proche.is_representant_legal],
        sejours=sejours,
        equipe=equipe,
        medecin_traitant=next(
            (i for i in intervenants if i.type == IntervenantExterieur.Type.MEDECIN_TRAITANT),
            None,
        ),
        intervenants=intervenants,
        droits=droits,
        today=today,
    )
    synthese.alertes = _alertes(synthese)
    if Categorie.ADMINISTRATIF in categories:
        from dui.accompagnement.models import DomaineHabitude, HabitudeDeVie

        rank = {code: i for i, code in enumerate(DomaineHabitude.values)}
        synthese.habitudes = sorted(
            HabitudeDeVie.objects.filter(usager=usager), key=lambda h: rank[h.domaine]
        )
    return synthese


def _alertes(s: Synthese) -> list[str]:
    alertes = []
    if s.usager.identite_fictive:
        alertes.append("Identité fictive : ne pas utiliser pour un échange extérieur.")
    if s.usager.identite_douteuse:
        alertes.append("Identité douteuse : vérifiez l'identité avant tout acte.")
    if s.usager.homonyme:
        alertes.append("Homonyme : vérifiez la date et le lieu de naissance.")
    for r in s.representants:
        if r.mesure_echue and r.proche.mesure_fin:
            alertes.append(
                f"Mesure de protection échue le {r.proche.mesure_fin:%d/%m/%Y} "
                f"({r.proche.prenom} {r.proche.nom}) : vérifiez son renouvellement."
            )
    for d in s.droits or []:
        if d.echeance.alerte:
            alertes.append(f"{d.droit.get_type_display()} : {d.echeance.libelle}.")
    return alertes


# --- PDF ---------------------------------------------------------------------------------


def render_synthese_pdf(synthese: Synthese, *, author: Any) -> bytes:
    """The fiche as an A4 PDF, rendered server-side from the print template."""
    html = render_to_string(
        "usagers/synthese_print.html",
        {
            "s": synthese,
            "usager": synthese.usager,
            "author": author,
            "printed_at": timezone.localtime(),
            "photo_src": photo_data_uri(synthese.usager),
        },
    )
    return ui_pdf.render_pdf(html, stylesheets=(PRINT_CSS,))
