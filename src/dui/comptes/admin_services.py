"""Administrative changes to accounts, assignments and habilitations, each one journaled.

Authorization is the caller's job (admin views reach users and établissements through the
policy); these functions keep the rules the data must satisfy: unique e-mail, well-formed
RPPS, units of the right établissement, write implies read, no self lock-out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import policy
from dui.comptes.models import Affectation, Categorie, Habilitation, Professionnel, Role, User
from dui.structures.models import Etablissement, Unite
from dui.structures.validators import check_rpps


class CompteError(Exception):
    """A change refused for a reason the user can fix; `message` is in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reads shared by views -------------------------------------------------------------


def effective_habilitations(
    etablissement: Etablissement,
) -> dict[tuple[int, str], tuple[bool, bool, bool]]:
    """(role id, catégorie) -> (lecture, écriture, overridden here) in this établissement."""
    defaults: dict[tuple[int, str], tuple[bool, bool, bool]] = {}
    overrides: dict[tuple[int, str], tuple[bool, bool, bool]] = {}
    rows = Habilitation.objects.filter(
        Q(etablissement__isnull=True) | Q(etablissement=etablissement)
    )
    for h in rows:
        if h.etablissement_id is None:
            defaults[(h.role_id, h.categorie)] = (h.lecture, h.ecriture, False)
        else:
            overrides[(h.role_id, h.categorie)] = (h.lecture, h.ecriture, True)
    return defaults | overrides


