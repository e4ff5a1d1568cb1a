"""Vital signs and measures of a person (category "soins"), and alert thresholds.

A measure is never edited in place: a correction is a new measure pointing at the one it
corrects, which is marked corrected (date, by whom) and stays in the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from dui.soins.constantes import SPECS, TypeConstante, format_valeur
from dui.structures.models import Etablissement
from dui.usagers.models import Usager


class Mesure(models.Model):
    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="mesures")
    type = models.CharField("type", max_length=12, choices=TypeConstante.choices)
    valeur = models.DecimalField("valeur", max_digits=7, decimal_places=2)
    # Second value of a two-value measure: the diastolic pressure.
    valeur2 = models.DecimalField("valeur 2", max_digits=7, decimal_places=2, null=True)
    mesure_le = models.DateTimeField("mesuré le")
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    corrige = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="corrige la mesure",
    )
    motif_correction = models.CharField("motif de la correction", max_length=300, blank=True)
    corrigee_le = models.DateTimeField("corrigée le", null=True, blank=True)

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        indexes = [
            models.Index(fields=["usager", "type", "mesure_le"]),
            models.Index(fields=["mesure_le"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.texte}"

    @property
    def texte(self) -> str:
        return format_valeur(self.type, self.valeur, self.valeur2)

    @property
    def unite(self) -> str:
        return SPECS[self.type].unite


class SeuilAlerte(models.Model):
    """Normal range of one type of measure in one établissement (replaces the default)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="seuils_alerte"
    )
    type = models.CharField("type", max_length=12, choices=TypeConstante.choices)
    bas = models.DecimalField(
        "valeur normale minimale", max_digits=7, decimal_places=2, null=True, blank=True
    )
    haut = models.DecimalField(
        "valeur normale maximale", max_digits=7, decimal_places=2, null=True, blank=True
    )
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "seuil d'alerte"
        verbose_name_plural = "seuils d'alerte"
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "type"], name="seuil_unique_par_type")
        ]


def seuils_for(etablissement_id: int | None) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Normal range per type for an établissement: configured, else the default (1 query)."""
    result = {code: (spec.bas, spec.haut) for code, spec in SPECS.items()}
    if etablissement_id is not None:
        for s in SeuilAlerte.objects.filter(etablissement_id=etablissement_id):
            result[s.type] = (s.bas, s.haut)
    return result


# --- Care and medical file: antécédents, allergies, vaccinations -------------------------
#
# Categories (see DESIGN): allergies and vaccinations are "soins" data, read by every care
# professional of the person (an aide-soignant serving a meal must see a food allergy);
# antécédents are "medical" data, read only by the health professionals with medical rights.
# Nothing is deleted: removing an entry deactivates it with a reason, and it stays listed in
# the history.


class _Desactivable(models.Model):
    actif = models.BooleanField("actif", default=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)
    desactive_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    desactive_le = models.DateTimeField("retiré le", null=True, blank=True)
    motif_desactivation = models.CharField("motif du retrait", max_length=300, blank=True)

    class Meta:
        abstract = True


class TypeAntecedent(models.TextChoices):
    MEDICAL = "medical", "Médical"
    CHIRURGICAL = "chirurgical", "Chirurgical"
    FAMILIAL = "familial", "Familial"


class Antecedent(_Desactivable):
    """A medical, surgical or family history item (category "medical")."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="antecedents")
    type = models.CharField("type", max_length=12, choices=TypeAntecedent.choices)
    libelle = models.CharField("libellé", max_length=200)
    date = models.DateField("date", null=True, blank=True)
    annee = models.PositiveSmallIntegerField("année", null=True, blank=True)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "antécédent"
        verbose_name_plural = "antécédents"
        indexes = [models.Index(fields=["usager", "actif"])]

    def __str__(self) -> str:
        return self.libelle


class TypeAllergie(models.TextChoices):
    ALLERGIE = "allergie", "Allergie"
    INTOLERANCE = "intolerance", "Intolérance"


class Severite(models.TextChoices):
    LEGERE = "legere", "Légère"
    MODEREE = "moderee", "Modérée"
    SEVERE = "severe", "Sévère"
    ANAPHYLAXIE = "anaphylaxie", "Anaphylaxie"


SEVERITES_GRAVES = {Severite.SEVERE, Severite.ANAPHYLAXIE}


class Certitude(models.TextChoices):
    CONFIRMEE = "confirmee", "Confirmée"
    SUSPECTEE = "suspectee", "Suspectée"


