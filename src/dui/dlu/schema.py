"""The documented structure of `DLU.donnees`: sections and fields, with French labels.

The content follows the HAS DLU (2015, EHPAD) as structured by the CI-SIS DLU-EHPAD 2022.01
CDA models (templateId 1.2.250.1.213.1.1.1.22, LOINC 74207-2), and its home-care variant
DLU-Dom (HAS 2021; CI-SIS DLU-DOM, templateId 1.2.250.1.213.1.1.1.48, formatCode
urn:asip:ci-sis:dlu-dlu-dom:2022), whose field-level content is not published in our
references: it is covered here by the EHPAD fields, the DLU-DOM handicap value set
(JDV_HandicapDeficit_DLU-DOM, OID 1.2.250.1.213.1.1.5.812) and the accompanying service's
"synthèse environnementale" (section `environnement`).

`donnees` is a dict {section code: {field code: value}}:
- TEXTE / TEXTE_LONG / DATE (ISO "AAAA-MM-JJ") / CHOIX: a string ("" = not filled in);
- OUI_NON: "oui", "non" or "" (unknown — never read "not filled" as "no");
- LISTE: a list of dicts {column code: string}.
`donnees["_source"]` lists, per section, where the pre-fill came from (for the screen).
Fields marked `dossier` (allergies, current treatments) belong to the record: never typed
in the DLU, re-read on "actualiser" and at validation. `donnees["_a_reporter"]` keeps the
rows of those lists typed by hand in older drafts that the record does not hold (flagged
on screen until they are recorded in the care file).

Each field may carry the code the CDA level-3 body uses (`code`: (system, code)), so the
CDA generator builds its entries from this file instead of re-listing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEXTE = "texte"
TEXTE_LONG = "texte_long"
DATE = "date"
OUI_NON = "oui_non"
CHOIX = "choix"
LISTE = "liste"

OUI, NON = "oui", "non"
OUI_NON_CHOICES = (("", "Non renseigné"), (OUI, "Oui"), (NON, "Non"))

SNOMED = "2.16.840.1.113883.6.96"
LOINC = "2.16.840.1.113883.6.1"
CISIS = "1.2.250.1.213.1.1.4.322"  # TA_ASIP: code system of the DLU_0xx checklist codes
# JDV_ChecklistDLU is the value set (not a code system) those codes are drawn from.
CHECKLIST_DLU = "1.2.250.1.213.1.1.5.71"

# Template ids and document type (CI-SIS DLU 2022.01).
TEMPLATE_DLU_EHPAD = "1.2.250.1.213.1.1.1.22"
TEMPLATE_FLUDT_EHPAD = "1.2.250.1.213.1.1.1.23"
TEMPLATE_DLU_DOM = "1.2.250.1.213.1.1.1.48"
TEMPLATE_FLUDT_DOM = "1.2.250.1.213.1.1.1.49"
FORMAT_CODE = {"ehpad": "urn:asip:ci-sis:dlu:2015", "domicile": "urn:asip:ci-sis:dlu-dlu-dom:2022"}
# LOINC, Document de liaison d'urgence: the CDA code of the DLU and, in the ANS examples, of
# the transfer sheets (FLUDT/FLUDR) too.
TYPE_CODE_DLU = "74207-2"

MAX_TEXTE = 300
MAX_TEXTE_LONG = 3000
MAX_LIGNES = 60


@dataclass(frozen=True)
class Champ:
    code: str
    libelle: str
    type: str = TEXTE
    aide: str = ""
    choix: tuple[tuple[str, str], ...] = ()
    colonnes: tuple[Champ, ...] = ()
    # (code system OID, code) for the CDA entry, when the CI-SIS model codes the field.
    code_cda: tuple[str, str] | None = None
    # Where the pre-fill reads it ("" = typed by hand).
    source: str = ""
    # Owned by the record (allergies, current treatments): shown read-only in the draft,
    # re-read from the record on "actualiser" and at validation, never typed in the DLU, so
    # the DLU and the record cannot contradict each other.
    dossier: bool = False


@dataclass(frozen=True)
class Section:
    code: str
    titre: str
    champs: tuple[Champ, ...]
    aide: str = ""
    # CI-SIS section this maps to (for the CDA generator), "" = header or not in the model.
    section_cisis: str = ""
    # Printed first (what an emergency physician reads before anything else).
    prioritaire: bool = False
    variantes: tuple[str, ...] = ("ehpad", "domicile")
    # URL name of the record tab where the record-owned fields are edited.
    edition_url: str = ""
    edition_libelle: str = ""
    champs_par_code: dict[str, Champ] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.champs_par_code.update({c.code: c for c in self.champs})

    @property
    def champs_dossier(self) -> tuple[Champ, ...]:
        return tuple(c for c in self.champs if c.dossier)


def _oui_non(code: str, libelle: str, snomed: str | None = None, aide: str = "") -> Champ:
    return Champ(code, libelle, OUI_NON, aide=aide, code_cda=(SNOMED, snomed) if snomed else None)


_PERSONNE = (
    Champ("nom", "Nom et prénom"),
    Champ("lien", "Lien"),
    Champ("telephone", "Téléphone"),
)

SEVERITES = (
    ("", "Non précisée"),
    ("legere", "Légère"),
    ("moderee", "Modérée"),
    ("severe", "Sévère"),
    ("anaphylaxie", "Anaphylaxie"),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "identite",
        "Identité de la personne",
        (
            Champ("nom_naissance", "Nom de naissance", source="usagers.Usager"),
            Champ("prenoms_naissance", "Prénom(s) de naissance", source="usagers.Usager"),
            Champ("nom_utilise", "Nom utilisé", source="usagers.Usager"),
            Champ("prenom_utilise", "Prénom utilisé", source="usagers.Usager"),
            Champ("date_naissance", "Date de naissance", DATE, source="usagers.Usager"),
            Champ(
                "sexe",
                "Sexe",
                CHOIX,
                choix=(
                    ("", "Non renseigné"),
                    ("F", "Féminin"),
                    ("M", "Masculin"),
                    ("I", "Indéterminé"),
                ),
                source="usagers.Usager",
            ),
            Champ(
                "matricule_ins",
                "Matricule INS",
                aide="Seulement si l'identité est qualifiée.",
                source="usagers.identite.ins_for_sharing",
            ),
            Champ("oid_ins", "OID du matricule INS", source="usagers.identite.ins_for_sharing"),
            Champ("langue", "Langue parlée", aide="Si ce n'est pas le français."),
            Champ("telephone", "Téléphone de la personne"),
        ),
        section_cisis="en-tête (recordTarget)",
    ),
    Section(
        "etablissement",
        "Établissement ou service",
        (
            Champ("nom", "Établissement ou service", source="structures.Etablissement"),
            Champ("finess", "FINESS", source="structures.Etablissement"),
            Champ("adresse", "Adresse", TEXTE_LONG, source="structures.Etablissement"),
            Champ(
                "telephone_24h", "Téléphone joignable 24 h/24", source="structures.Etablissement"
            ),
            Champ("unite", "Unité / chambre", source="usagers.PriseEnCharge"),
            Champ("date_entree", "Date d'entrée", DATE, source="usagers.PriseEnCharge"),
            Champ("medecin_coordonnateur", "Médecin coordonnateur"),
        ),
        section_cisis="en-tête (documentationOf/serviceEvent/performer, custodian)",
    ),
    Section(
        "personne_confiance",
        "Personne de confiance",
        _PERSONNE,
        section_cisis="en-tête (informant/relatedEntity NOK)",
    ),
    Section(
        "representant_legal",
        "Représentant légal",
        (*_PERSONNE, Champ("mesure", "Mesure de protection")),
        section_cisis="en-tête (guardian)",
    ),
    Section(
        "a_prevenir",
        "Personnes à prévenir",
        (
            Champ(
                "personnes",
                "Personnes à prévenir",
                LISTE,
                colonnes=_PERSONNE,
                source="usagers.Proche (à prévenir, aidant)",
            ),
        ),
        section_cisis="en-tête (informant/relatedEntity ECON)",
    ),
    Section(
        "medecin_traitant",
        "Médecin traitant",
        (
            Champ("nom", "Nom", source="usagers.IntervenantExterieur"),
            Champ("rpps", "RPPS", source="usagers.IntervenantExterieur"),
            Champ("telephone", "Téléphone", source="usagers.IntervenantExterieur"),
            Champ("adresse", "Adresse", TEXTE_LONG, source="usagers.IntervenantExterieur"),
            Champ("mssante", "Adresse MSSanté", source="usagers.IntervenantExterieur"),
        ),
        section_cisis="en-tête (participant INF, functionCode PCP)",
    ),
    Section(
        "etablissement_sante",
        "Établissement de santé de préférence",
        (
            Champ("nom", "Établissement"),
            Champ("finess", "FINESS"),
            Champ("adresse", "Adresse", TEXTE_LONG),
            Champ("telephone", "Téléphone"),
        ),
        section_cisis="FR-Dispositions (11302-7)",
    ),
    Section(
        "allergies",
        "Allergies et intolérances",
        (
            Champ(
                "aucune_connue",
                "Aucune allergie connue",
                OUI_NON,
                aide="« Oui » seulement si l'absence d'allergie a été vérifiée.",
                source="soins.AllergieStatut",
                dossier=True,
            ),
            Champ(
                "liste",
                "Allergies",
                LISTE,
                colonnes=(
                    Champ("substance", "Substance ou agent"),
                    Champ("reaction", "Réaction"),
                    Champ("severite", "Sévérité", CHOIX, choix=SEVERITES),
                ),
                source="soins.Allergie",
                dossier=True,
            ),
        ),
        section_cisis="FR-Allergies-et-hypersensibilites (48765-2)",
        prioritaire=True,
        edition_url="soins:dossier",
        edition_libelle="Modifier les allergies dans le dossier de soins",
    ),
    Section(
        "traitements",
        "Traitements en cours",
        (
            Champ(
                "liste",
                "Traitements au long cours",
                LISTE,
                colonnes=(
                    Champ("medicament", "Médicament"),
                    Champ("dosage", "Dosage"),
                    Champ("voie", "Voie"),
                    Champ("posologie", "Posologie"),
                    Champ("si_besoin", "Si besoin (condition)"),
                ),
                source="soins.queries.traitements_en_cours",
                dossier=True,
            ),
            Champ(
                "date_derniere_prescription",
                "Date de la dernière prescription",
                DATE,
                source="soins.queries.traitements_en_cours",
                dossier=True,
            ),
            Champ(
                "prescripteur",
                "Prescripteur",
                source="soins.queries.traitements_en_cours",
                dossier=True,
            ),
            Champ("anticoagulant", "Anticoagulant / antiagrégant", aide="Lequel, INR cible."),
            Champ("commentaire", "Commentaire", TEXTE_LONG),
        ),
        section_cisis="FR-Traitements (10160-0)",
        prioritaire=True,
        edition_url="soins:traitements",
        edition_libelle="Modifier les traitements dans les prescriptions",
    ),
    Section(
        "pathologies",
        "Pathologies en cours",
        (
            Champ(
                "liste",
                "Pathologies",
                LISTE,
                colonnes=(Champ("libelle", "Pathologie"), Champ("commentaire", "Précisions")),
            ),
        ),
        section_cisis="FR-Problemes-actifs (11450-4)",
        prioritaire=True,
    ),
    Section(
        "antecedents",
        "Antécédents",
        (
            Champ(
                "liste",
                "Antécédents médicaux et chirurgicaux",
                LISTE,
                colonnes=(
                    Champ("type", "Type"),
                    Champ("libelle", "Antécédent"),
                    Champ("date", "Date ou année"),
                ),
                source="soins.Antecedent (lecture médicale)",
            ),
        ),
        section_cisis="FR-Antecedents-medicaux (11348-0)",
    ),
    Section(
        "directives_anticipees",
        "Directives anticipées et soins palliatifs",
        (
            _oui_non("redigees", "Directives anticipées rédigées", aide="CI-SIS 42348-3"),
            Champ(
                "lieu",
                "Où les trouver",
                aide="Ex. : dossier de soins, classeur infirmier, chez la personne de confiance.",
            ),
            _oui_non("soins_palliatifs", "Soins palliatifs en cours"),
            Champ(
                "limitation",
                "Niveau de soins / limitation décidée",
                TEXTE_LONG,
                aide="Décision médicale collégiale, date.",
            ),
        ),
        section_cisis="FR-Directives-anticipees (42348-3), FR-Plan-de-soins (18776-5)",
        prioritaire=True,
    ),
    Section(
        "autonomie",
        "Autonomie",
        (
            Champ(
                "gir",
                "GIR",
                CHOIX,
                choix=(("", "Non évalué"),) + tuple((str(i), f"GIR {i}") for i in range(1, 7)),
                source="accompagnement AGGIR",
            ),
            Champ(
                "date_evaluation", "Date de l'évaluation AGGIR", DATE, source="accompagnement AGGIR"
            ),
            Champ("commentaire", "Précisions", TEXTE_LONG),
        ),
        section_cisis="FR-Evaluation-fonctionnelle (47420-5)",
    ),
    Section(
        "communication",
        "Communication, état psychique et déficits sensoriels",
        (
            _oui_non("peut_alerter", "Peut alerter", "288575003"),
            _oui_non("oriente", "Orienté", "247663003"),
            _oui_non("desoriente", "Désorienté", "62476001"),
            _oui_non("agite", "Agité", "24199005"),
            _oui_non("opposant", "Opposant", "248043008"),
            _oui_non("risque_suicidaire", "Risque suicidaire", "425104003"),
            _oui_non("deficit_visuel", "Déficit visuel", "397540003"),
            _oui_non("deficit_auditif", "Déficit auditif", "15188001"),
            _oui_non("trouble_langage", "Trouble du langage", "62305002"),
            _oui_non("troubles_cognitifs", "Troubles cognitifs"),
            _oui_non("trouble_psychique", "Trouble psychique", "74732009"),
            _oui_non("trouble_neurodeveloppemental", "Trouble neurodéveloppemental", "700364009"),
            _oui_non("trouble_locomoteur", "Trouble de l'appareil locomoteur", "928000"),
            Champ("autre_handicap", "Autre handicap / déficit", code_cda=(CISIS, "GEN-092.01.23")),
            Champ(
                "comment_communiquer",
                "Comment communiquer avec la personne",
                TEXTE_LONG,
                source="accompagnement.HabitudeDeVie (communication)",
            ),
        ),
        section_cisis="FR-Resultats-evenements (42545-4), JDV_ObservationEtatPatient",
        prioritaire=True,
    ),
    Section(
        "mobilite",
        "Déplacements, transferts, risque de chute",
        (
            _oui_non("chute", "Chutes / risque de chute", "161898004"),
            _oui_non("deambulation", "Déambulation", "50239007"),
            _oui_non("fugue", "Risque de fugue", "248046000"),
            _oui_non("contention", "Contention", "386423001"),
            Champ(
                "deplacements",
                "Se déplace",
                aide="Seul, avec aide technique (canne, déambulateur), fauteuil roulant, alité.",
            ),
        ),
        section_cisis="FR-Resultats-evenements (42545-4)",
    ),
    Section(
        "nutrition",
        "Alimentation et déglutition",
        (
            _oui_non("fausse_route", "Risque de fausse route", "249492002"),
            Champ("texture", "Texture / régime", aide="Ex. : mixé, eau gélifiée, sans sel."),
            Champ(
                "commentaire",
                "Précisions",
                TEXTE_LONG,
                source="accompagnement.HabitudeDeVie (repas)",
            ),
        ),
        section_cisis="FR-Resultats-evenements (42545-4)",
    ),
    Section(
        "peau",
        "Peau",
        (
            _oui_non("escarre", "Escarre", "285304000"),
            Champ("commentaire", "Localisation, pansements", TEXTE_LONG),
        ),
        section_cisis="FR-Resultats-evenements (42545-4)",
    ),
    Section(
        "continence",
        "Continence",
        (
            Champ("urinaire", "Continence urinaire", aide="Ex. : continent, protections, sonde."),
            Champ("fecale", "Continence fécale"),
        ),
    ),
    Section(
        "dispositifs",
        "Appareillages et dispositifs",
        (
            _oui_non("pacemaker", "Pacemaker / défibrillateur implanté"),
            _oui_non("lunettes", "Lunettes"),
            _oui_non("prothese_dentaire", "Prothèse dentaire"),
            _oui_non("appareil_auditif", "Appareil auditif"),
            _oui_non("oxygene", "Oxygénothérapie"),
            Champ(
                "autres", "Autres dispositifs (sonde, stomie, PAC, prothèse de hanche…)", TEXTE_LONG
            ),
        ),
        section_cisis="FR-Protheses-et-objets-personnels (46264-8)",
    ),
    Section(
        "risques_infectieux",
        "Risques infectieux",
        (
            Champ(
                "bmr",
                "Porteur de BMR / BHRe",
                OUI_NON,
                code_cda=("2.16.840.1.113883.6.3", "U83.71"),
            ),
            Champ("precisions", "Germe, précautions", TEXTE_LONG),
        ),
        section_cisis="FR-Resultats-examens (30954-2)",
        prioritaire=True,
    ),
    Section(
        "vaccinations",
        "Vaccinations",
        (
            Champ(
                "liste",
                "Vaccinations",
                LISTE,
                colonnes=(Champ("vaccin", "Vaccin"), Champ("date", "Date", DATE)),
                source="soins.Vaccination",
            ),
        ),
        section_cisis="FR-Vaccinations (11369-6)",
    ),
    Section(
        "constantes",
        "Dernières constantes connues",
        (
            Champ(
                "liste",
                "Constantes",
                LISTE,
                colonnes=(
                    Champ("libelle", "Mesure"),
                    Champ("valeur", "Valeur"),
                    Champ("date", "Date"),
                ),
                source="soins.Mesure (dernière par type)",
            ),
        ),
        section_cisis="FR-Signes-vitaux (8716-3)",
    ),
    Section(
        "habitudes",
        "Habitudes utiles en urgence",
        (
            Champ(
                "texte",
                "Habitudes et précautions",
                TEXTE_LONG,
                source="accompagnement.HabitudeDeVie",
            ),
        ),
        section_cisis="FR-Commentaire-non-code (55112-7)",
    ),
    Section(
        "environnement",
        "Synthèse environnementale (domicile)",
        (
            Champ("mode_de_vie", "Mode de vie", aide="Seul, en couple, avec un proche…"),
            Champ(
                "logement",
                "Logement et accès",
                TEXTE_LONG,
                aide="Type, étage, ascenseur, escaliers, digicode.",
            ),
            Champ("cles", "Accès au domicile / clés", aide="Boîte à clés, voisin, gardien."),
            Champ("animaux", "Animaux au domicile"),
            Champ("teleassistance", "Téléassistance"),
            Champ(
                "aides",
                "Aides en place",
                TEXTE_LONG,
                aide="SAD, SSIAD, infirmier libéral, portage de repas, accueil de jour…",
                source="usagers.IntervenantExterieur",
            ),
            Champ("aidant_principal", "Aidant principal", source="usagers.Proche (aidant)"),
            Champ(
                "service_referent",
                "Service d'accompagnement à contacter",
                source="structures.Etablissement",
            ),
        ),
        aide="Renseignée par le service social ou médico-social qui accompagne la personne "
        "à domicile (DLU-Dom).",
        variantes=("domicile",),
    ),
    Section(
        "annexes",
        "Documents annexés au DLU",
        tuple(
            Champ(code, libelle, OUI_NON, code_cda=(CISIS, code.upper()))
            for code, libelle in (
                ("dlu_006", "Attestation de carte Vitale"),
                ("dlu_007", "Attestation de mutuelle"),
                ("dlu_008", "Photocopie de la carte d'identité"),
                ("dlu_009", "Grille AGGIR la plus récente"),
                ("dlu_010", "Photocopie des directives anticipées"),
                ("dlu_011", "Ordonnances en cours"),
                ("dlu_012", "Tableau d'administration des médicaments"),
                ("dlu_013", "Biologie récente (clairance, INR si AVK)"),
                ("dlu_014", "Compte rendu de la dernière hospitalisation"),
                ("dlu_015", "Fiche BMR"),
                ("dlu_016", "Fiche de suivi des soins"),
                ("dlu_017", "Carnet pacemaker / défibrillateur"),
                ("dlu_018", "Carte de groupe sanguin"),
                ("dlu_019", "Capacités en soins de l'établissement"),
            )
        ),
        section_cisis="FR-Documents-ajoutes (55107-7), JDV_ChecklistDLU",
    ),
    Section(
        "commentaires",
        "Commentaires",
        (Champ("texte", "Commentaires", TEXTE_LONG),),
        section_cisis="FR-Commentaire-non-code (55112-7)",
    ),
)

SECTIONS_PAR_CODE: dict[str, Section] = {s.code: s for s in SECTIONS}

# Sections with record-owned fields (allergies, treatments).
SECTIONS_DOSSIER: tuple[Section, ...] = tuple(s for s in SECTIONS if s.champs_dossier)

# `donnees["_a_reporter"]`: {section code: [rows]} — list rows typed in a DLU draft before
# those lists became record-owned, that the record does not hold. Kept and shown flagged
# until someone adds them to the record (they then match and leave this list): never
# dropped silently.
A_REPORTER = "_a_reporter"


def sections_for(variante: str) -> tuple[Section, ...]:
    return tuple(s for s in SECTIONS if variante in s.variantes)


def vide(variante: str = "ehpad") -> dict[str, dict[str, object]]:
    """Empty content: every field of every section present, nothing filled in."""
    result: dict[str, dict[str, object]] = {}
    for s in sections_for(variante):
        result[s.code] = {c.code: [] if c.type == LISTE else "" for c in s.champs}
    return result
