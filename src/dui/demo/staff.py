"""The demo organisme's structures and staff: one account per ready-made role."""

from __future__ import annotations

from dataclasses import dataclass

from dui.comptes.models import Profession
from dui.structures.models import CategorieEtablissement, Unite

EHPAD, IME, SAD, FAM, MAS = "ehpad", "ime", "sad", "fam", "mas"

ORGANISME = {
    "raison_sociale": "Association Les Quatre Saisons",
    "adresse": "8 rue des Quatre Saisons, 69003 Lyon",
}


@dataclass(frozen=True)
class EtablissementSpec:
    key: str
    nom: str
    categorie: str
    capacite_places: int
    adresse: str
    code_postal: str
    commune: str
    unite_type: str
    # (nom, capacité or None when the unit has no fixed number of places)
    unites: tuple[tuple[str, int | None], ...]


ETABLISSEMENTS: tuple[EtablissementSpec, ...] = (
    EtablissementSpec(
        EHPAD,
        "EHPAD Le Clos des Tilleuls",
        CategorieEtablissement.EHPAD,
        72,
        "14 allée des Tilleuls",
        "69100",
        "Villeurbanne",
        Unite.Type.AILE,
        (("Aile Tilleul", 30), ("Aile Chêne", 30), ("Unité protégée Les Glycines", 12)),
    ),
    EtablissementSpec(
        IME,
        "IME Les Sources",
        CategorieEtablissement.IME,
        60,
        "3 chemin des Sources",
        "69200",
        "Vénissieux",
        Unite.Type.GROUPE,
        (("Groupe des Petits", None), ("Groupe Horizon", None), ("Groupe Passerelle", None)),
    ),
    EtablissementSpec(
        SAD,
        "SAD Les Quatre Saisons — Lyon Est",
        CategorieEtablissement.SAD,
        150,
        "27 avenue des Frères Lumière",
        "69008",
        "Lyon",
        Unite.Type.SECTEUR,
        (("Secteur Lyon 3e", None), ("Secteur Lyon 8e", None), ("Secteur Bron", None)),
    ),
)

# Age range (years, inclusive) of the persons of each établissement.
AGES = {EHPAD: (75, 100), IME: (6, 20), SAD: (60, 95), FAM: (20, 60), MAS: (20, 65)}


@dataclass(frozen=True)
class ExtraKind:
    """How the additional établissements of one kind look when the demo grows."""

    categorie: str
    prefix: str  # first word of the name
    places: tuple[int, int]  # capacity range (persons followed for a home-care service)
    unite_type: str
    share: float  # share of the persons beyond the three named établissements


# Beyond the capacity of the three named établissements (N > 282), the persons go to
# additional établissements of the same organisme, as in a large association.
EXTRA_KINDS: dict[str, ExtraKind] = {
    EHPAD: ExtraKind(CategorieEtablissement.EHPAD, "EHPAD", (60, 120), Unite.Type.AILE, 0.30),
    SAD: ExtraKind(CategorieEtablissement.SAD, "SAD", (150, 400), Unite.Type.SECTEUR, 0.52),
    IME: ExtraKind(CategorieEtablissement.IME, "IME", (40, 80), Unite.Type.GROUPE, 0.10),
    FAM: ExtraKind(CategorieEtablissement.FAM, "FAM", (25, 50), Unite.Type.UNITE, 0.04),
    MAS: ExtraKind(CategorieEtablissement.MAS, "MAS", (30, 60), Unite.Type.UNITE, 0.04),
}

