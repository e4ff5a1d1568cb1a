"""Demo mode data: a believable organisme gestionnaire, its staff and synthetic persons.

`generate()` (generator.py) fills the database, in bulk so that it also serves as the scale
data generator; `accounts.py` lists the demo accounts and their current TOTP codes for
`manage.py demo_codes` and the login page in demo mode. Nothing here runs in production.
"""

from __future__ import annotations

# Every demo account logs in with this password. It passes AUTH_PASSWORD_VALIDATORS for
# every demo address (one closer to "demo.dossier-usager.fr" fails the similarity check).
DEMO_PASSWORD = "Quatre-Saisons-Demo-2026"
DEMO_EMAIL_DOMAIN = "demo.dossier-usager.fr"
# Name of the confirmed TOTP device of each demo account; codes are shown only for these.
DEMO_DEVICE_NAME = "demo"
DEFAULT_USAGERS = 120
DEFAULT_SEED = 2026

# Accompaniment and clinical content of the demo, contributed by each app: dotted paths of
# `populate(organisme, rng, today)` functions, called once the persons exist, each in its own
# transaction. They fill a handful of named persons so the demo tells a story; bulk data for
# benchmarks is bench/'s business.
CONTENT_HOOKS: list[str] = [
    "dui.accompagnement.demo_evaluations.populate",
    "dui.documents.demo.populate",
    "dui.projet.demo.populate",
    "dui.accompagnement.demo_liaison.populate",
    "dui.interop.dmp.demo.populate",
    "dui.soins.demo.populate",
    # After soins: the DLU is pre-filled from the allergies and treatments it created.
    "dui.dlu.demo.populate",
]


class DemoRefused(Exception):
    """The demo cannot run here (production settings, or data already present)."""
