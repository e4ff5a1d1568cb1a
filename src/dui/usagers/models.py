"""The person supported (usager), their stays, and the professionals around them.

Only what the foundation needs is here: identity traits, stays that put a person in an
établissement's scope, and the team membership that scopes home-care workers. The usagers
issue extends it (INS statuses, identitovigilance, admission journey).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from dui.structures.models import Etablissement, Unite
from dui.usagers.identite import Justificatif, PrecisionDate, StatutIdentite


class Sexe(models.TextChoices):
    FEMININ = "F", "Féminin"
    MASCULIN = "M", "Masculin"
    INDETERMINE = "I", "Indéterminé"


def _photo_path(instance: object, filename: str) -> str:
    # A random name: the file system never shows who the photo is of.
    import uuid

    return f"photos/{uuid.uuid4().hex}"


class UsagerQuerySet(QuerySet["Usager"]):
    def visible_to(self, user: object) -> UsagerQuerySet:
        """Persons the user may see, as the one policy decides (lists never leak more)."""
        from dui.comptes import policy

        return self.filter(policy.usager_scope(user), fusionne_dans__isnull=True)


class Usager(models.Model):
    # Traits d'identité (RNIV): birth name and first names as on the birth record.
    nom_naissance = models.CharField("nom de naissance", max_length=100)
    prenoms_naissance = models.CharField(
        "prénom(s) de naissance", max_length=200, help_text="Dans l'ordre de l'état civil."
    )
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    lieu_naissance_insee = models.CharField(
        "code INSEE du lieu de naissance", max_length=5, blank=True
    )
    date_naissance_precision = models.CharField(
        "précision de la date de naissance",
        max_length=5,
        choices=PrecisionDate.choices,
        default=PrecisionDate.JOUR,
    )
    nom_utilise = models.CharField("nom utilisé", max_length=100, blank=True)
    prenom_utilise = models.CharField("prénom utilisé", max_length=100, blank=True)
    organisme = models.ForeignKey(
        "structures.OrganismeGestionnaire",
        on_delete=models.PROTECT,
        related_name="usagers",
        verbose_name="organisme gestionnaire",
    )
    # Identity per the RNIV: one status, attributes, and the INS when INSi returned it.
    statut_identite = models.CharField(
        "statut de l'identité",
        max_length=5,
        choices=StatutIdentite.choices,
        default=StatutIdentite.PROVISOIRE,
    )
    identite_douteuse = models.BooleanField("identité douteuse", default=False)
    identite_fictive = models.BooleanField("identité fictive", default=False)
    homonyme = models.BooleanField("homonyme", default=False)
    matricule_ins = models.CharField("matricule INS", max_length=15, blank=True, db_index=True)
    oid_ins = models.CharField("OID du matricule INS", max_length=64, blank=True)
    ins_interroge_le = models.DateTimeField("dernier appel INSi", null=True, blank=True)
    justificatif = models.CharField(
        "dernier justificatif d'identité contrôlé",
        max_length=3,
        choices=Justificatif.choices,
        blank=True,
    )
    # Search keys derived from the names (usagers.phonetique), kept up to date by save().
    nom_normalise = models.CharField(max_length=300, blank=True, editable=False)
    cle_nom = models.CharField(max_length=40, blank=True, editable=False)
    cle_nom_colle = models.CharField(max_length=40, blank=True, editable=False)
    cle_nom_utilise = models.CharField(max_length=40, blank=True, editable=False)
    cle_prenom = models.CharField(max_length=40, blank=True, editable=False)
    # Set when this record was merged into another one (kept for undo and history).
    fusionne_dans = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="doublons_fusionnes",
        verbose_name="fusionné dans",
    )
    # Helps recognise the person (identitovigilance); served only through the policy.
    photo = models.FileField("photo", upload_to=_photo_path, blank=True)
    # An archived record is read-only (still journaled when read).
    archive_le = models.DateTimeField("archivé le", null=True, blank=True)
    archive_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Incremented by every identity change: a stale form is refused, never merged blindly.
    version = models.PositiveIntegerField(default=1)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)

    objects = UsagerQuerySet.as_manager()

    class Meta:
        verbose_name = "usager"
        ordering = ["nom_naissance", "prenoms_naissance"]
        indexes = [
            models.Index(fields=["nom_naissance", "date_naissance"]),
            models.Index(fields=["organisme", "cle_nom"]),
            models.Index(fields=["organisme", "cle_nom_colle"]),
            models.Index(fields=["organisme", "cle_nom_utilise"]),
            models.Index(fields=["organisme", "cle_prenom", "date_naissance"]),
            models.Index(fields=["organisme", "date_naissance"]),
            models.Index(fields=["nom_normalise"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="usager_douteuse_ou_fictive_provisoire",
                condition=(
                    models.Q(identite_douteuse=False, identite_fictive=False)
                    | models.Q(statut_identite=StatutIdentite.PROVISOIRE)
                ),
            ),
            models.CheckConstraint(
                name="usager_pas_douteuse_et_fictive",
                condition=~models.Q(identite_douteuse=True, identite_fictive=True),
            ),
            models.CheckConstraint(
                name="usager_ins_si_recuperee_ou_qualifiee",
                condition=(
                    ~models.Q(
                        statut_identite__in=[StatutIdentite.RECUPEREE, StatutIdentite.QUALIFIEE]
                    )
                    | ~models.Q(matricule_ins="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,  # type: ignore[misc]
                "nom_normalise",
                "cle_nom",
                "cle_nom_colle",
                "cle_nom_utilise",
                "cle_prenom",
            }
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def refresh_search_keys(self) -> None:
        """Recompute the derived search columns (call it before bulk inserts too)."""
        from dui.usagers.phonetique import search_columns

        for name, value in search_columns(
            self.nom_naissance, self.nom_utilise, self.prenoms_naissance, self.prenom_utilise
        ).items():
            setattr(self, name, value)

    @property
    def premier_prenom(self) -> str:
        return self.prenoms_naissance.split(" ")[0] if self.prenoms_naissance else ""

    @property
    def display_name(self) -> str:
        # RNIV display: birth name in capitals, first birth first name.
        return f"{self.nom_naissance.upper()} {self.premier_prenom}"


class TypePriseEnCharge(models.TextChoices):
    HEBERGEMENT_PERMANENT = "heb_permanent", "Hébergement permanent"
    HEBERGEMENT_TEMPORAIRE = "heb_temporaire", "Hébergement temporaire"
    ACCUEIL_JOUR = "accueil_jour", "Accueil de jour"
    ACCUEIL_NUIT = "accueil_nuit", "Accueil de nuit"
    INTERNAT = "internat", "Internat"
    SEMI_INTERNAT = "semi_internat", "Semi-internat / externat"
    DOMICILE = "domicile", "Accompagnement à domicile"
    MILIEU_ORDINAIRE = "milieu_ordinaire", "Accompagnement en milieu ordinaire"
    AUTRE = "autre", "Autre"


class MotifSortie(models.TextChoices):
    RETOUR_DOMICILE = "retour_domicile", "Retour à domicile"
    AUTRE_ETABLISSEMENT = (
        "autre_etablissement",
        "Orientation vers un autre établissement ou service",
    )
    HOSPITALISATION = "hospitalisation", "Hospitalisation de longue durée"
    DECES = "deces", "Décès"
    FIN_ACCOMPAGNEMENT = "fin_accompagnement", "Fin de l'accompagnement (objectifs atteints, âge)"
    DEMANDE_PERSONNE = "demande_personne", "À la demande de la personne ou de son représentant"
    RUPTURE = "rupture", "Rupture de contrat / exclusion"
    TRANSFERT_INTERNE = "transfert_interne", "Transfert vers un autre service de l'organisme"
    AUTRE = "autre", "Autre"


class PriseEnCharge(models.Model):
    """A period of support of a person by one établissement (séjour, accompagnement)."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="prises_en_charge")
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="prises_en_charge"
    )
    unite = models.ForeignKey(
        Unite, on_delete=models.PROTECT, null=True, blank=True, related_name="prises_en_charge"
    )
    type = models.CharField(
        "type d'accueil", max_length=20, choices=TypePriseEnCharge.choices, blank=True
    )
    date_debut = models.DateField("date d'admission")
    date_fin = models.DateField("date de sortie", null=True, blank=True)
    motif_sortie = models.CharField(
        "motif de sortie", max_length=30, choices=MotifSortie.choices, blank=True
    )
    destination_sortie = models.CharField("destination à la sortie", max_length=200, blank=True)
    commentaire_sortie = models.TextField("commentaire de sortie", blank=True)
    candidature = models.ForeignKey(
        "Candidature", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    admis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sorti_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "prise en charge"
        verbose_name_plural = "prises en charge"
        indexes = [
            models.Index(fields=["etablissement", "date_fin"]),
            models.Index(fields=["usager", "etablissement"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="prise_en_charge_dates_ordonnees",
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
            )
        ]

    @property
    def is_active(self) -> bool:
        return self.date_fin is None or self.date_fin >= timezone.localdate()


class MouvementUnite(models.Model):
    """A move between units of the same établissement during a stay."""

    prise_en_charge = models.ForeignKey(
        PriseEnCharge, on_delete=models.CASCADE, related_name="mouvements"
    )
    date = models.DateField("date du mouvement")
    unite_avant = models.ForeignKey(
        Unite, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unite_apres = models.ForeignKey(
        Unite, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motif = models.CharField("motif", max_length=200, blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enregistre_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "mouvement d'unité"
        ordering = ["-date", "-pk"]


class SuiviSortie(models.Model):
    """A follow-up action owed after an exit (information of the partners, documents
    handed over, news of the person…), traced until done."""

    prise_en_charge = models.ForeignKey(
        PriseEnCharge, on_delete=models.CASCADE, related_name="suivis_sortie"
    )
    libelle = models.CharField("action", max_length=200)
    echeance = models.DateField("échéance", null=True, blank=True)
    fait_le = models.DateTimeField("faite le", null=True, blank=True)
    fait_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "suivi après la sortie"
        verbose_name_plural = "suivis après la sortie"
        ordering = ["fait_le", "echeance", "pk"]


class MembreEquipe(models.Model):
    """A professional in a person's care team; home-care workers see only these persons.

    The agenda issue will derive memberships from planned interventions.
    """

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="equipe")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usagers_suivis"
    )
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    is_referent = models.BooleanField("référent", default=False)
    date_debut = models.DateField(default=timezone.localdate)
    date_fin = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "membre de l'équipe"
        constraints = [
            models.UniqueConstraint(
                fields=["usager", "user", "etablissement"], name="membre_equipe_unique"
            )
        ]

    @staticmethod
    def active_q(prefix: str = "") -> Q:
        today = timezone.localdate()
        return Q(**{f"{prefix}date_fin__isnull": True}) | Q(**{f"{prefix}date_fin__gte": today})


class EvenementIdentite(models.Model):
    """One change of a person's identity: who, when, why, which document (RNIV traceability)."""

    class Type(models.TextChoices):
        CREATION = "creation", "Création"
        TRAITS = "traits", "Modification des traits"
        INSI = "insi", "Appel INSi"
        JUSTIFICATIF = "justificatif", "Contrôle d'un justificatif"
        ATTRIBUTS = "attributs", "Attributs (douteuse, fictive, homonyme)"
        DECLASSEMENT = "declassement", "Déclassement"

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="evenements_identite")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    statut_avant = models.CharField(max_length=5, choices=StatutIdentite.choices, blank=True)
    statut_apres = models.CharField(max_length=5, choices=StatutIdentite.choices)
    justificatif = models.CharField(max_length=3, choices=Justificatif.choices, blank=True)
    haute_confiance = models.BooleanField(default=False)
    motif = models.TextField(blank=True)
    # Before/after values of the traits that changed, and INSi's return code.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'identité"
        verbose_name_plural = "historique de l'identité"
        ordering = ["-at", "-pk"]


class SuspicionDoublon(models.Model):
    """A possible duplicate pair, for the identitovigilance referent to settle."""

    class Statut(models.TextChoices):
        A_TRAITER = "a_traiter", "À traiter"
        DIFFERENTES = "differentes", "Personnes différentes"
        FUSIONNE = "fusionne", "Fusionné"

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="+")
    candidat = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="+")
    niveau = models.PositiveSmallIntegerField(choices=[(1, "Moyen"), (2, "Fort")])
    score = models.FloatField()
    raisons = models.JSONField(default=list)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.A_TRAITER)
    detecte_le = models.DateTimeField(default=timezone.now)
    detecte_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    traite_le = models.DateTimeField(null=True, blank=True)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motif = models.TextField(blank=True)

    class Meta:
        verbose_name = "suspicion de doublon"
        verbose_name_plural = "suspicions de doublon"
        ordering = ["-niveau", "-detecte_le"]
        constraints = [
            models.UniqueConstraint(fields=["usager", "candidat"], name="suspicion_unique")
        ]


