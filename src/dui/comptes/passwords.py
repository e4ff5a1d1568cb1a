"""French additions to Django's common-password check."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

# Words that French users most often build passwords from; a password that is only one of
# them plus digits/symbols is refused.
_FRENCH_WORDS = {
    "motdepasse",
    "azerty",
    "azertyuiop",
    "soleil",
    "bonjour",
    "doudou",
    "chouchou",
    "marseille",
    "paris",
    "loulou",
    "nicolas",
    "julien",
    "camille",
    "amour",
    "jetaime",
    "bisous",
    "coucou",
    "chocolat",
    "princesse",
    "doudoune",
    "ehpad",
    "infirmier",
    "infirmiere",
    "dossierusager",
    "bienvenue",
    "secret",
    "admin",
    "administrateur",
    "password",
    "qwerty",
    "changeme",
    "changezmoi",
    "dossier",
    "usager",
    "sante",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", text.lower())


class FrenchCommonPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        letters = _fold(password)
        if letters in _FRENCH_WORDS or re.fullmatch(r"(.)\1*", letters or "x"):
            raise ValidationError(
                "Ce mot de passe est trop courant : choisissez une phrase de plusieurs mots.",
                code="password_too_common_fr",
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne doit pas être un mot courant suivi de chiffres."
