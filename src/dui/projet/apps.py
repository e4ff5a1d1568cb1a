from typing import Any

from django.apps import AppConfig


class ProjetConfig(AppConfig):
    name = "dui.projet"
    verbose_name = "Projet personnalisé"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from dui.usagers.models import PriseEnCharge

        post_save.connect(_stay_saved, sender=PriseEnCharge, dispatch_uid="projet_close_on_exit")


def _stay_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # The exit services save the stay with update_fields including "date_fin": the project
    # of that stay is closed in the same transaction (clôture at exit or transfer).
    if instance.date_fin is None or not update_fields or "date_fin" not in update_fields:
        return
    from dui.projet.services import close_on_exit

    close_on_exit(instance)
