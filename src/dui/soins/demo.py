"""Demo content: the first residents of each EHPAD get prescriptions (regular and "si
besoin" lines, a non-drug line), yesterday's doses traced (one refused), a care plan with a
few acts, and an observation when the demo has a physician. Entered through the services, as
the EHPAD's nurse (and physician), so the journal tells the same story."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dui.comptes.models import Affectation
from dui.soins import administration, plan, traitements
from dui.soins.creneaux import PAR_CODE
from dui.soins.models import LigneMedicament
from dui.soins.traitements import AutreSaisie, LigneSaisie
from dui.structures.models import CategorieEtablissement
from dui.usagers.models import PriseEnCharge

M, MI, S, C = "matin", "midi", "soir", "coucher"
TRAITEMENTS = [
    [
        ("Amlodipine", "5 mg", "comprimé", {M: "1"}),
        ("Metformine", "500 mg", "comprimé", {M: "1", S: "1"}),
        ("Atorvastatine", "20 mg", "comprimé", {S: "1"}),
    ],
    [
        ("Lévothyroxine", "50 µg", "comprimé", {M: "1"}),
        ("Furosémide", "40 mg", "comprimé", {M: "1"}),
        ("Paroxétine", "20 mg", "comprimé", {M: "1"}),
        ("Zopiclone", "3,75 mg", "comprimé", {C: "1"}),
    ],
    [
        ("Donépézil", "5 mg", "comprimé orodispersible", {C: "1"}),
        ("Bisoprolol", "2,5 mg", "comprimé", {M: "1"}),
        ("Macrogol", "10 g", "sachet", {M: "1"}),
    ],
]


def _saisies(rows: list[Any], debut: datetime.date) -> list[LigneSaisie]:
    saisies = [
        LigneSaisie(
            medicament=medicament,
            dosage=dosage,
            forme=forme,
            unite_prise="sachet" if forme == "sachet" else "cp",
            prises=[{"moment": m, "heure": "", "quantite": q} for m, q in moments.items()],
            debut=debut,
        )
        for medicament, dosage, forme, moments in rows
    ]
    saisies.append(
        LigneSaisie(
            medicament="Paracétamol",
            dosage="500 mg",
            forme="gélule",
            unite_prise="gél",
            prises=[{"moment": "", "heure": "", "quantite": "2"}],
            si_besoin=True,
            condition="douleur ou fièvre > 38,5 °C",
            max_par_jour=3,
            debut=debut,
        )
    )
    return saisies


def populate(organisme: Any, rng: random.Random, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    debut = today - datetime.timedelta(days=20)
    affectations = list(
        Affectation.objects.filter(
            etablissement__organisme=organisme,
            etablissement__categorie=CategorieEtablissement.EHPAD,
            role__code__in=("infirmier", "medecin"),
            actif=True,
        ).select_related("user", "role", "etablissement")
    )
    by_etab: dict[int, dict[str, Any]] = {}
    for a in sorted(affectations, key=lambda a: a.pk):
        by_etab.setdefault(a.etablissement_id, {}).setdefault(a.role.code, a.user)
    for etab_id, staff in by_etab.items():
        nurse, medecin = staff.get("infirmier"), staff.get("medecin")
        if nurse is None:
            continue
        stays = list(
            PriseEnCharge.objects.filter(
                etablissement_id=etab_id, date_fin__isnull=True, date_debut__lte=debut
            )
            .select_related("usager")
            .order_by("pk")[: len(TRAITEMENTS)]
        )
        for rows, stay in zip(TRAITEMENTS, stays, strict=False):
            _person(nurse, medecin, stay.usager, rows, debut, today, rng)


def _person(
    nurse: Any,
    medecin: Any,
    usager: Any,
    rows: list[Any],
    debut: datetime.date,
    today: datetime.date,
    rng: random.Random,
) -> None:
    traitements.prescription_create(
        actor=nurse,
        usager=usager,
        date_prescription=debut,
        prescripteur_nom="Dr Lemoine",
        prescripteur_rpps="10003456789",
        lignes=_saisies(rows, debut),
        autres=[
            AutreSaisie(
                type="kine",
                libelle="Rééducation à la marche, prévention des chutes",
                frequence="2 séances par semaine",
                debut=debut,
            )
        ],
        commentaire="Ordonnance de renouvellement",
    )
    # Yesterday's round: every dose traced on time, one refused.
    hier = today - datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    refused = rng.randrange(len(rows))
    for i, ligne in enumerate(LigneMedicament.objects.filter(usager=usager, si_besoin=False)):
        for prise in ligne.prises:
            key = prise["moment"]
            refus = i == refused and key == ligne.prises[0]["moment"]
            at = datetime.datetime.combine(hier, PAR_CODE[key].heure).replace(tzinfo=tz)
            administration.dose_tracer(
                actor=nurse,
                ligne=ligne,
                jour=hier,
                prise=key,
                statut="non_donne" if refus else "donne",
                motif="refus" if refus else "",
                commentaire="Refuse le comprimé, reproposé plus tard sans succès" if refus else "",
                now=at + datetime.timedelta(minutes=15),
            )
    soin = plan.soin_ajouter(
        actor=nurse,
        usager=usager,
        type="toilette",
        libelle="Aide partielle, douche le mardi",
        frequence="quotidien",
        moments=[M],
        intervenant="aide_soignant",
        debut=debut,
    )
    plan.soin_ajouter(
        actor=nurse,
        usager=usager,
        type="surveillance",
        libelle="Poids",
        frequence="hebdomadaire",
        detail_frequence="le lundi",
        intervenant="ide",
        debut=debut,
    )
    plan.acte_tracer(
        actor=nurse,
        usager=usager,
        soin=soin,
        realise_le=timezone.now() - datetime.timedelta(hours=rng.randrange(2, 20)),
        commentaire="",
    )
    if medecin is not None and plan.may_observe(medecin, usager):
        plan.observation_ajouter(
            actor=medecin,
            usager=usager,
            type="visite",
            texte="Visite de suivi : état général conservé, tension 13/8. Traitement inchangé.",
        )
