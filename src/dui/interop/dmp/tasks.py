"""Background sending to the DMP (django-tasks, database backend): the outbox's worker side."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from dui.interop.models import EnvoiDMP


def planifier(envoi: EnvoiDMP) -> Any:
    """Enqueue the sending of `envoi` at its due time. Called inside the transaction that
    writes the envoi: with the database backend, the task row commits (or not) with it."""
    target = envoyer_dmp
    if target.get_backend().supports_defer:
        target = target.using(run_after=envoi.prochain_essai)
    return target.enqueue(envoi.pk)


@task()
def envoyer_dmp(envoi_id: int) -> str:
    from dui.interop.dmp.services import executer_envoi

    return executer_envoi(envoi_id)


@task()
def reprendre_envois_dmp() -> int:
    """Periodic safety net (cron: `manage.py reprendre_envois_dmp`)."""
    from dui.interop.dmp.services import reprendre_envois_perdus

    return reprendre_envois_perdus()
