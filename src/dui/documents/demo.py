"""Demo documents: a few files in the records of the first persons of the demo EHPAD.

An ordonnance scanned with its handwritten signature (medical), a fiche de retour des urgences
received and linked to the stay (soins), a copy of an identity card (administratif) with a
second version: enough to show the category filtering and the versions. Small PDFs made with
WeasyPrint from inline HTML (no external resource).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils.html import escape

from dui.comptes.models import Affectation
from dui.documents import services, types
from dui.structures.models import CategorieEtablissement, OrganismeGestionnaire
from dui.ui.pdf import render_pdf
from dui.usagers.models import PriseEnCharge


def _pdf(titre: str, lignes: list[str]) -> bytes:
    body = "".join(f"<p>{escape(line)}</p>" for line in lignes)
    html = (
        "<html lang='fr'><head><meta charset='utf-8'><style>"
        "body{font-family:sans-serif;font-size:11pt} h1{font-size:15pt}"
        f"</style></head><body><h1>{escape(titre)}</h1>{body}"
        "<p><em>Document de démonstration : données fictives.</em></p></body></html>"
    )
    return render_pdf(html)


def _user(etablissement: Any, role: str) -> Any:
    affectation = (
        Affectation.objects.filter(etablissement=etablissement, role__code=role, actif=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return affectation.user if affectation else None


def populate(organisme: OrganismeGestionnaire, rng: random.Random, today: datetime.date) -> None:
    sejours = list(
        PriseEnCharge.objects.filter(
            etablissement__organisme=organisme,
            etablissement__categorie=CategorieEtablissement.EHPAD,
            date_fin__isnull=True,
        )
        .select_related("usager", "etablissement")
        .order_by("pk")[:2]
    )
    if not sejours:
        return
    etab = sejours[0].etablissement
    medecin, idec, accueil = (_user(etab, r) for r in ("medecin", "infirmier", "accueil"))
    if not (medecin and idec and accueil):
        return
    first = sejours[0]
    usager = first.usager
    nom = f"{usager.nom_naissance} {usager.premier_prenom}"
    jour = today - datetime.timedelta(days=rng.randint(3, 20))
    services.televerser(
        medecin,
        usager,
        data=_pdf(
            "Ordonnance",
            [
                f"Le {jour:%d/%m/%Y}, pour {nom}",
                "Paracétamol 500 mg : 1 comprimé si douleur, 3 fois par jour au plus.",
                "Dr Anne Vasseur, médecin coordonnateur",
            ],
        ),
        nom_fichier="ordonnance.pdf",
        type_code=types.ORDONNANCE,
        titre=f"Ordonnance du {jour:%d/%m/%Y}",
        signature_manuscrite="Dr Anne Vasseur, médecin coordonnateur",
    )
    retour = today - datetime.timedelta(days=rng.randint(1, 10))
    services.televerser(
        idec,
        usager,
        data=_pdf(
            "Fiche de retour du service des urgences",
            [
                f"Patient(e) : {nom}, passage le {retour:%d/%m/%Y}.",
                "Motif : chute. Radiographie du poignet sans fracture.",
                "Retour à l'EHPAD. Surveillance de la douleur, antalgiques si besoin.",
            ],
        ),
        nom_fichier="fiche-retour-urgences.pdf",
        type_code=types.FICHE_RETOUR_URGENCES,
        titre=f"Fiche de retour des urgences du {retour:%d/%m/%Y}",
        origine="recu",
        emetteur="Service des urgences du centre hospitalier",
        prise_en_charge=first,
    )
    cible = sejours[-1].usager
    carte = _pdf("Copie de pièce d'identité", [f"{cible.nom_naissance} (copie recto)"])
    v1 = services.televerser(
        accueil,
        cible,
        data=carte,
        nom_fichier="piece-identite.pdf",
        type_code=types.PIECE_IDENTITE,
        titre="Carte nationale d'identité",
        confidentialite="R",
    )
    services.televerser(
        accueil,
        cible,
        data=_pdf("Copie de pièce d'identité", [f"{cible.nom_naissance} (recto verso)"]),
        nom_fichier="piece-identite-recto-verso.pdf",
        document=v1.document,
        commentaire="Recto verso",
    )
