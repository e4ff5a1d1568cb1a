from __future__ import annotations

import pytest

from dui.interop.cda import validation


def _schema_present() -> bool:
    from django.conf import settings  # noqa: F401  (settings must be configured)

    return validation.schema_path().is_file()


@pytest.fixture
def needs_schema():
    if not _schema_present():
        pytest.skip(
            "Schéma CDA officiel absent (../shared/reference/ci-sis/infrastructure/cda/"
            "CDA_extended.xsd) : la validation XSD ne peut pas être testée ici."
        )


def qualifier(usager, *, matricule: str = "279035121518989", oid: str = "1.2.250.1.213.1.4.10"):
    """Give the person a qualifiée identity with the ANS test INS (written directly: the
    identity services are tested in usagers)."""
    from dui.usagers.identite import StatutIdentite

    usager.statut_identite = StatutIdentite.QUALIFIEE
    usager.matricule_ins = matricule
    usager.oid_ins = oid
    usager.save()
    return usager


@pytest.fixture
def usager_qualifie(usager):
    return qualifier(usager)