def setup_link(user: User, request: HttpRequest | None = None) -> str:
    """The one-time link where a new user chooses their password (the password reset
    confirmation page, with Django's default token: it expires once a password is set)."""
    kwargs = {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    path = reverse("comptes:password_reset_confirm", kwargs=kwargs)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.BASE_URL.rstrip("/") + path


def _send_setup_email(user: User, link: str) -> None:
    send_mail(
        subject="Votre compte Dossier usager : choisissez votre mot de passe",
        message=(
            f"Bonjour {user.prenom},\n\n"
            "Un compte a été créé pour vous dans Dossier usager.\n"
            "Pour choisir votre mot de passe, ouvrez ce lien (il ne sert qu'une fois) :\n\n"
            f"{link}\n\n"
            "Vous activerez ensuite votre second facteur (application d'authentification).\n"
            "Si vous n'attendiez pas ce message, ignorez-le.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


# --- accounts ------------------------------------------------------------------------------


def _check_email_free(email: str, exclude_pk: int | None = None) -> str:
    email = email.strip().lower()
    qs = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise CompteError("Un compte existe déjà avec cette adresse e-mail.")
    return email


def _rpps_values(rpps: str) -> dict[str, Any]:
    """The RPPS fields to store: malformed raises ValidationError; a failed key only flags."""
    if not rpps:
        return {"rpps": "", "rpps_cle_alerte": False}
    check = check_rpps(rpps)
    return {"rpps": check.value, "rpps_cle_alerte": check.needs_confirmation}


def user_create(
    *,
    actor: Any,
    email: str,
    nom: str,
    prenom: str,
    profession: str,
    etablissement: Etablissement,
    role: Role,
    rpps: str = "",
    unites: Iterable[Unite] = (),
    request: HttpRequest | None = None,
) -> User:
    """Create an account with its professional profile and first assignment, then e-mail
    the password set-up link once the transaction is committed."""
    with transaction.atomic():
        email = _check_email_free(email)
        rpps_fields = _rpps_values(rpps)
        user = User.objects.create_user(email, password=None, nom=nom, prenom=prenom)
        Professionnel.objects.create(user=user, profession=profession, **rpps_fields)
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=user,
            etablissement=etablissement,
            details={
                "fields": ["email", "nom", "prenom", "profession"]
                + (["rpps"] if rpps_fields["rpps"] else []),
                "rpps_cle_alerte": rpps_fields["rpps_cle_alerte"],
                "setup_email": True,
            },
        )
        affectation_set(
            actor=actor,
            user=user,
            etablissement=etablissement,
            role=role,
            unites=unites,
            request=request,
        )
        link = setup_link(user, request)
        transaction.on_commit(lambda: _send_setup_email(user, link))
        return user


def user_update(
    *,
    actor: Any,
    user: User,
    values: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> list[str]:
    """Change a user's e-mail, name, profession or RPPS; return the changed field names."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        professionnel, _ = Professionnel.objects.get_or_create(
            user=user, defaults={"profession": values.get("profession") or "autre"}
        )
        user_changed = []
        for name in ("email", "nom", "prenom"):
            if name not in values:
                continue
            value = values[name]
            if name == "email":
                value = _check_email_free(value, exclude_pk=user.pk)
            if getattr(user, name) != value:
                setattr(user, name, value)
                user_changed.append(name)
        pro_values = dict(_rpps_values(values["rpps"])) if "rpps" in values else {}
        if "profession" in values:
            pro_values["profession"] = values["profession"]
        pro_changed = [n for n, v in pro_values.items() if getattr(professionnel, n) != v]
        for name in pro_changed:
            setattr(professionnel, name, pro_values[name])
        if user_changed:
            user.save(update_fields=user_changed)
        if pro_changed:
            professionnel.save(update_fields=pro_changed)
        changed = user_changed + pro_changed
        if changed:
            audit.record(
                action=AuditAction.UPDATE,
                actor=actor,
                request=request,
                obj=user,
                details={"fields": changed, "rpps_cle_alerte": professionnel.rpps_cle_alerte},
            )
        return changed


def user_deactivate(*, actor: Any, user: User, request: HttpRequest | None = None) -> None:
    """Close an account: it can no longer log in and its open sessions end now.

    Refused for oneself, and for a user who also works in an établissement the actor does
    not administer (their assignment here should be removed instead).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.pk == actor.pk:
            raise CompteError("Vous ne pouvez pas désactiver votre propre compte.")
        if not user.is_active:
            raise CompteError("Ce compte est déjà désactivé.")
        elsewhere = Affectation.objects.filter(user=user, actif=True).exclude(
            etablissement_id__in=policy.administered_etablissement_ids(actor)
        )
        if elsewhere.exists():
            raise CompteError(
                "Ce compte est aussi affecté à un établissement que vous n'administrez pas : "
                "retirez plutôt son affectation à votre établissement."
            )
        user.is_active = False
        user.session_token = User._meta.get_field("session_token").get_default()
        user.save(update_fields=["is_active", "session_token"])
        audit.record(
            action=AuditAction.ADMIN,
            actor=actor,
            request=request,
            obj=user,
            details={"fields": ["is_active", "session_token"], "operation": "desactivation"},
        )


# --- assignments ---------------------------------------------------------------------------


def _keeps_own_administration(actor: Any, user: User, etablissement: Etablissement) -> bool:
    return (
        actor is not None
        and user.pk == actor.pk
        and policy.allows(actor, "etablissement.admin", etablissement)
    )


def affectation_set(
    *,
    actor: Any,
    user: User,
    etablissement: Etablissement,
    role: Role,
    unites: Iterable[Unite] = (),
    request: HttpRequest | None = None,
) -> Affectation:
    """Assign a user to an établissement with a role and units (or change them)."""
    unites = list(unites)
    with transaction.atomic():
        if any(u.etablissement_id != etablissement.pk for u in unites):
            raise CompteError("Une unité choisie n'appartient pas à cet établissement.")
        if _keeps_own_administration(actor, user, etablissement) and not role.may_administer:
            raise CompteError(
                "Vous ne pouvez pas retirer votre propre rôle d'administrateur de cet "
                "établissement."
            )
        affectation, created = Affectation.objects.select_for_update().get_or_create(
            user=user, etablissement=etablissement, defaults={"role": role}
        )
        changed = ["role", "actif"] if created else []
        if not created:
            if affectation.role_id != role.pk:
                affectation.role = role
                changed.append("role")
            if not affectation.actif:
                affectation.actif = True
                changed.append("actif")
            if changed:
                affectation.save(update_fields=changed)
        before = set(affectation.unites.values_list("pk", flat=True))
        after = {u.pk for u in unites}
        if before != after:
            affectation.unites.set(unites)
            changed.append("unites")
        if changed:
            audit.record(
                action=AuditAction.ADMIN,
                actor=actor,
                request=request,
                obj=affectation,
                etablissement=etablissement,
                details={
                    "fields": changed,
                    "user_id": user.pk,
                    "role": role.code,
                    "unite_ids": sorted(after),
                },
            )
        policy.forget(user)
        return affectation


def affectation_remove(
    *, actor: Any, affectation: Affectation, request: HttpRequest | None = None
) -> None:
    """End an assignment (kept, inactive, for history); the user loses that établissement."""
    with transaction.atomic():
        affectation = (
            Affectation.objects.select_for_update()
            .select_related("etablissement", "user")
            .get(pk=affectation.pk)
        )
        if _keeps_own_administration(actor, affectation.user, affectation.etablissement):
            raise CompteError(
                "Vous ne pouvez pas retirer votre propre affectation d'administrateur."
            )
        if not affectation.actif:
            raise CompteError("Cette affectation est déjà retirée.")
        affectation.actif = False
        affectation.save(update_fields=["actif"])
        audit.record(
            action=AuditAction.ADMIN,
            actor=actor,
            request=request,
            obj=affectation,
            etablissement=affectation.etablissement,
            details={"fields": ["actif"], "user_id": affectation.user_id},
        )
        policy.forget(affectation.user)


# --- habilitations -------------------------------------------------------------------------


def habilitation_set(
    *,
    actor: Any,
    etablissement: Etablissement,
    role: Role,
    categorie: str,
    lecture: bool,
    ecriture: bool,
    request: HttpRequest | None = None,
) -> bool:
    """Set a role's right on a data category in one établissement (an override row; the
    role's default row is never changed). Return whether anything changed."""
    if categorie not in Categorie.values:
        raise CompteError("Catégorie de données inconnue.")
    if ecriture and not lecture:
        raise CompteError(
            f"{role.libelle} — {Categorie(categorie).label} : l'écriture suppose la lecture."
        )
    if categorie == Categorie.MEDICAL and lecture and not role.is_sante:
        raise CompteError(
            f"{role.libelle} : les données médicales sont réservées aux professionnels de santé."
        )
    with transaction.atomic():
        current = effective_habilitations(etablissement).get(
            (role.pk, categorie), (False, False, False)
        )
        if (current[0], current[1]) == (lecture, ecriture):
            return False
        habilitation, _ = Habilitation.objects.update_or_create(
            role=role,
            etablissement=etablissement,
            categorie=categorie,
            defaults={"lecture": lecture, "ecriture": ecriture},
        )
        changed = [
            name
            for name, old, new in (
                ("lecture", current[0], lecture),
                ("ecriture", current[1], ecriture),
            )
            if old != new
        ]
        audit.record(
            action=AuditAction.ADMIN,
            actor=actor,
            request=request,
            obj=habilitation,
            etablissement=etablissement,
            details={
                "fields": changed,
                "role": role.code,
                "categorie": categorie,
                "avant": {"lecture": current[0], "ecriture": current[1]},
                "apres": {"lecture": lecture, "ecriture": ecriture},
            },
        )
        return True


def habilitations_save(
    *,
    actor: Any,
    etablissement: Etablissement,
    matrix: Mapping[tuple[Role, str], tuple[bool, bool]],
    request: HttpRequest | None = None,
) -> int:
    """Save a whole matrix (role, catégorie) -> (lecture, écriture) in one transaction;
    return the number of changed cells."""
    with transaction.atomic():
        return sum(
            habilitation_set(
                actor=actor,
                etablissement=etablissement,
                role=role,
                categorie=categorie,
                lecture=lecture,
                ecriture=ecriture,
                request=request,
            )
            for (role, categorie), (lecture, ecriture) in matrix.items()
        )
