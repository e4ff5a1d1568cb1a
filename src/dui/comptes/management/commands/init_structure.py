"""First start of a real installation: the organisme, its first établissement and its first
administrator, who then creates everything else from the web interface."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes import admin_services
from dui.comptes.models import Profession, Role
from dui.structures import services as structures
from dui.structures.models import CategorieEtablissement, OrganismeGestionnaire

ACTOR_LABEL = "manage.py init_structure"


class Command(BaseCommand):
    help = (
        "Crée l'organisme gestionnaire, un premier établissement et son administrateur "
        "(qui reçoit un lien pour choisir son mot de passe)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--organisme", required=True, help="raison sociale")
        parser.add_argument("--finess-juridique", required=True)
        parser.add_argument("--etablissement", required=True, help="nom de l'établissement")
        parser.add_argument("--finess", required=True, help="FINESS géographique")
        parser.add_argument(
            "--categorie",
            required=True,
            choices=CategorieEtablissement.values,
            help="code de catégorie FINESS (500 = EHPAD, 183 = IME, 460 = SAD…)",
        )
        parser.add_argument("--capacite", type=int, default=0)
        parser.add_argument("--email", required=True)
        parser.add_argument("--nom", required=True)
        parser.add_argument("--prenom", required=True)
        parser.add_argument(
            "--confirmer-finess",
            action="store_true",
            help="enregistrer un FINESS dont la clé de contrôle échoue (ou corse)",
        )

    def handle(self, *args, **o):  # type: ignore[no-untyped-def]
        try:
            with transaction.atomic():
                finess_ej, confirme_ej = structures.finess_resolve(
                    o["finess_juridique"], confirmed=o["confirmer_finess"]
                )
                if OrganismeGestionnaire.objects.filter(finess=finess_ej).exists():
                    raise CommandError("Un organisme a déjà ce FINESS juridique.")
                organisme = OrganismeGestionnaire.objects.create(
                    raison_sociale=o["organisme"],
                    finess=finess_ej,
                    finess_cle_confirmee=confirme_ej,
                )
                audit.record(
                    action=AuditAction.CREATE,
                    actor_label=ACTOR_LABEL,
                    obj=organisme,
                    details={
                        "fields": ["raison_sociale", "finess"],
                        "finess_cle_confirmee": confirme_ej,
                    },
                )
                etablissement = structures.etablissement_create(
                    actor=None,
                    organisme=organisme,
                    values={
                        "nom": o["etablissement"],
                        "finess": o["finess"],
                        "categorie": o["categorie"],
                        "capacite_places": o["capacite"],
                    },
                    finess_confirme=o["confirmer_finess"],
                )
                user = admin_services.user_create(
                    actor=None,
                    email=o["email"],
                    nom=o["nom"],
                    prenom=o["prenom"],
                    profession=Profession.INFORMATICIEN,
                    etablissement=etablissement,
                    role=Role.objects.get(code="administrateur"),
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except structures.StructureError as exc:
            raise CommandError(
                f"{exc.message} (option --confirmer-finess pour passer outre)"
            ) from exc
        except admin_services.CompteError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Créés : {organisme} / {etablissement} ; administrateur {user.email}.\n"
                "Un e-mail lui a été envoyé avec un lien pour choisir son mot de passe :\n"
                f"{admin_services.setup_link(user)}"
            )
        )
