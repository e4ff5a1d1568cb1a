"""Users, professional profiles, roles with their habilitations, and assignments."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from dui.structures.models import Etablissement, Unite


class Categorie(models.TextChoices):
    """Data categories that habilitations distinguish (secret partagé)."""

    ADMINISTRATIF = "administratif", "Administratif"
    SOCIAL = "social", "Social"
    EDUCATIF = "educatif", "Éducatif"
    SOINS = "soins", "Soins"
    MEDICAL = "medical", "Médical"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


def _new_session_token() -> str:
    return secrets.token_hex(16)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", unique=True)
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès technique", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)
    # Rotating it invalidates every open session of the user ("se déconnecter partout").
    session_token = models.CharField(max_length=32, default=_new_session_token, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nom", "prenom"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["nom", "prenom"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    def get_short_name(self) -> str:
        return self.prenom

    def get_session_auth_hash(self) -> str:
        # Django checks this hash on every request: mixing in session_token lets us end all
        # sessions without changing the password.
        return salted_hmac(
            "dui.comptes.User.session",
            f"{self.password}:{self.session_token}",
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_fallback_hash(self):  # type: ignore[no-untyped-def]
        return iter(())


class Profession(models.TextChoices):
    MEDECIN = "medecin", "Médecin"
    MEDECIN_COORDONNATEUR = "medecin_coordonnateur", "Médecin coordonnateur"
    IDE = "ide", "Infirmier(ère) diplômé(e) d'État"
    IDEC = "idec", "Infirmier(ère) coordinateur(trice)"
    AIDE_SOIGNANT = "aide_soignant", "Aide-soignant(e)"
    AES = "aes", "Accompagnant(e) éducatif(ve) et social(e)"
    EDUCATEUR = "educateur_specialise", "Éducateur(trice) spécialisé(e)"
    MONITEUR_EDUCATEUR = "moniteur_educateur", "Moniteur(trice) éducateur(trice)"
    PSYCHOLOGUE = "psychologue", "Psychologue"
    ERGOTHERAPEUTE = "ergotherapeute", "Ergothérapeute"
    KINESITHERAPEUTE = "kinesitherapeute", "Masseur-kinésithérapeute"
    PSYCHOMOTRICIEN = "psychomotricien", "Psychomotricien(ne)"
    ASSISTANT_SOCIAL = "assistant_service_social", "Assistant(e) de service social"
    SECRETAIRE = "secretaire", "Secrétaire"
    RESPONSABLE_SECTEUR = "responsable_secteur", "Responsable de secteur"
    INTERVENANT_DOMICILE = "intervenant_domicile", "Intervenant(e) à domicile"
    CHEF_SERVICE = "chef_service", "Chef de service"
    DIRECTEUR = "directeur", "Directeur(trice)"
    DPO = "dpo", "Délégué(e) à la protection des données"
    INFORMATICIEN = "informaticien", "Référent(e) informatique"
    AUTRE = "autre", "Autre"


class Professionnel(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="professionnel"
    )
    profession = models.CharField("profession", max_length=40, choices=Profession.choices)
    rpps = models.CharField("numéro RPPS", max_length=11, blank=True)
    # The RPPS key check failed and the user kept the number (real numbers can fail it).
    rpps_cle_alerte = models.BooleanField("alerte sur la clé RPPS", default=False)
    telephone = models.CharField("téléphone professionnel", max_length=20, blank=True)

    class Meta:
        verbose_name = "professionnel"

    def __str__(self) -> str:
        return f"{self.user} ({self.get_profession_display()})"


class Role(models.Model):
    """A ready-made habilitation profile; its habilitations may be adjusted per établissement."""

    class Perimetre(models.TextChoices):
        ETABLISSEMENT = "etablissement", "Toutes les personnes de l'établissement"
        ASSIGNES = "assignes", "Seulement les personnes qui lui sont confiées"

    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=100)
    perimetre = models.CharField(
        "périmètre", max_length=20, choices=Perimetre.choices, default=Perimetre.ETABLISSEMENT
    )
    is_sante = models.BooleanField("professionnel de santé", default=False)
    may_administer = models.BooleanField("administre comptes et structures", default=False)
    may_read_journal = models.BooleanField("consulte le journal d'accès", default=False)
    may_break_glass = models.BooleanField("accès exceptionnel (bris de glace)", default=True)
    may_manage_identities = models.BooleanField(
        "référent en identitovigilance (doublons, fusions)", default=False
    )

    class Meta:
        verbose_name = "profil d'habilitation"
        verbose_name_plural = "profils d'habilitation"
        ordering = ["libelle"]

    def __str__(self) -> str:
        return self.libelle


class Habilitation(models.Model):
    """Read/write right of a role on a data category; a row with an établissement overrides
    the role's default row (etablissement NULL) in that établissement."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="habilitations")
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    categorie = models.CharField("catégorie", max_length=20, choices=Categorie.choices)
    lecture = models.BooleanField("lecture", default=False)
    ecriture = models.BooleanField("écriture", default=False)

    class Meta:
        verbose_name = "habilitation"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "etablissement", "categorie"], name="habilitation_unique"
            ),
            models.UniqueConstraint(
                fields=["role", "categorie"],
                condition=models.Q(etablissement__isnull=True),
                name="habilitation_defaut_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(ecriture=False) | models.Q(lecture=True),
                name="habilitation_ecriture_implique_lecture",
            ),
        ]


class Affectation(models.Model):
    """Where a user works and with which role: one role per user and établissement."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affectations"
    )
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="affectations"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="affectations")
    unites = models.ManyToManyField(Unite, blank=True, related_name="affectations")
    actif = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "affectation"
        constraints = [
            models.UniqueConstraint(fields=["user", "etablissement"], name="affectation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.etablissement}"


class LoginFailure(models.Model):
    """A failed login step, counted per account and per address for the lockout."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    step = models.CharField(max_length=10, default="password")

    class Meta:
        verbose_name = "échec de connexion"


class AccesExceptionnel(models.Model):
    """Break-glass: temporary access to a person outside the user's scope, with a reason."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acces_exceptionnels"
    )
    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.CASCADE, related_name="acces_exceptionnels"
    )
    motif = models.TextField("motif")
    ouvert_le = models.DateTimeField(default=timezone.now)
    expire_le = models.DateTimeField()

    class Meta:
        verbose_name = "accès exceptionnel"
        verbose_name_plural = "accès exceptionnels"
        ordering = ["-ouvert_le"]
        indexes = [models.Index(fields=["user", "usager", "expire_le"])]