class Allergie(_Desactivable):
    """An allergy or intolerance to a substance or agent (category "soins")."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField("substance ou agent", max_length=200)
    type = models.CharField(
        "type", max_length=12, choices=TypeAllergie.choices, default=TypeAllergie.ALLERGIE
    )
    reaction = models.CharField("réaction", max_length=300, blank=True)
    severite = models.CharField("sévérité", max_length=12, choices=Severite.choices)
    certitude = models.CharField(
        "certitude", max_length=10, choices=Certitude.choices, default=Certitude.CONFIRMEE
    )

    class Meta:
        verbose_name = "allergie ou intolérance"
        verbose_name_plural = "allergies et intolérances"
        indexes = [models.Index(fields=["usager", "actif"])]

    def __str__(self) -> str:
        return self.substance

    @property
    def grave(self) -> bool:
        return self.severite in SEVERITES_GRAVES


class AllergieStatut(models.Model):
    """ "No known allergy" stated explicitly, so that it differs from "not filled in"."""

    usager = models.OneToOneField(Usager, on_delete=models.CASCADE, related_name="allergie_statut")
    aucune_connue = models.BooleanField("aucune allergie connue", default=False)
    verifie_le = models.DateTimeField("vérifié le")
    verifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "statut allergique"
        verbose_name_plural = "statuts allergiques"


class Vaccination(_Desactivable):
    """A vaccine given (category "soins")."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="vaccinations")
    vaccin = models.CharField("vaccin", max_length=200)
    date = models.DateField("date")
    lot = models.CharField("numéro de lot", max_length=60, blank=True)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "vaccination"
        verbose_name_plural = "vaccinations"
        indexes = [models.Index(fields=["usager", "actif"])]

    def __str__(self) -> str:
        return self.vaccin


# --- Prescriptions and the circuit du médicament ------------------------------------------
#
# Category "soins": every care professional of the person reads current treatments (an
# aide-soignant helps with taking medicines and must know what is given); writing a
# prescription needs soins and medical write rights (see services.may_prescribe).
# A line is never edited: stopping it sets arret_* (kept in the history); changing it stops it
# with a reason and creates a new line pointing at the old one (`remplace`).


def _ordonnance_path(instance: object, filename: str) -> str:
    # A random name: the file system never shows whose prescription it is.
    import uuid

    return f"ordonnances/{uuid.uuid4().hex}"


