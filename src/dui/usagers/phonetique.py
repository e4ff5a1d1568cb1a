"""French-aware name normalisation and phonetic keys for identitovigilance.

Written for French civil-status names: accents, hyphens and apostrophes, particles (de, du,
le, d'…), silent final letters and the usual spellings of the same sound (ph/f, qu/k,
eau/au/o, ai/ei/è…). The key is coarse on purpose: it finds candidates, a finer score
(`similarity`) then ranks them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

PARTICLES = {"DE", "DU", "DES", "LE", "LA", "LES", "D", "L", "DI", "DA", "VAN", "VON", "DEL"}

# Ordered rewrites: longer patterns first.
_RULES: list[tuple[str, str]] = [
    # The "ch" sound becomes a lowercase placeholder that later rules (C→K) leave alone.
    (r"SCH", "x"),
    (r"SH", "x"),
    (r"CH", "x"),
    (r"BV", "V"),
    (r"IER$", "IE"),
    (r"ER$", "E"),
    (r"PH", "F"),
    (r"TH", "T"),
    (r"CK", "K"),
    (r"QU", "K"),
    (r"Q", "K"),
    (r"GU(?=[EIY])", "G"),
    (r"GE(?=[AOU])", "J"),
    (r"G(?=[EIY])", "J"),
    (r"C(?=[EIY])", "S"),
    (r"C", "K"),
    (r"X", "KS"),
    (r"EAU", "O"),
    (r"AU", "O"),
    (r"OU", "U"),
    (r"(?:AI|EI|EY|AY)", "E"),
    (r"(?:EN|EM)(?=[^AEIOUY]|$)", "AN"),
    (r"AM(?=[^AEIOUY]|$)", "AN"),
    (r"(?:AIN|EIN|IM)(?=[^AEIOUY]|$)", "IN"),
    (r"ON(?=[^AEIOUY]|$)", "ON"),
    (r"Y", "I"),
    (r"Z", "S"),
    (r"W", "V"),
    (r"(?<=[AEIOU])S(?=[AEIOU])", "Z"),
    (r"H", ""),
]


def fold(text: str) -> str:
    """Upper case, no accents, letters and single spaces only (hyphens/apostrophes → space)."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()
    text = re.sub(r"[^A-Z ]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def without_particles(folded: str) -> str:
    words = [w for w in folded.split(" ") if w and w not in PARTICLES]
    return " ".join(words) if words else folded


@lru_cache(maxsize=20_000)
def _word_key(word: str) -> str:
    for pattern, replacement in _RULES:
        word = re.sub(pattern, replacement, word)
    # Silent endings: -ES, -ENT (verbal), final E, S, T, X, D, P.
    word = re.sub(r"(?<=.)(?:ES|ENT)$", "", word)
    word = re.sub(r"(?<=..)[ESTXDP]+$", "", word)
    # Repeated letters sound once.
    return re.sub(r"(.)\1+", r"\1", word)


def phonetic_key(name: str) -> str:
    """One key for a whole name: particles dropped, words keyed and glued together, so that
    'Le Goff', 'Le-Gof' and 'LE GOF' share it."""
    folded = without_particles(fold(name))
    return "".join(_word_key(w) for w in folded.split(" ") if w)[:40].upper()


def phonetic_keys(name: str) -> set[str]:
    """The key without particles and the key of the whole name glued, since 'LEGOFF' typed in
    one word cannot be told apart from its particle."""
    glued = fold(name).replace(" ", "")
    return {k for k in (phonetic_key(name), _word_key(glued)[:40].upper() if glued else "") if k}


def compact(name: str) -> str:
    """Folded name without spaces or particles, for exact-ish comparisons."""
    return without_particles(fold(name)).replace(" ", "")


def _levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def similarity(a: str, b: str) -> float:
    """1.0 for the same name up to accents/particles/spacing, down to 0.0; phonetically equal
    names score at least 0.85."""
    ca, cb = compact(a), compact(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    ratio = 1 - _levenshtein(ca, cb) / max(len(ca), len(cb))
    if phonetic_keys(a) & phonetic_keys(b):
        ratio = max(ratio, 0.85)
    # A compound name containing the other (MARTIN vs MARTIN DURAND) is a strong hint.
    if min(len(ca), len(cb)) >= 4 and (ca in cb or cb in ca):
        ratio = max(ratio, 0.8)
    return round(ratio, 3)


def search_columns(
    nom_naissance: str, nom_utilise: str, prenoms_naissance: str, prenom_utilise: str
) -> dict[str, str]:
    """The derived search columns of a person (Usager.nom_normalise, cle_*)."""
    key = phonetic_key(nom_naissance)
    glued = phonetic_keys(nom_naissance) - {key}
    premier = prenoms_naissance.split(" ")[0] if prenoms_naissance else ""
    return {
        "cle_nom": key,
        "cle_nom_colle": next(iter(glued), key),
        "cle_nom_utilise": phonetic_key(nom_utilise) if nom_utilise else "",
        "cle_prenom": phonetic_key(premier),
        "nom_normalise": " ".join(
            fold(v) for v in (nom_naissance, nom_utilise, prenoms_naissance, prenom_utilise) if v
        )[:300],
    }
