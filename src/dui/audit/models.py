"""The append-only, hash-chained journal of every read and write of personal data."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    READ = "read", "Consultation"
    LIST = "list", "Consultation de liste"
    SEARCH = "search", "Recherche"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    EXPORT = "export", "Export"
    PRINT = "print", "Impression"
    LOGIN = "login", "Connexion"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOGOUT = "logout", "Déconnexion"
    LOCKOUT = "lockout", "Verrouillage"
    BREAK_GLASS = "break_glass", "Accès exceptionnel"
    SECURITY = "security", "Sécurité du compte"
    ADMIN = "admin", "Administration"


class AppendOnlyQuerySet(models.QuerySet["Entree"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Le journal d'audit est en ajout seul.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Le journal d'audit est en ajout seul.")


class Entree(models.Model):
    # Position in the chain, assigned under a lock: unlike the primary key it has no gaps, so
    # a removed entry shows as a hole.
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Plain ids, not foreign keys: the journal outlives accounts, persons and structures.
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    usager_id = models.BigIntegerField(null=True, db_index=True)
    etablissement_id = models.BigIntegerField(null=True, db_index=True)
    ip = models.GenericIPAddressField(null=True)
    break_glass = models.BooleanField(default=False, db_index=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal d'audit"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["usager_id", "-at"]),
            models.Index(fields=["actor_id", "-at"]),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Le journal d'audit est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Le journal d'audit est en ajout seul.")
