"""The person supported (usager), their stays, and the professionals around them.

Only what the foundation needs is here: identity traits, stays that put a person in an
établissement's scope, and the team membership that scopes home-care workers. The usagers
issue extends it (INS statuses, identitovigilance, admission journey).
"""

from __future__ import annotations

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


class PriseEnCharge(models.Model):
    """A period of support of a person by one établissement (séjour, accompagnement)."""

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="prises_en_charge")
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="prises_en_charge"
    )
    unite = models.ForeignKey(
        Unite, on_delete=models.PROTECT, null=True, blank=True, related_name="prises_en_charge"
    )
    date_debut = models.DateField("date d'admission")
    date_fin = models.DateField("date de sortie", null=True, blank=True)

    class Meta:
        verbose_name = "prise en charge"
        verbose_name_plural = "prises en charge"
        indexes = [models.Index(fields=["etablissement", "date_fin"])]

    @property
    def is_active(self) -> bool:
        return self.date_fin is None or self.date_fin >= timezone.localdate()


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