# Names of the additional établissements and of their wings or units.
RESIDENCES = (
    "Les Lilas",
    "Les Glycines",
    "Le Val Fleuri",
    "Les Charmilles",
    "La Roseraie",
    "Les Marronniers",
    "Le Parc",
    "Les Cèdres",
    "La Chaumière",
    "Les Jardins d'Arcadie",
    "Le Clos Saint-Jean",
    "Les Peupliers",
    "La Source",
    "Les Hirondelles",
    "Le Belvédère",
    "Les Bruyères",
    "La Colline",
    "Les Vignes",
    "Le Moulin",
    "Les Acacias",
    "L'Orangerie",
    "Les Platanes",
    "La Fontaine",
    "Le Bois Joli",
    "Les Myosotis",
    "Les Genêts",
)
UNIT_NAMES = (
    "Tilleul",
    "Chêne",
    "Érable",
    "Bouleau",
    "Saule",
    "Frêne",
    "Olivier",
    "Cerisier",
    "Magnolia",
    "Mimosa",
    "Lavande",
    "Bruyère",
)
# (commune, code postal) of the Rhône and neighbouring departments.
COMMUNES = (
    ("Lyon", "69003"),
    ("Villeurbanne", "69100"),
    ("Vénissieux", "69200"),
    ("Bron", "69500"),
    ("Vaulx-en-Velin", "69120"),
    ("Caluire-et-Cuire", "69300"),
    ("Saint-Priest", "69800"),
    ("Rillieux-la-Pape", "69140"),
    ("Meyzieu", "69330"),
    ("Oullins", "69600"),
    ("Villefranche-sur-Saône", "69400"),
    ("Givors", "69700"),
    ("Tarare", "69170"),
    ("Décines-Charpieu", "69150"),
    ("Écully", "69130"),
    ("Tassin-la-Demi-Lune", "69160"),
    ("Sainte-Foy-lès-Lyon", "69110"),
    ("Vienne", "38200"),
    ("Bourgoin-Jallieu", "38300"),
    ("Saint-Étienne", "42000"),
    ("Roanne", "42300"),
    ("Bourg-en-Bresse", "01000"),
    ("Mâcon", "71000"),
    ("Annonay", "07100"),
    ("Belley", "01300"),
    ("Montbrison", "42600"),
)


@dataclass(frozen=True)
class StaffSpec:
    login: str  # local part of the e-mail address
    role: str  # code in comptes.roles.PROFILS
    profession: str
    prenom: str
    nom: str
    etablissements: tuple[str, ...]
    unites: tuple[str, ...] = ()
    rpps: bool = False


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec(
        "direction", "direction", Profession.DIRECTEUR, "Hélène", "Lambert", (EHPAD, IME, SAD)
    ),
    StaffSpec(
        "chef-service", "chef_service", Profession.CHEF_SERVICE, "Karim", "Benali", (IME, SAD)
    ),
    StaffSpec(
        "medecin",
        "medecin",
        Profession.MEDECIN_COORDONNATEUR,
        "Anne",
        "Vasseur",
        (EHPAD,),
        rpps=True,
    ),
    StaffSpec("idec", "infirmier", Profession.IDEC, "Sophie", "Marchal", (EHPAD,), rpps=True),
    StaffSpec(
        "aide-soignant",
        "soignant",
        Profession.AIDE_SOIGNANT,
        "Julien",
        "Perrot",
        (EHPAD,),
        ("Aile Tilleul",),
    ),
    StaffSpec(
        "educateur", "educatif", Profession.EDUCATEUR, "Camille", "Rey", (IME,), ("Groupe Horizon",)
    ),
    StaffSpec(
        "psychologue", "psychologue", Profession.PSYCHOLOGUE, "Nadia", "Ferrand", (EHPAD, IME)
    ),
    StaffSpec(
        "ergotherapeute", "paramedical", Profession.ERGOTHERAPEUTE, "Thomas", "Giraud", (EHPAD,)
    ),
    StaffSpec("accueil", "accueil", Profession.SECRETAIRE, "Isabelle", "Morin", (EHPAD,)),
    StaffSpec(
        "intervenant",
        "intervenant_domicile",
        Profession.INTERVENANT_DOMICILE,
        "Fatou",
        "Diallo",
        (SAD,),
        ("Secteur Lyon 3e",),
    ),
    StaffSpec("dpo", "dpo", Profession.DPO, "Marc", "Leclerc", (EHPAD, IME, SAD)),
    StaffSpec(
        "admin", "administrateur", Profession.INFORMATICIEN, "Lucie", "Fabre", (EHPAD, IME, SAD)
    ),
)

# First names and surnames of the additional home-care workers created at scale.
INTERVENANT_PRENOMS = (
    "Aminata",
    "Sandrine",
    "Nathalie",
    "Céline",
    "Aurélie",
    "Stéphanie",
    "Mariam",
    "Laetitia",
    "Kevin",
    "Sébastien",
    "Nora",
    "Yasmina",
    "Émilie",
    "Virginie",
    "Samia",
    "Delphine",
)
