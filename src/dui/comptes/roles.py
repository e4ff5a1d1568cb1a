"""The ready-made habilitation profiles, installed by a data migration and by `demo`.

An administrator adjusts them per établissement (Habilitation rows with an établissement);
these defaults are the starting point, not a ceiling.
"""

from __future__ import annotations

from typing import Any

A, S, E, SO, M = "administratif", "social", "educatif", "soins", "medical"
R, W = "r", "w"

# code: (libellé, périmètre, santé, administre, journal, bris de glace, {catégorie: r|w})
PROFILS: dict[str, tuple[str, str, bool, bool, bool, bool, dict[str, str]]] = {
    "direction": (
        "Direction",
        "etablissement",
        False,
        False,
        False,
        True,
        {A: W, S: R, E: R, SO: R},
    ),
    "chef_service": (
        "Chef de service",
        "etablissement",
        False,
        False,
        False,
        True,
        {A: W, S: W, E: W, SO: R},
    ),
    "medecin": (
        "Médecin",
        "etablissement",
        True,
        False,
        False,
        True,
        {A: R, S: R, E: R, SO: W, M: W},
    ),
    "infirmier": (
        "Infirmier / IDEC",
        "etablissement",
        True,
        False,
        False,
        True,
        {A: R, S: R, E: R, SO: W, M: W},
    ),
    "soignant": (
        "Soignant (aide-soignant, AES)",
        "etablissement",
        True,
        False,
        False,
        True,
        {A: R, E: R, SO: W},
    ),
    "educatif": ("Éducatif", "etablissement", False, False, False, True, {A: R, S: R, E: W}),
    "psychologue": (
        "Psychologue",
        "etablissement",
        True,
        False,
        False,
        True,
        {A: R, S: R, E: W, SO: R},
    ),
    "paramedical": (
        "Paramédical (ergothérapeute, kinésithérapeute…)",
        "etablissement",
        True,
        False,
        False,
        True,
        {A: R, E: R, SO: W},
    ),
    "accueil": ("Accueil / secrétariat", "etablissement", False, False, False, False, {A: W}),
    "intervenant_domicile": (
        "Intervenant à domicile",
        "assignes",
        False,
        False,
        False,
        False,
        {A: R, SO: W},
    ),
    "dpo": (
        "Délégué à la protection des données",
        "etablissement",
        False,
        False,
        True,
        False,
        {A: R},
    ),
    "administrateur": ("Administrateur", "etablissement", False, True, False, False, {}),
}


# Profiles that settle suspected duplicates and merge records (identitovigilance referents).
REFERENTS_IDENTITOVIGILANCE = {"direction", "chef_service", "accueil", "infirmier"}


def install_profiles(role_model: Any, habilitation_model: Any) -> None:
    """Create or refresh the ready-made roles and their default habilitations (idempotent).

    Also called by data migrations with historical models: fields added later are skipped.
    """
    known = {f.name for f in role_model._meta.get_fields()}
    for code, (libelle, perimetre, sante, admin, journal, bris, cats) in PROFILS.items():
        values = {
            "libelle": libelle,
            "perimetre": perimetre,
            "is_sante": sante,
            "may_administer": admin,
            "may_read_journal": journal,
            "may_break_glass": bris,
            "may_manage_identities": code in REFERENTS_IDENTITOVIGILANCE,
        }
        role, _ = role_model.objects.update_or_create(
            code=code, defaults={k: v for k, v in values.items() if k in known}
        )
        for categorie in (A, S, E, SO, M):
            level = cats.get(categorie)
            habilitation_model.objects.update_or_create(
                role=role,
                etablissement=None,
                categorie=categorie,
                defaults={"lecture": level in (R, W), "ecriture": level == W},
            )
