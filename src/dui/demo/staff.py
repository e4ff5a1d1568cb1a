"""The demo organisme's structures and staff: one account per ready-made role."""

from __future__ import annotations

from dataclasses import dataclass

from dui.comptes.models import Profession
from dui.structures.models import CategorieEtablissement, Unite

EHPAD, IME, SAD = "ehpad", "ime", "sad"

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
AGES = {EHPAD: (75, 100), IME: (6, 20), SAD: (60, 95)}


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