class Prescription(models.Model):
    """One prescription (ordonnance) of a prescriber, with its scanned or received document."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="prescriptions")
    date_prescription = models.DateField("date de la prescription")
    # The prescriber: an external professional of the person, an internal professional
    # (a user), or only a name and RPPS typed in (a hospital physician, for instance).
    prescripteur_externe = models.ForeignKey(
        "usagers.IntervenantExterieur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescriptions",
        verbose_name="prescripteur extérieur",
    )
    prescripteur_interne = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prescripteur de l'établissement",
    )
    prescripteur_nom = models.CharField("nom du prescripteur", max_length=200, blank=True)
    prescripteur_rpps = models.CharField("RPPS du prescripteur", max_length=11, blank=True)
    document = models.FileField("ordonnance", upload_to=_ordonnance_path, blank=True)
    document_nom = models.CharField("nom du fichier", max_length=200, blank=True)
    document_mime = models.CharField("type du fichier", max_length=100, blank=True)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        verbose_name = "prescription"
        verbose_name_plural = "prescriptions"
        indexes = [models.Index(fields=["usager", "date_prescription"])]

    def __str__(self) -> str:
        return f"Prescription du {self.date_prescription:%d/%m/%Y}"


class VoieAdministration(models.TextChoices):
    ORALE = "orale", "Orale"
    SUBLINGUALE = "sublinguale", "Sublinguale"
    CUTANEE = "cutanee", "Cutanée"
    TRANSDERMIQUE = "transdermique", "Transdermique"
    SOUS_CUTANEE = "sous_cutanee", "Sous-cutanée"
    INTRAMUSCULAIRE = "intramusculaire", "Intramusculaire"
    INTRAVEINEUSE = "intraveineuse", "Intraveineuse"
    INHALEE = "inhalee", "Inhalée"
    OCULAIRE = "oculaire", "Oculaire"
    AURICULAIRE = "auriculaire", "Auriculaire"
    NASALE = "nasale", "Nasale"
    RECTALE = "rectale", "Rectale"
    VAGINALE = "vaginale", "Vaginale"
    AUTRE = "autre", "Autre"


class _Arretable(models.Model):
    """A prescribed line that is stopped (never deleted) with a reason."""

    debut = models.DateField("début")
    fin = models.DateField("fin prévue", null=True, blank=True)
    arret_le = models.DateTimeField("arrêtée le", null=True, blank=True)
    arret_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    motif_arret = models.CharField("motif de l'arrêt", max_length=300, blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        abstract = True


class LigneMedicament(_Arretable):
    """One medication line of a prescription.

    `prises` is the posology: a list of {"moment": slot code or "", "heure": "HH:MM" or "",
    "quantite": "1"} (one entry per intake of the day); empty for a "si besoin" line, which
    has its condition and a maximum number of intakes per day instead.
    """

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="lignes")
    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="lignes_medicament")
    medicament = models.CharField("médicament", max_length=200)
    dosage = models.CharField("dosage", max_length=60, blank=True)
    forme = models.CharField("forme", max_length=60, blank=True)
    voie = models.CharField(
        "voie", max_length=16, choices=VoieAdministration.choices, default=VoieAdministration.ORALE
    )
    unite_prise = models.CharField("unité de prise", max_length=30, default="cp")
    prises = models.JSONField("prises", default=list, blank=True)
    si_besoin = models.BooleanField("si besoin", default=False)
    condition = models.CharField("condition (si besoin)", max_length=300, blank=True)
    max_par_jour = models.PositiveSmallIntegerField("maximum par jour", null=True, blank=True)
    instructions = models.CharField("instructions", max_length=300, blank=True)
    remplace = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remplacee_par",
        verbose_name="remplace la ligne",
    )

    class Meta:
        verbose_name = "ligne de médicament"
        verbose_name_plural = "lignes de médicament"
        indexes = [
            models.Index(fields=["usager", "arret_le"]),
            models.Index(fields=["debut", "fin"]),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.medicament, self.dosage) if p)


class TypePrescriptionAutre(models.TextChoices):
    KINE = "kine", "Kinésithérapie"
    SOINS_INFIRMIERS = "soins_infirmiers", "Soins infirmiers"
    REGIME = "regime", "Régime alimentaire"
    ORTHOPHONIE = "orthophonie", "Orthophonie"
    PEDICURIE = "pedicurie", "Pédicurie-podologie"
    BIOLOGIE = "biologie", "Examen biologique"
    AUTRE = "autre", "Autre"


class LigneAutre(_Arretable):
    """A non-drug line of a prescription (kinésithérapie, soins infirmiers, régime…)."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="lignes_autres"
    )
    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="lignes_autres")
    type = models.CharField("type", max_length=20, choices=TypePrescriptionAutre.choices)
    libelle = models.CharField("prescription", max_length=300)
    frequence = models.CharField("fréquence", max_length=120, blank=True)
    remplace = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remplacee_par",
        verbose_name="remplace la ligne",
    )

    class Meta:
        verbose_name = "prescription non médicamenteuse"
        verbose_name_plural = "prescriptions non médicamenteuses"
        indexes = [models.Index(fields=["usager", "arret_le"])]

    def __str__(self) -> str:
        return self.libelle


class StatutAdministration(models.TextChoices):
    DONNE = "donne", "Donné"
    DONNE_RETARD = "donne_retard", "Donné en retard"
    NON_DONNE = "non_donne", "Non donné"


class MotifNonDonne(models.TextChoices):
    REFUS = "refus", "Refus"
    ABSENT = "absent", "Absent"
    VOMI = "vomi", "Vomissement"
    HOSPITALISE = "hospitalise", "Hospitalisé"
    AUTRE = "autre", "Autre"