class Fusion(models.Model):
    """A merge of `doublon` into `garde`: what moved, so that it can be undone."""

    garde = models.ForeignKey(Usager, on_delete=models.PROTECT, related_name="fusions_recues")
    doublon = models.ForeignKey(Usager, on_delete=models.PROTECT, related_name="fusions_subies")
    fusionne_le = models.DateTimeField(default=timezone.now)
    fusionne_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    motif = models.TextField()
    # {"app_label.model.field": [pk, …]} of the rows moved from doublon to garde.
    deplacements = models.JSONField(default=dict)
    annulee_le = models.DateTimeField(null=True, blank=True)
    annulee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "fusion"
        ordering = ["-fusionne_le"]


class Candidature(models.Model):
    """An application to one service of the organisme (waiting list), from the first
    request to the decision and the admission."""

    class Source(models.TextChoices):
        DIRECTE = "directe", "Demande directe (personne, famille)"
        VIATRAJECTOIRE = "viatrajectoire", "ViaTrajectoire"
        MDPH = "mdph", "Notification MDPH"
        HOPITAL = "hopital", "Service hospitalier"
        PARTENAIRE = "partenaire", "Partenaire (CCAS, SAD, médecin…)"
        AUTRE = "autre", "Autre"

    class Priorite(models.IntegerChoices):
        NORMALE = 1, "Normale"
        HAUTE = 2, "Haute"
        URGENTE = 3, "Urgente"

    class Statut(models.TextChoices):
        RECUE = "recue", "Reçue"
        EN_ETUDE = "en_etude", "En étude"
        ACCEPTEE = "acceptee", "Acceptée (liste d'attente)"
        REFUSEE = "refusee", "Refusée"
        DESISTEMENT = "desistement", "Désistement"
        ADMISE = "admise", "Admise"

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="candidatures")
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="candidatures"
    )
    type_souhaite = models.CharField(
        "accueil souhaité", max_length=20, choices=TypePriseEnCharge.choices, blank=True
    )
    date_reception = models.DateField("reçue le", default=timezone.localdate)
    source = models.CharField("origine", max_length=20, choices=Source.choices)
    reference_viatrajectoire = models.CharField(
        "référence ViaTrajectoire", max_length=50, blank=True
    )
    mdph_date_notification = models.DateField("date de notification MDPH", null=True, blank=True)
    mdph_decision_debut = models.DateField("décision MDPH valable du", null=True, blank=True)
    mdph_decision_fin = models.DateField("décision MDPH valable au", null=True, blank=True)
    priorite = models.PositiveSmallIntegerField(
        "priorité", choices=Priorite.choices, default=Priorite.NORMALE
    )
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.RECUE)
    premier_contact_prevu_le = models.DateTimeField(
        "premier contact prévu le", null=True, blank=True
    )
    premier_contact_fait_le = models.DateTimeField("premier contact fait le", null=True, blank=True)
    premier_contact_compte_rendu = models.TextField("compte rendu du premier contact", blank=True)
    decision_le = models.DateTimeField("décision le", null=True, blank=True)
    decision_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motif_decision = models.TextField("motif de la décision", blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "candidature"
        ordering = ["-priorite", "date_reception", "pk"]
        indexes = [models.Index(fields=["etablissement", "statut", "-priorite", "date_reception"])]
        constraints = [
            models.CheckConstraint(
                name="candidature_mdph_dates_ordonnees",
                condition=models.Q(mdph_decision_fin__isnull=True)
                | models.Q(mdph_decision_debut__isnull=True)
                | models.Q(mdph_decision_fin__gte=models.F("mdph_decision_debut")),
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.statut in {self.Statut.RECUE, self.Statut.EN_ETUDE, self.Statut.ACCEPTEE}


class MesureProtection(models.TextChoices):
    TUTELLE = "tutelle", "Tutelle"
    CURATELLE = "curatelle", "Curatelle simple"
    CURATELLE_RENFORCEE = "curatelle_renforcee", "Curatelle renforcée"
    SAUVEGARDE = "sauvegarde", "Sauvegarde de justice"
    HABILITATION_FAMILIALE = "habilitation_familiale", "Habilitation familiale"
    MANDAT_PROTECTION_FUTURE = "mandat_protection_future", "Mandat de protection future"
    AUTORITE_PARENTALE = "autorite_parentale", "Autorité parentale (mineur)"
    TUTELLE_MINEUR = "tutelle_mineur", "Tutelle d'un mineur / délégation (ASE)"


class Proche(models.Model):
    """Someone of the person's entourage; one person may hold several roles."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="proches")
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    lien = models.CharField("lien avec la personne", max_length=100, blank=True)
    is_personne_confiance = models.BooleanField("personne de confiance", default=False)
    is_representant_legal = models.BooleanField("représentant légal", default=False)
    is_aidant = models.BooleanField("proche aidant", default=False)
    is_contact_urgence = models.BooleanField("à prévenir en cas d'urgence", default=False)
    mesure_protection = models.CharField(
        "mesure de protection", max_length=30, choices=MesureProtection.choices, blank=True
    )
    mesure_debut = models.DateField("mesure du", null=True, blank=True)
    mesure_fin = models.DateField("mesure jusqu'au", null=True, blank=True)
    organisme_mandataire = models.CharField("service mandataire (MJPM)", max_length=200, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    adresse = models.TextField("adresse", blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "proche"
        ordering = ["-is_personne_confiance", "-is_representant_legal", "nom"]
        constraints = [
            models.CheckConstraint(
                name="proche_mesure_si_representant",
                condition=models.Q(mesure_protection="") | models.Q(is_representant_legal=True),
            ),
            models.CheckConstraint(
                name="proche_mesure_dates_ordonnees",
                condition=models.Q(mesure_fin__isnull=True)
                | models.Q(mesure_debut__isnull=True)
                | models.Q(mesure_fin__gte=models.F("mesure_debut")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom}".strip()


class IntervenantExterieur(models.Model):
    """A professional or service around the person outside the établissement."""

    class Type(models.TextChoices):
        MEDECIN_TRAITANT = "medecin_traitant", "Médecin traitant"
        SPECIALISTE = "specialiste", "Médecin spécialiste"
        PHARMACIE = "pharmacie", "Pharmacie"
        INFIRMIER_LIBERAL = "infirmier_liberal", "Infirmier libéral"
        KINESITHERAPEUTE = "kinesitherapeute", "Kinésithérapeute"
        SERVICE_PARTENAIRE = "service_partenaire", "Service partenaire"
        SERVICE_SOCIAL = "service_social", "Service social"
        AUTRE = "autre", "Autre"

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="intervenants")
    type = models.CharField("type", max_length=20, choices=Type.choices)
    nom = models.CharField("nom ou raison sociale", max_length=200)
    specialite = models.CharField("spécialité", max_length=100, blank=True)
    rpps = models.CharField("RPPS", max_length=11, blank=True)
    finess = models.CharField("FINESS", max_length=9, blank=True)
    mssante = models.EmailField("adresse MSSanté", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    adresse = models.TextField("adresse", blank=True)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "intervenant extérieur"
        verbose_name_plural = "intervenants extérieurs"
        ordering = ["type", "nom"]

    def __str__(self) -> str:
        return self.nom


class DroitPrestation(models.Model):
    """A social benefit funding the support, with its validity (alert before expiry)."""

    class Type(models.TextChoices):
        APA = "apa", "APA — Allocation personnalisée d'autonomie"
        PCH = "pch", "PCH — Prestation de compensation du handicap"
        ASH = "ash", "Aide sociale à l'hébergement"
        AEEH = "aeeh", "AEEH — Allocation d'éducation de l'enfant handicapé"
        AAH = "aah", "AAH — Allocation aux adultes handicapés"
        APL = "apl", "Aide au logement (APL, ALS)"
        ORIENTATION_MDPH = "orientation_mdph", "Orientation CDAPH (MDPH)"
        CAISSE_RETRAITE = "caisse_retraite", "Aide d'une caisse de retraite"
        AUTRE = "autre", "Autre"

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="droits")
    type = models.CharField("prestation", max_length=20, choices=Type.choices)
    organisme_payeur = models.CharField(
        "organisme payeur / département", max_length=200, blank=True
    )
    numero_decision = models.CharField("n° de décision", max_length=100, blank=True)
    date_debut = models.DateField("du")
    date_fin = models.DateField("au", null=True, blank=True)
    montant_mensuel = models.DecimalField(
        "montant mensuel (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    commentaire = models.TextField("commentaire", blank=True)

    ALERTE_JOURS = 60

    class Meta:
        verbose_name = "droit ou prestation"
        verbose_name_plural = "droits et prestations"
        ordering = ["date_fin", "type"]
        indexes = [models.Index(fields=["date_fin"])]
        constraints = [
            models.CheckConstraint(
                name="droit_dates_ordonnees",
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
            )
        ]

    def expire_bientot(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.date_fin is not None and today <= self.date_fin <= today + datetime.timedelta(
            days=self.ALERTE_JOURS
        )
