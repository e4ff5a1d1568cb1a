"""Evaluation grids and the evaluations of a person made with them.

A grid (Grille) is a list of items, each with an answer scale; a built-in grid names the
function that computes its result (CALCULS in services.py). An evaluation is dated, written
by its author, signed (then frozen: a new evaluation is made, never an edit), and keeps its
computed result so that results can be compared over time.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models


class TypeGrille(models.TextChoices):
    INTEGREE = "integree", "Intégrée"
    ADMINISTRATEUR = "administrateur", "Définie par un administrateur"


class StatutGrille(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    PUBLIEE = "publiee", "Publiée"
    # A published grid replaced by its next version, or withdrawn: evaluations made with it
    # keep pointing at it; no new evaluation is started with it.
    REMPLACEE = "remplacee", "Remplacée par une nouvelle version"
    RETIREE = "retiree", "Retirée"


class Grille(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    version = models.CharField("version", max_length=20)
    type = models.CharField("type", max_length=20, choices=TypeGrille.choices)
    # Category of the person's data the grid belongs to: decides who reads and writes it.
    categorie = models.CharField("catégorie", max_length=20, default="soins")
    calcul = models.CharField("calcul du résultat", max_length=40, blank=True)
    actif = models.BooleanField("active", default=True)
    # Versions of one grid share a famille; a published version is frozen, editing it
    # creates the next numero (as a draft), evaluations keep the version they used.
    famille = models.SlugField("famille", max_length=40, blank=True)
    numero = models.PositiveIntegerField("numéro de version", default=1)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutGrille.choices, default=StatutGrille.PUBLIEE
    )
    description = models.TextField("description", blank=True)
    # Result of a points grid ("somme"): [{"min": int, "max": int, "libelle": str}, ...].
    bandes = models.JSONField("tranches de résultat", default=list, blank=True)
    # FINESS categories of the établissements whose persons it is offered for ([] = all).
    categories_finess = models.JSONField("catégories FINESS", default=list, blank=True)
    # Administrator-defined grids belong to one établissement (its administrators edit them,
    # its persons are evaluated with them).
    etablissement = models.ForeignKey(
        "structures.Etablissement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    publiee_le = models.DateTimeField("publiée le", null=True, blank=True)
    publiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Stale-save protection of a draft's definition.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "grille d'évaluation"
        verbose_name_plural = "grilles d'évaluation"
        constraints = [
            models.UniqueConstraint(
                fields=["famille", "numero"],
                condition=~models.Q(famille=""),
                name="grille_famille_numero_unique",
            )
        ]

    def __str__(self) -> str:
        return self.libelle

    @property
    def publiee(self) -> bool:
        return self.statut == StatutGrille.PUBLIEE


class GrilleItem(models.Model):
    grille = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("code", max_length=60)
    libelle = models.CharField("libellé", max_length=200)
    # Items of one variable are shown together (fieldset); a variable without
    # sub-variables has a single item whose code is the variable's.
    variable = models.CharField("variable", max_length=60)
    variable_libelle = models.CharField("libellé de la variable", max_length=200)
    section = models.CharField("section", max_length=40, blank=True)
    ordre = models.PositiveIntegerField("ordre")
    # {"type": "adverbes"} (four booleans S, T, C, H) or {"type": "choix", "options": [...]}.
    echelle = models.JSONField("échelle de réponse", default=dict)

    class Meta:
        ordering = ["grille", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["grille", "code"], name="grille_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.grille.code} · {self.code}"


class StatutEvaluation(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNEE = "signee", "Signée"


class Evaluation(models.Model):
    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, related_name="evaluations"
    )
    grille = models.ForeignKey(Grille, on_delete=models.PROTECT, related_name="evaluations")
    date = models.DateField("date de l'évaluation")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=StatutEvaluation.choices,
        default=StatutEvaluation.BROUILLON,
    )
    signee_le = models.DateTimeField("signée le", null=True, blank=True)
    signee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resultat = models.JSONField("résultat", default=dict, blank=True)
    resultat_libelle = models.CharField("résultat", max_length=60, blank=True)
    # Free comment on the content or the result (the TDDUI "commentaire" of an evaluation).
    commentaire = models.TextField("commentaire", blank=True)
    version = models.PositiveIntegerField(default=1)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "évaluation"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["usager", "grille", "date"], name="evaluation_usager_date")]

    def __str__(self) -> str:
        return f"{self.grille.libelle} du {self.date:%d/%m/%Y}"

    @property
    def signee(self) -> bool:
        return self.statut == StatutEvaluation.SIGNEE


class Reponse(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="reponses")
    item_code = models.CharField("item", max_length=60)
    valeur = models.JSONField("valeur")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item_code"], name="reponse_item_unique")
        ]

    def __str__(self) -> str:
        return self.item_code


# --- Transmissions and cahier de liaison ----------------------------------------------------


class CategorieTransmission(models.TextChoices):
    VIE_QUOTIDIENNE = "vie_quotidienne", "Vie quotidienne"
    SOINS = "soins", "Soins"
    SOCIAL = "social", "Social"
    EDUCATIF = "educatif", "Éducatif"
    MEDICAL = "medical", "Médical"
    ADMINISTRATIF = "administratif", "Administratif"


# Each transmission category is protected by exactly one data category of the policy
# (comptes.models.Categorie): reading needs "usager.<data category>.read", writing "…write".
# Daily-life notes (meals, sleep, mood, hygiene) are written by aides-soignants, AES and
# home-care workers, who hold the "soins" habilitation: they are "soins" data. An éducateur
# writes in "éducatif". One explicit category per note keeps the secret partagé simple: a
# note is never readable through two different rights.
POLICY_CATEGORIE: dict[str, str] = {
    CategorieTransmission.VIE_QUOTIDIENNE: "soins",
    CategorieTransmission.SOINS: "soins",
    CategorieTransmission.SOCIAL: "social",
    CategorieTransmission.EDUCATIF: "educatif",
    CategorieTransmission.MEDICAL: "medical",
    CategorieTransmission.ADMINISTRATIF: "administratif",
}


def transmission_categories(readable: set[str] | frozenset[str]) -> list[str]:
    """Transmission categories whose data category is in `readable` (policy categories)."""
    return [code for code, data in POLICY_CATEGORIE.items() if data in readable]


class TypeTransmission(models.TextChoices):
    CIBLEE = "ciblee", "Ciblée (cible, données, actions, résultats)"
    LIBRE = "libre", "Texte libre"


class Transmission(models.Model):
    """A note about a person, fixed once written: a correction is a new linked note."""

    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, related_name="transmissions"
    )
    # Where it was written (the unit and handover lists of that établissement show it).
    etablissement = models.ForeignKey(
        "structures.Etablissement", on_delete=models.PROTECT, related_name="+"
    )
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieTransmission.choices)
    type = models.CharField(
        "forme", max_length=10, choices=TypeTransmission.choices, default=TypeTransmission.LIBRE
    )
    cible = models.CharField("cible", max_length=200, blank=True)
    donnees = models.TextField("données", blank=True)
    actions = models.TextField("actions", blank=True)
    resultats = models.TextField("résultats", blank=True)
    texte = models.TextField("texte", blank=True)
    is_urgent = models.BooleanField("urgente", default=False)
    # Shared in the home-care cahier de liaison: the person, their aidants and partner
    # services under convention may read it (through the portal, later).
    partage_cahier_liaison = models.BooleanField(
        "partagée dans le cahier de liaison", default=False
    )
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField("écrite le", auto_now_add=True)
    # On a correction: the transmission it replaces, and why.
    corrige = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    motif_correction = models.CharField("motif de la correction", max_length=300, blank=True)
    # On a corrected transmission: when it was replaced (its content never changes).
    corrigee_le = models.DateTimeField("corrigée le", null=True, blank=True)

    class Meta:
        verbose_name = "transmission"
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(fields=["usager", "-cree_le"], name="transmission_usager_date"),
            models.Index(fields=["etablissement", "-cree_le"], name="transmission_etab_date"),
        ]

    def __str__(self) -> str:
        return f"Transmission {self.get_categorie_display()} du {self.cree_le:%d/%m/%Y %H:%M}"

    @property
    def policy_categorie(self) -> str:
        return POLICY_CATEGORIE[self.categorie]


class LectureTransmission(models.Model):
    """Who acknowledged an urgent transmission ("lu par"), and when: once per person."""

    transmission = models.ForeignKey(
        Transmission, on_delete=models.CASCADE, related_name="lectures"
    )
    lecteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lu_le = models.DateTimeField("lue le", auto_now_add=True)

    class Meta:
        verbose_name = "lecture de transmission"
        ordering = ["lu_le", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transmission", "lecteur"], name="lecture_transmission_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Lue le {self.lu_le:%d/%m/%Y %H:%M}"


# --- Cahier de liaison (home care): partners and sharing ---------------------------------------


class Partenaire(models.Model):
    """A partner service working with an établissement under a convention (SSIAD, nurse's
    practice, kinésithérapeute, portage de repas…). A partner has no account: transmissions
    shared with it are what the printed cahier de liaison (and a future portal) shows it."""

    etablissement = models.ForeignKey(
        "structures.Etablissement", on_delete=models.PROTECT, related_name="partenaires"
    )
    nom = models.CharField("nom", max_length=200)
    finess = models.CharField("FINESS", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    convention_debut = models.DateField("début de la convention")
    convention_fin = models.DateField("fin de la convention", null=True, blank=True)
    contact_nom = models.CharField("contact", max_length=200, blank=True)
    contact_telephone = models.CharField("téléphone", max_length=30, blank=True)
    contact_email = models.EmailField("adresse e-mail", blank=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    # Stale-save protection: a form carries the version it displayed.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["nom", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(convention_fin__isnull=True)
                | models.Q(convention_fin__gte=models.F("convention_debut")),
                name="partenaire_convention_dates",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    def sous_convention(self, jour: datetime.date) -> bool:
        return self.convention_debut <= jour and (
            self.convention_fin is None or jour <= self.convention_fin
        )


class DestinataireCahier(models.TextChoices):
    PERSONNE = "personne", "La personne et ses aidants"
    PARTENAIRE = "partenaire", "Service partenaire"


class PartageTransmission(models.Model):
    """One explicit sharing of a transmission in the cahier de liaison: with whom, by whom,
    when. Unsharing sets retire_le/retire_par and keeps the row; sharing again is a new row."""

    transmission = models.ForeignKey(
        Transmission, on_delete=models.PROTECT, related_name="partages"
    )
    destinataire = models.CharField(
        "partagée avec", max_length=20, choices=DestinataireCahier.choices
    )
    partenaire = models.ForeignKey(
        Partenaire, on_delete=models.PROTECT, null=True, blank=True, related_name="partages"
    )
    partage_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    partage_le = models.DateTimeField("partagée le", auto_now_add=True)
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    retire_le = models.DateTimeField("retirée le", null=True, blank=True)
    motif_retrait = models.CharField("motif du retrait", max_length=300, blank=True)

    class Meta:
        verbose_name = "partage dans le cahier de liaison"
        verbose_name_plural = "partages dans le cahier de liaison"
        ordering = ["partage_le", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(destinataire="partenaire", partenaire__isnull=False)
                    | models.Q(destinataire="personne", partenaire__isnull=True)
                ),
                name="partage_partenaire_si_partenaire",
            ),
            # At most one active sharing per recipient.
            models.UniqueConstraint(
                fields=["transmission"],
                condition=models.Q(destinataire="personne", retire_le__isnull=True),
                name="partage_personne_actif_unique",
            ),
            models.UniqueConstraint(
                fields=["transmission", "partenaire"],
                condition=models.Q(destinataire="partenaire", retire_le__isnull=True),
                name="partage_partenaire_actif_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Partage du {self.partage_le:%d/%m/%Y %H:%M}"

    @property
    def actif(self) -> bool:
        return self.retire_le is None


# --- Habits of life --------------------------------------------------------------------------


class DomaineHabitude(models.TextChoices):
    SOMMEIL = "sommeil", "Sommeil"
    LEVER = "lever", "Lever"
    REPAS = "repas", "Repas et goûts"
    HYGIENE = "hygiene", "Hygiène"
    HABILLAGE = "habillage", "Habillage"
    RELIGION = "religion", "Religion et croyances"
    LOISIRS = "loisirs", "Loisirs"
    COMMUNICATION = "communication", "Communication"
    PERSONNES = "personnes", "Personnes importantes"
    AUTRE = "autre", "Autre"


# Habits are daily-life support data that care AND educational staff rely on (how the person
# likes to wake up, eat, dress, pray…): every professional of the person's team reads them,
# so reading is "administratif". Changing them is part of the accompaniment itself, so it
# needs the "soins" OR the "educatif" write right (aides-soignants, infirmiers, éducateurs…);
# the accueil, who writes administrative data only, reads them but does not change them.
HABITUDE_READ = "administratif"
HABITUDE_WRITE = ("soins", "educatif")


class HabitudeDeVie(models.Model):
    """The person's habits and preferences in one domain: one row per person and domain."""

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="habitudes")
    domaine = models.CharField("domaine", max_length=20, choices=DomaineHabitude.choices)
    description = models.TextField("habitudes")
    preferences = models.TextField("préférences", blank=True)
    a_eviter = models.TextField("à éviter", blank=True)
    # The text gives the person's own words (recueil with the person), not the team's view.
    dit_par_la_personne = models.BooleanField("dit par la personne", default=False)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    # Stale-save protection: a form carries the version it displayed.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "habitude de vie"
        verbose_name_plural = "habitudes de vie"
        constraints = [
            models.UniqueConstraint(fields=["usager", "domaine"], name="habitude_usager_domaine")
        ]

    def __str__(self) -> str:
        return self.get_domaine_display()
