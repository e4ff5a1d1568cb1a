"""A fully populated record (every source the DLU reads), for the tests and the benchmark.

Written with the models and the apps' services, without factory_boy, so that
bench/dlu_bench.py can use it too. `lourd=True` makes a heavy record (many treatments,
antécédents, allergies, long texts): the PDF must still fit on two pages.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dui.accompagnement.models import DomaineHabitude, HabitudeDeVie
from dui.soins.models import Allergie, Antecedent, Mesure, Vaccination
from dui.usagers.models import IntervenantExterieur, Proche, Usager

MEDICAMENTS = [
    ("Paracétamol", "500 mg", "comprimé"),
    ("Amlodipine", "5 mg", "comprimé"),
    ("Furosémide", "40 mg", "comprimé"),
    ("Apixaban", "2,5 mg", "comprimé"),
    ("Metformine", "850 mg", "comprimé"),
    ("Lévothyroxine", "75 µg", "comprimé"),
    ("Oméprazole", "20 mg", "gélule"),
    ("Sertraline", "50 mg", "comprimé"),
    ("Donépézil", "5 mg", "comprimé"),
    ("Bisoprolol", "2,5 mg", "comprimé"),
    ("Atorvastatine", "20 mg", "comprimé"),
    ("Macrogol", "10 g", "sachet"),
    ("Cholécalciférol", "100 000 UI", "ampoule"),
    ("Tramadol", "50 mg", "gélule"),
    ("Zopiclone", "3,75 mg", "comprimé"),
    ("Ramipril", "2,5 mg", "comprimé"),
    ("Lorazépam", "1 mg", "comprimé"),
    ("Fer", "80 mg", "comprimé"),
]
ANTECEDENTS = [
    "Diabète de type 2",
    "Hypertension artérielle",
    "Fibrillation atriale",
    "Insuffisance cardiaque",
    "Maladie d'Alzheimer",
    "Fracture du col du fémur droit (prothèse)",
    "Cholécystectomie",
    "Hypothyroïdie",
    "Dépression",
    "AVC ischémique sans séquelle",
    "Cataracte opérée",
    "Insuffisance rénale chronique modérée",
]


def dossier_complet(
    usager: Usager, medecin: Any, *, lourd: bool = False, today: datetime.date | None = None
) -> None:
    """Fill every source of the DLU for `usager`; `medecin` must be allowed to prescribe."""
    from dui.accompagnement import services as acc
    from dui.accompagnement.models import Grille
    from dui.accompagnement.tests.factories import aggir_answers
    from dui.soins import traitements

    today = today or timezone.localdate()
    Proche.objects.create(
        usager=usager,
        nom="Durand",
        prenom="Claire",
        lien="Fille",
        telephone="06 12 34 56 78",
        is_personne_confiance=True,
        is_contact_urgence=True,
        is_aidant=True,
    )
    Proche.objects.create(
        usager=usager,
        nom="Mandataire",
        prenom="Paul",
        lien="Mandataire judiciaire",
        telephone="01 23 45 67 89",
        is_representant_legal=True,
        mesure_protection="curatelle_renforcee",
        organisme_mandataire="UDAF",
    )
    Proche.objects.create(
        usager=usager,
        nom="Durand",
        prenom="Marc",
        lien="Fils",
        telephone="06 98 76 54 32",
        is_contact_urgence=True,
    )
    IntervenantExterieur.objects.create(
        usager=usager,
        type=IntervenantExterieur.Type.MEDECIN_TRAITANT,
        nom="Dr Bernard Martin",
        rpps="10001234567",
        telephone="01 40 00 00 01",
        adresse="3 rue des Lilas, 75011 Paris",
        mssante="bernard.martin@medecin.mssante.fr",
    )
    IntervenantExterieur.objects.create(
        usager=usager,
        type=IntervenantExterieur.Type.PHARMACIE,
        nom="Pharmacie du Marché",
        telephone="01 40 00 00 02",
    )
    allergies = [
        ("Pénicilline", "Œdème de Quincke", "anaphylaxie"),
        ("Iode", "Urticaire", "moderee"),
    ]
    if lourd:
        allergies += [
            ("Latex", "Eczéma", "legere"),
            ("Arachide", "Urticaire", "severe"),
            ("Codéine", "Nausées", "legere"),
        ]
    for substance, reaction, severite in allergies:
        Allergie.objects.create(
            usager=usager,
            substance=substance,
            reaction=reaction,
            severite=severite,
            saisi_par=medecin,
        )
    for i, libelle in enumerate(ANTECEDENTS if lourd else ANTECEDENTS[:3]):
        Antecedent.objects.create(
            usager=usager,
            type="chirurgical" if "opér" in libelle or "ectomie" in libelle else "medical",
            libelle=libelle,
            annee=2000 + i,
            saisi_par=medecin,
        )
    Antecedent.objects.create(
        usager=usager, type="familial", libelle="Cancer du sein (mère)", saisi_par=medecin
    )
    for vaccin, date in (
        ("Grippe saisonnière", datetime.date(2025, 10, 15)),
        ("Covid-19", datetime.date(2025, 10, 15)),
        ("dTP", datetime.date(2020, 3, 2)),
        ("Pneumocoque", datetime.date(2019, 5, 6)),
    ):
        Vaccination.objects.create(usager=usager, vaccin=vaccin, date=date, saisi_par=medecin)
    now = timezone.now()
    for type_, valeur, valeur2 in (
        ("poids", "61.5", None),
        ("tension", "135", "80"),
        ("pouls", "78", None),
        ("temperature", "37.1", None),
        ("spo2", "95", None),
        ("glycemie", "1.32", None),
        ("eva", "2", None),
    ):
        for age in (3, 1) if lourd else (1,):
            Mesure.objects.create(
                usager=usager,
                type=type_,
                valeur=Decimal(valeur),
                valeur2=Decimal(valeur2) if valeur2 else None,
                mesure_le=now - datetime.timedelta(days=age),
                saisi_par=medecin,
            )
    grille = Grille.objects.get(code="aggir")
    evaluation = acc.evaluation_create(
        actor=medecin,
        usager=usager,
        grille=grille,
        date=today,
        answers=aggir_answers(transferts="C", deplacement_interieur="C"),
    )
    acc.evaluation_sign(actor=medecin, evaluation=evaluation)
    texte = "Se lève vers 7 h, aime son café au lait avant la toilette. "
    for code, _ in DomaineHabitude.choices:
        HabitudeDeVie.objects.create(
            usager=usager,
            domaine=code,
            description=texte * (3 if lourd else 1),
            a_eviter="Le bruit" if code == "sommeil" else "",
            modifie_par=medecin,
        )
    lignes = [
        traitements.LigneSaisie(
            medicament=m,
            dosage=dosage,
            forme=forme,
            debut=today - datetime.timedelta(days=30),
            prises=[{"moment": "matin", "quantite": "1"}, {"moment": "soir", "quantite": "1"}],
        )
        for m, dosage, forme in (MEDICAMENTS if lourd else MEDICAMENTS[:4])
    ]
    lignes.append(
        traitements.LigneSaisie(
            medicament="Morphine",
            dosage="5 mg",
            forme="comprimé",
            debut=today - datetime.timedelta(days=10),
            si_besoin=True,
            condition="douleur > 5",
            prises=[{"moment": "", "quantite": "1"}],
            max_par_jour=4,
        )
    )
    traitements.prescription_create(
        actor=medecin,
        usager=usager,
        date_prescription=today - datetime.timedelta(days=10),
        lignes=lignes,
        prescripteur_nom="Dr Bernard Martin",
        prescripteur_rpps="10001234567",
    )


def completer_a_la_main(donnees: dict[str, Any], *, lourd: bool = False) -> dict[str, Any]:
    """What the team types in the draft (sections the record does not feed)."""
    d = {k: dict(v) if isinstance(v, dict) else v for k, v in donnees.items()}
    long = " Précisions supplémentaires rédigées par l'équipe." * (6 if lourd else 1)
    d["etablissement"].update(telephone_24h="01 40 00 00 00", medecin_coordonnateur="Dr Lefèvre")
    d["etablissement_sante"].update(nom="Hôpital Saint-Antoine", telephone="01 49 28 20 00")
    d["pathologies"]["liste"] = [
        {"libelle": p, "commentaire": "Suivi régulier"}
        for p in (ANTECEDENTS[:8] if lourd else ANTECEDENTS[:2])
    ]
    d["directives_anticipees"].update(
        redigees="oui",
        lieu="Classeur infirmier, bureau IDE",
        soins_palliatifs="non",
        limitation="Pas de réanimation cardio-pulmonaire (décision collégiale)." + long,
    )
    d["communication"].update(
        peut_alerter="oui",
        desoriente="oui",
        deficit_auditif="oui",
        troubles_cognitifs="oui",
    )
    d["mobilite"].update(chute="oui", deambulation="oui", deplacements="Déambulateur")
    d["nutrition"].update(fausse_route="oui", texture="Mixé, eau gélifiée")
    d["peau"].update(escarre="oui", commentaire="Talon droit, stade 2." + long)
    d["continence"].update(urinaire="Protections la nuit", fecale="Continente")
    d["dispositifs"].update(
        lunettes="oui",
        prothese_dentaire="oui",
        appareil_auditif="oui",
        pacemaker="non",
        autres="Prothèse de hanche droite" + long,
    )
    d["risques_infectieux"].update(bmr="oui", precisions="EBLSE urinaire (2025)" + long)
    d["traitements"]["anticoagulant"] = "Apixaban 2,5 mg matin et soir"
    d["annexes"].update(dlu_009="oui", dlu_010="oui", dlu_011="oui", dlu_015="oui")
    d["commentaires"]["texte"] = "Aime qu'on l'appelle par son prénom." + long
    return d


def matrix_args(w: Any) -> list[Any]:
    """URL args of a DLU version page for the policy matrix: a validated version 1."""
    from dui.dlu import schema
    from dui.dlu.models import DLU, StatutDLU

    dlu = DLU.objects.create(
        usager=w.usager,
        numero=1,
        statut=StatutDLU.VALIDE,
        etablissement=w.etab,
        donnees=schema.vide(),
        cree_par=w.target,
        modifie_par=w.target,
        valide_par=w.target,
        valide_le=timezone.now(),
    )
    return [w.usager.pk, dlu.numero]