class Administration(models.Model):
    """The trace of one dose: given, given late or not given (with a reason), by whom, when.

    A planned dose is keyed by (ligne, jour, prise) and traced once: a correction is a new
    trace pointing at the first (`corrige`), which is marked superseded and kept. A "si
    besoin" dose has an empty `prise` and may be traced several times a day.
    """

    ligne = models.ForeignKey(
        LigneMedicament, on_delete=models.PROTECT, related_name="administrations"
    )
    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="administrations")
    jour = models.DateField("jour")
    creneau = models.CharField("créneau", max_length=12)
    # Key of the planned intake within the day ("matin", "08:00"…); "" for a "si besoin" dose.
    prise = models.CharField("prise", max_length=12, blank=True)
    quantite = models.DecimalField("quantité", max_digits=6, decimal_places=2)
    statut = models.CharField("statut", max_length=12, choices=StatutAdministration.choices)
    motif = models.CharField(
        "motif de non-administration", max_length=12, choices=MotifNonDonne.choices, blank=True
    )
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    administre_le = models.DateTimeField("administré le", null=True, blank=True)
    trace_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    trace_le = models.DateTimeField("tracé le", auto_now_add=True)
    corrige = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="corrige la trace",
    )
    remplacee_le = models.DateTimeField("remplacée le", null=True, blank=True)

    class Meta:
        verbose_name = "administration"
        verbose_name_plural = "administrations"
        indexes = [
            models.Index(fields=["jour", "creneau"]),
            models.Index(fields=["usager", "jour"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ligne", "jour", "prise"],
                condition=models.Q(remplacee_le__isnull=True) & ~models.Q(prise=""),
                name="administration_une_trace_par_prise",
            )
        ]

    @property
    def donne(self) -> bool:
        return self.statut != StatutAdministration.NON_DONNE


# --- Care plan and care acts (category "soins") -------------------------------------------


class TypeSoin(models.TextChoices):
    TOILETTE = "toilette", "Toilette"
    PANSEMENT = "pansement", "Pansement"
    PRISE_DE_SANG = "prise_de_sang", "Prise de sang"
    INJECTION = "injection", "Injection"
    CHANGE = "change", "Change, protections"
    PREVENTION_ESCARRES = "prevention_escarres", "Prévention des escarres (mobilisation)"
    AIDE_REPAS = "aide_repas", "Aide au repas, hydratation"
    SURVEILLANCE = "surveillance", "Surveillance (constantes, glycémie…)"
    CONTENTION = "contention", "Bas de contention"
    AUTRE = "autre", "Autre soin"


class FrequenceSoin(models.TextChoices):
    PLUSIEURS_PAR_JOUR = "plusieurs_par_jour", "Plusieurs fois par jour"
    QUOTIDIEN = "quotidien", "Tous les jours"
    HEBDOMADAIRE = "hebdomadaire", "Chaque semaine"
    MENSUEL = "mensuel", "Chaque mois"
    PONCTUEL = "ponctuel", "Ponctuel"


class Intervenant(models.TextChoices):
    IDE = "ide", "Infirmier(ère)"
    AIDE_SOIGNANT = "aide_soignant", "Aide-soignant(e)"
    KINE = "kine", "Kinésithérapeute"
    MEDECIN = "medecin", "Médecin"
    LIBERAL = "liberal", "Intervenant libéral"
    AUTRE = "autre", "Autre"


class SoinPlanifie(_Arretable):
    """One care of the plan: what, how often, at which moments, by whom (never deleted)."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="soins_planifies")
    type = models.CharField("soin", max_length=20, choices=TypeSoin.choices)
    libelle = models.CharField("précision", max_length=200, blank=True)
    frequence = models.CharField("fréquence", max_length=20, choices=FrequenceSoin.choices)
    detail_frequence = models.CharField("détail de la fréquence", max_length=120, blank=True)
    moments = models.JSONField("moments", default=list, blank=True)
    intervenant = models.CharField("réalisé par", max_length=20, choices=Intervenant.choices)
    consignes = models.CharField("consignes", max_length=500, blank=True)

    class Meta:
        verbose_name = "soin planifié"
        verbose_name_plural = "soins planifiés"
        indexes = [models.Index(fields=["usager", "arret_le"])]

    def __str__(self) -> str:
        return self.libelle or self.get_type_display()


class ActeSoin(models.Model):
    """A care act done (or not done, with the reason), by whom and when; from the plan or not.

    Never edited: a correction is a new act pointing at the first, which is marked superseded.
    """

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="actes_soins")
    soin = models.ForeignKey(
        SoinPlanifie, on_delete=models.PROTECT, null=True, blank=True, related_name="actes"
    )
    type = models.CharField("soin", max_length=20, choices=TypeSoin.choices)
    fait = models.BooleanField("fait", default=True)
    commentaire = models.CharField("commentaire", max_length=500, blank=True)
    realise_le = models.DateTimeField("réalisé le")
    realise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    trace_le = models.DateTimeField("tracé le", auto_now_add=True)
    corrige = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    remplace_le = models.DateTimeField("remplacé le", null=True, blank=True)

    class Meta:
        verbose_name = "acte de soin"
        verbose_name_plural = "actes de soins"
        indexes = [models.Index(fields=["usager", "realise_le"])]


# --- Medical observations (category "medical") --------------------------------------------


class TypeObservation(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    VISITE = "visite", "Visite"
    SYNTHESE = "synthese", "Synthèse médicale"
    AVIS = "avis", "Avis, correspondance"


class ObservationMedicale(models.Model):
    """A physician's observation; a correction is a new observation pointing at the first."""

    usager = models.ForeignKey(
        Usager, on_delete=models.CASCADE, related_name="observations_medicales"
    )
    type = models.CharField(
        "type", max_length=15, choices=TypeObservation.choices, default="consultation"
    )
    date = models.DateTimeField("date")
    texte = models.TextField("observation")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)
    corrige = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    motif_correction = models.CharField("motif de la correction", max_length=300, blank=True)
    remplacee_le = models.DateTimeField("remplacée le", null=True, blank=True)

    class Meta:
        verbose_name = "observation médicale"
        verbose_name_plural = "observations médicales"
        indexes = [models.Index(fields=["usager", "date"])]
