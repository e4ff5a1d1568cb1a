"""Every URL of the project against every ready-made role, another établissement's user and
an anonymous visitor: what a GET answers (200, redirect, 404, 405).

The table below must name every URL pattern: a new view fails
`test_every_url_pattern_is_in_the_policy_table` until its row is added here.
Refusals of personal or administrative pages are 404 (policy.require), never 403, so the
existence of out-of-scope objects does not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import make_pro
from dui.comptes.roles import PROFILS, REFERENTS_IDENTITOVIGILANCE
from dui.structures.tests.factories import UniteFactory

ANON = "anonyme"
AUTRE = "autre_etab_infirmier"  # a care professional of another établissement, same organisme
AUTRE_ADMIN = "autre_etab_administrateur"  # the administrator of that other établissement
SUBJECTS = [*PROFILS, AUTRE, AUTRE_ADMIN, ANON]
LOGIN = "login"  # a redirect to the login page

# Role properties, read from the ready-made profiles (comptes/roles.py).
_EVERYONE = set(SUBJECTS) - {ANON}
_READS_PERSONS_OF_ETAB = {
    code
    for code, (_, perimetre, *_rest, cats) in PROFILS.items()
    if perimetre == "etablissement" and "administratif" in cats
}
# Lists the persons of their current établissement (those assigned to them, for home care).
_LISTS_PERSONS = {code for code, p in PROFILS.items() if "administratif" in p[-1]} | {AUTRE}
_BREAK_GLASS = {code for code, p in PROFILS.items() if p[5]} | {AUTRE}
_ADMIN_OF_ETAB = {code for code, p in PROFILS.items() if p[3]}
_ADMIN_ANYWHERE = _ADMIN_OF_ETAB | {AUTRE_ADMIN}
_JOURNAL = {code for code, p in PROFILS.items() if p[4]}
# Change the journey (applications, admission, exit) of the persons of their établissement.
_WRITES_JOURNEY = {
    code
    for code, (_, perimetre, *_rest, cats) in PROFILS.items()
    if perimetre == "etablissement" and cats.get("administratif") == "w"
}
# Social data (benefits) of the persons of their établissement: read, write; and the list of
# benefits to renew in their current établissement (AUTRE reads social data in theirs).
_READS_SOCIAL_OF_ETAB = {
    code
    for code, (_, perimetre, *_rest, cats) in PROFILS.items()
    if perimetre == "etablissement" and "social" in cats
}
_WRITES_SOCIAL_OF_ETAB = {
    code
    for code, (_, perimetre, *_rest, cats) in PROFILS.items()
    if perimetre == "etablissement" and cats.get("social") == "w"
}
_READS_SOCIAL_HERE = {code for code, p in PROFILS.items() if "social" in p[-1]} | {AUTRE}
# Identitovigilance referents of the organisme (AUTRE is an infirmier of the same organisme).
_IDENTITOVIGILANCE = set(REFERENTS_IDENTITOVIGILANCE) | {AUTRE}

# Creates persons in their current établissement (administrative write).
_WRITES_PERSONS_OF_ETAB = {code for code, p in PROFILS.items() if p[-1].get("administratif") == "w"}


def outcome(
    allowed: set[str],
    *,
    ok: Any = 200,
    refused: Any = 404,
    anonymous: Any = LOGIN,
    **overrides: Any,
) -> dict[str, Any]:
    """Expected answer per subject: `ok` for the allowed ones, `refused` for the others."""
    expected = {s: ok if s in allowed else refused for s in SUBJECTS}
    expected[ANON] = anonymous
    expected.update(overrides)
    return expected


@dataclass
class World:
    etab: Any
    autre_etab: Any
    organisme: Any
    usager: Any
    unite: Any
    target: Any  # a colleague's account in etab, the object of account administration


@dataclass
class Row:
    args: Callable[[World], list[Any]]
    expected: dict[str, Any]


def no_args(w: World) -> list[Any]:
    return []


def _with_photo(w: World) -> list[Any]:
    from django.core.files.base import ContentFile

    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010804000000b51c0c02"
        "0000000b4944415478da63646000000006000230819d0000000049454e44ae426082"
    )
    w.usager.photo.save("photo", ContentFile(png))
    return [w.usager.pk]


def _suspicion(w: Any) -> list[Any]:
    from dui.usagers.models import SuspicionDoublon
    from dui.usagers.tests.factories import UsagerFactory

    other = UsagerFactory(organisme=w.organisme)
    s = SuspicionDoublon.objects.create(usager=other, candidat=w.usager, niveau=2, score=0.9)
    return [s.pk]


def _fusion(w: Any) -> list[Any]:
    from dui.usagers.models import Fusion
    from dui.usagers.tests.factories import UsagerFactory

    other = UsagerFactory(organisme=w.organisme)
    f = Fusion.objects.create(garde=w.usager, doublon=other, fusionne_par=w.target, motif="x")
    return [f.pk]


def _proche(w: Any) -> list[Any]:
    from dui.usagers.models import Proche

    return [w.usager.pk, Proche.objects.create(usager=w.usager, nom="Proche").pk]


def _intervenant(w: Any) -> list[Any]:
    from dui.usagers.models import IntervenantExterieur

    i = IntervenantExterieur.objects.create(usager=w.usager, type="autre", nom="Service")
    return [w.usager.pk, i.pk]


def _droit(w: Any) -> list[Any]:
    import datetime

    from dui.usagers.models import DroitPrestation

    d = DroitPrestation.objects.create(
        usager=w.usager, type="apa", date_debut=datetime.date(2024, 1, 1)
    )
    return [w.usager.pk, d.pk]


def _mesure(w: Any) -> list[Any]:
    from dui.soins.tests.factories import MesureFactory

    return [w.usager.pk, MesureFactory(usager=w.usager, saisi_par=w.target).pk]


TABLE: dict[str, Row] = {
    # Shell.
    "ui:home": Row(no_args, outcome(_EVERYONE)),
    "ui:switch_etablissement": Row(no_args, outcome(_EVERYONE, ok=405)),
    "ui:health": Row(no_args, outcome(_EVERYONE, anonymous=200)),
    # Login and own account: a verified session is sent on from the login steps.
    "comptes:login": Row(no_args, outcome(_EVERYONE, ok=302, anonymous=200)),
    "comptes:otp": Row(no_args, outcome(_EVERYONE, ok=302)),
    "comptes:otp_enrol": Row(no_args, outcome(_EVERYONE, ok=302)),
    "comptes:logout": Row(no_args, outcome(_EVERYONE, ok=405, anonymous=405)),
    "comptes:mon_compte": Row(no_args, outcome(_EVERYONE)),
    # Recovery codes are shown once, right after generation; otherwise back to the account.
    "comptes:recovery_codes": Row(no_args, outcome(_EVERYONE, ok=302)),
    "comptes:password_reset": Row(no_args, outcome(_EVERYONE, anonymous=200)),
    "comptes:password_reset_done": Row(no_args, outcome(_EVERYONE, anonymous=200)),
    "comptes:password_reset_confirm": Row(
        lambda w: ["MQ", "jeton-invalide"], outcome(_EVERYONE, anonymous=200)
    ),
    "comptes:password_reset_complete": Row(no_args, outcome(_EVERYONE, anonymous=200)),
    # Structures administration: administrators, each in their own établissements.
    "structures:list": Row(no_args, outcome(_ADMIN_ANYWHERE)),
    "structures:organisme_edit": Row(lambda w: [w.organisme.pk], outcome(_ADMIN_ANYWHERE)),
    "structures:etablissement_new": Row(no_args, outcome(_ADMIN_ANYWHERE)),
    "structures:etablissement": Row(lambda w: [w.etab.pk], outcome(_ADMIN_OF_ETAB)),
    "structures:etablissement_edit": Row(lambda w: [w.etab.pk], outcome(_ADMIN_OF_ETAB)),
    "structures:unite_new": Row(lambda w: [w.etab.pk], outcome(_ADMIN_OF_ETAB)),
    "structures:unite_edit": Row(lambda w: [w.unite.pk], outcome(_ADMIN_OF_ETAB)),
    # Accounts administration.
    "comptes_admin:users": Row(no_args, outcome(_ADMIN_ANYWHERE)),
    "comptes_admin:user_new": Row(no_args, outcome(_ADMIN_ANYWHERE)),
    "comptes_admin:user": Row(lambda w: [w.target.pk], outcome(_ADMIN_OF_ETAB)),
    "comptes_admin:user_edit": Row(lambda w: [w.target.pk], outcome(_ADMIN_OF_ETAB)),
    # POST-only actions: a GET reveals nothing, whoever asks.
    "comptes_admin:user_deactivate": Row(lambda w: [w.target.pk], outcome(_EVERYONE, ok=405)),
    "comptes_admin:affectation_edit": Row(lambda w: [w.target.pk], outcome(_ADMIN_OF_ETAB)),
    "comptes_admin:affectation_remove": Row(
        lambda w: [w.target.pk, w.target.affectations.get().pk], outcome(_EVERYONE, ok=405)
    ),
    "comptes_admin:habilitations": Row(lambda w: [w.etab.pk], outcome(_ADMIN_OF_ETAB)),
    # Persons.
    "usagers:list": Row(no_args, outcome(_LISTS_PERSONS)),
    "usagers:detail": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    "usagers:break_glass_search": Row(no_args, outcome(_BREAK_GLASS)),
    # Who already sees the person is sent to the record; only outsiders get the reason form.
    "usagers:break_glass_open": Row(
        lambda w: [w.usager.pk],
        outcome(_BREAK_GLASS & _READS_PERSONS_OF_ETAB, ok=302, **{AUTRE: 200}),
    ),
    # Person record, identity tab and INSi (identity engineer): rows below.
    "usagers:photo": Row(_with_photo, outcome(_READS_PERSONS_OF_ETAB)),
    "usagers:nouveau": Row(no_args, outcome(_WRITES_PERSONS_OF_ETAB)),
    "usagers:identite": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    # POST-only identity actions: a GET reveals nothing, whoever asks.
    "usagers:identite_modifier": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "usagers:identite_justificatif": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "usagers:identite_attributs": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "usagers:identite_declasser": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "usagers:identite_insi": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "usagers:identite_insi_accepter": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    # Person record, journey tab: applications, admission, exit (journey engineer): rows below.
    "usagers:candidatures": Row(no_args, outcome(_LISTS_PERSONS)),
    "usagers:suivis_sortie": Row(no_args, outcome(_LISTS_PERSONS)),
    "usagers:parcours": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    "usagers:candidature_nouvelle": Row(lambda w: [w.usager.pk], outcome(_WRITES_JOURNEY)),
    "usagers:candidature": Row(
        lambda w: [
            w.usager.pk,
            w.usager.candidatures.create(etablissement=w.etab, source="directe").pk,
        ],
        outcome(_READS_PERSONS_OF_ETAB),
    ),
    "usagers:admission": Row(lambda w: [w.usager.pk], outcome(_WRITES_JOURNEY)),
    "usagers:transfert": Row(
        lambda w: [w.usager.pk, w.usager.prises_en_charge.get().pk], outcome(_WRITES_JOURNEY)
    ),
    "usagers:sortie": Row(
        lambda w: [w.usager.pk, w.usager.prises_en_charge.get().pk], outcome(_WRITES_JOURNEY)
    ),
    "usagers:suivi_fait": Row(
        lambda w: [
            w.usager.pk,
            w.usager.prises_en_charge.get().suivis_sortie.create(libelle="Informer").pk,
        ],
        outcome(_EVERYONE, ok=405),
    ),
    # Archiving a person still supported shows why it cannot be done yet.
    "usagers:archiver": Row(lambda w: [w.usager.pk], outcome(_WRITES_JOURNEY)),
    # Person record, entourage, benefits and synthesis (entourage engineer): rows below.
    "usagers:entourage": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    # Entourage changes need administrative write (the same roles as the journey).
    "usagers:proche_new": Row(lambda w: [w.usager.pk], outcome(_WRITES_JOURNEY)),
    "usagers:proche_edit": Row(_proche, outcome(_WRITES_JOURNEY)),
    "usagers:proche_deactivate": Row(_proche, outcome(_EVERYONE, ok=405)),
    "usagers:intervenant_new": Row(lambda w: [w.usager.pk], outcome(_WRITES_JOURNEY)),
    "usagers:intervenant_edit": Row(_intervenant, outcome(_WRITES_JOURNEY)),
    "usagers:intervenant_deactivate": Row(_intervenant, outcome(_EVERYONE, ok=405)),
    "usagers:droits": Row(lambda w: [w.usager.pk], outcome(_READS_SOCIAL_OF_ETAB)),
    "usagers:droit_new": Row(lambda w: [w.usager.pk], outcome(_WRITES_SOCIAL_OF_ETAB)),
    "usagers:droit_edit": Row(_droit, outcome(_WRITES_SOCIAL_OF_ETAB)),
    "usagers:droits_echeances": Row(no_args, outcome(_READS_SOCIAL_HERE)),
    # The synthesis moved to the record's first tab: its old address redirects there.
    "usagers:synthese": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB, ok=302)),
    "usagers:synthese_pdf": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    # Identitovigilance queue and merges (identitovigilance engineer): rows below.
    "usagers:vigilance": Row(no_args, outcome(_IDENTITOVIGILANCE)),
    "usagers:vigilance_paire": Row(_suspicion, outcome(_IDENTITOVIGILANCE)),
    "usagers:vigilance_differentes": Row(_suspicion, outcome(_EVERYONE, ok=405)),
    "usagers:vigilance_fusionner": Row(_suspicion, outcome(_EVERYONE, ok=405)),
    "usagers:vigilance_fusions": Row(no_args, outcome(_IDENTITOVIGILANCE)),
    "usagers:vigilance_fusion": Row(_fusion, outcome(_IDENTITOVIGILANCE)),
    "usagers:vigilance_fusion_annuler": Row(_fusion, outcome(_EVERYONE, ok=405)),
    # Soins: vital signs and measures (soins engineer): rows below. Soins data is read and
    # written through the "soins" category only; persons of the établissement only.
    "soins:constantes": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    "soins:mesure_corriger": Row(
        _mesure,
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    # The day's out-of-range values of the current établissement (AUTRE: in theirs).
    "soins:constantes_du_jour": Row(
        no_args, outcome({c for c, p in PROFILS.items() if "soins" in p[-1]} | {AUTRE})
    ),
    # Thresholds: administrators, or health roles writing soins data, of the établissement.
    "soins:seuils": Row(
        no_args,
        outcome(
            {c for c, p in PROFILS.items() if p[3] or (p[2] and p[-1].get("soins") == "w")}
            | {AUTRE, AUTRE_ADMIN}
        ),
    ),
    # Accompagnement: evaluations; persons of the établissement only. The tab is shown to
    # whoever sees the person; inside, only grids whose category the user reads (AGGIR,
    # Braden, Morse: "soins"; SERAFIN-PH: "educatif"). The evaluation is made by the
    # services of dui/accompagnement.
    "accompagnement:evaluations": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    # A "soins" data grid (Braden): soins writers.
    "accompagnement:evaluation_grille_new": Row(
        lambda w: [
            w.usager.pk,
            __import__("dui.accompagnement.models", fromlist=["_"])
            .Grille.objects.get(code="braden")
            .pk,
        ],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    "accompagnement:evaluation_new": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    "accompagnement:evaluation": Row(
        lambda w: __import__("dui.accompagnement.tests.factories", fromlist=["_"]).matrix_args(
            w, signed=True
        ),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    "accompagnement:evaluation_edit": Row(
        lambda w: __import__("dui.accompagnement.tests.factories", fromlist=["_"]).matrix_args(
            w, signed=False
        ),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    "accompagnement:evaluation_export": Row(
        lambda w: __import__("dui.accompagnement.tests.factories", fromlist=["_"]).matrix_args(
            w, signed=True
        ),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    # Soins: care and medical file (soins engineer). Allergies and vaccinations are "soins"
    # (every care professional reads them); antécédents are "medical": only medical writers
    # reach their forms. Persons of the établissement only.
    "soins:dossier": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    **{
        name: Row(
            args,
            outcome(
                {
                    c
                    for c, (_, perim, *_r, cats) in PROFILS.items()
                    if perim == "etablissement" and cats.get(categorie) == "w"
                }
            ),
        )
        for name, categorie, args in [
            ("soins:antecedent_ajouter", "medical", lambda w: [w.usager.pk]),
            ("soins:allergie_ajouter", "soins", lambda w: [w.usager.pk]),
            ("soins:vaccination_ajouter", "soins", lambda w: [w.usager.pk]),
            *[
                (
                    f"soins:{kind}_retirer",
                    categorie,
                    lambda w, kind=kind: __import__(
                        "dui.soins.tests.factories", fromlist=["_"]
                    ).matrix_args(w, kind),
                )
                for kind, categorie in [
                    ("antecedent", "medical"),
                    ("allergie", "soins"),
                    ("vaccination", "soins"),
                ]
            ],
        ]
    },
    # POST only.
    "soins:allergies_aucune": Row(
        lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405, anonymous=405)
    ),
    # Accompagnement: transmissions (accompagnement engineer). The tab is shown to whoever
    # sees the person; inside, only readable categories. Writing: any category written.
    "accompagnement:transmissions": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    "accompagnement:transmission_new": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "administratif" in cats and "w" in cats.values()
            }
        ),
    ),
    # Correcting a "soins" note needs soins write.
    "accompagnement:transmission_correct": Row(
        lambda w: __import__(
            "dui.accompagnement.tests.factories", fromlist=["_"]
        ).transmission_args(w),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    "accompagnement:transmission_lu": Row(
        lambda w: __import__(
            "dui.accompagnement.tests.factories", fromlist=["_"]
        ).transmission_args(w, urgent=True),
        outcome(_EVERYONE, ok=405),
    ),
    # The établissement's transmissions and the handover: who lists its persons.
    "accompagnement:transmissions_etablissement": Row(no_args, outcome(_LISTS_PERSONS)),
    "accompagnement:transmissions_releve": Row(no_args, outcome(_LISTS_PERSONS)),
    # Accompagnement: habits of life, read by whoever sees the person ("administratif");
    # changed with the soins OR the educatif write right.
    "accompagnement:habitudes": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    "accompagnement:habitude_edit": Row(
        lambda w: [w.usager.pk, "sommeil"],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "w" in (cats.get("soins"), cats.get("educatif"))
            }
        ),
    ),
    # Documents (documents engineer): the tab and the list for whoever sees the person; a
    # document needs the read right on its type's category (an identity card: administratif,
    # a fiche de retour des urgences: soins, an ordonnance: medical, a projet: educatif).
    "documents:liste": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    "documents:televerser": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "w" in cats.values()
            }
        ),
    ),
    **{
        name: Row(
            lambda w, type_code=type_code, version=version, cda=cda: __import__(
                "dui.documents.tests.factories", fromlist=["_"]
            ).matrix_args(w, type_code=type_code, version=version, cda=cda),
            outcome(
                {
                    c
                    for c, (_, perim, *_r, cats) in PROFILS.items()
                    if perim == "etablissement" and cats.get(categorie) in modes
                }
            ),
        )
        for name, type_code, categorie, modes, version, cda in [
            ("documents:detail", "60280-5", "soins", ("r", "w"), False, False),
            ("documents:telecharger", "57833-6", "medical", ("r", "w"), True, False),
            (
                "documents:telecharger_cda",
                "PIECE-IDENTITE",
                "administratif",
                ("r", "w"),
                False,
                True,
            ),
            ("documents:nouvelle_version", "60280-5", "soins", ("w",), False, False),
            ("documents:signer", "80788-3", "educatif", ("w",), False, False),
        ]
    },
    # POST only.
    "documents:retirer": Row(
        lambda w: __import__("dui.documents.tests.factories", fromlist=["_"]).matrix_args(
            w, type_code="PIECE-IDENTITE"
        ),
        outcome(_EVERYONE, ok=405),
    ),
    # Soins: treatments (soins-medicaments engineer). Read with soins read; prescriptions are
    # entered and changed by health roles with soins AND medical write (médecin, IDE).
    "soins:traitements": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    "soins:ordonnance": Row(
        lambda w: __import__("dui.soins.tests.factories", fromlist=["_"]).traitement_args(
            w, "ordonnance"
        ),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    **{
        name: Row(
            args,
            outcome(
                {
                    c
                    for c, (_, perim, *_r, cats) in PROFILS.items()
                    if perim == "etablissement"
                    and cats.get("soins") == "w"
                    and cats.get("medical") == "w"
                }
            ),
        )
        for name, args in [
            ("soins:prescription_ajouter", lambda w: [w.usager.pk]),
            *[
                (
                    name,
                    lambda w, kind=kind: __import__(
                        "dui.soins.tests.factories", fromlist=["_"]
                    ).traitement_args(w, kind),
                )
                for name, kind in [
                    ("soins:ligne_arreter", "ligne"),
                    ("soins:ligne_modifier", "ligne"),
                    ("soins:autre_arreter", "autre"),
                ]
            ],
        ]
    },
    # Projet personnalisé: "educatif" data, read by the team of the person's établissement,
    # changed by those who also write educatif or soins data; POST-only actions answer 405.
    **{
        name: Row(
            lambda w, kind=kind: __import__(
                "dui.projet.tests.factories", fromlist=["_"]
            ).matrix_args(w, kind),
            outcome(
                {
                    c
                    for c, (_, perim, *_r, cats) in PROFILS.items()
                    if perim == "etablissement"
                    and "educatif" in cats
                    and (write is False or "w" in (cats.get("educatif"), cats.get("soins")))
                }
            ),
        )
        for name, kind, write in [
            ("projet:detail", "projet", False),
            ("projet:comparer", "projet", False),
            ("projet:version", "version", False),
            ("projet:version_pdf", "version", False),
            ("projet:signer", "projet", True),
            ("projet:cloturer", "projet", True),
            ("projet:section", "section", True),
        ]
    },
    "projet:projet": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "educatif" in cats
            }
        ),
    ),
    "projet:ouvrir": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "projet:etape": Row(
        lambda w: __import__("dui.projet.tests.factories", fromlist=["_"]).matrix_args(w, "projet"),
        outcome(_EVERYONE, ok=405),
    ),
    # The établissement's projects due or overdue: who reads educatif data there.
    "projet:echeances": Row(
        no_args,
        outcome({c for c, p in PROFILS.items() if "educatif" in p[-1]} | {AUTRE}),
    ),
    # The medication round and the untraced doses: who reads soins data in the current
    # établissement (home-care workers: their own persons). Tracing is POST only.
    "soins:tournee": Row(
        no_args, outcome({c for c, p in PROFILS.items() if "soins" in p[-1]} | {AUTRE})
    ),
    "soins:doses_non_tracees": Row(
        no_args, outcome({c for c, p in PROFILS.items() if "soins" in p[-1]} | {AUTRE})
    ),
    "soins:dose_tracer": Row(no_args, outcome(_EVERYONE, ok=405, anonymous=405)),
    "soins:si_besoin_tracer": Row(no_args, outcome(_EVERYONE, ok=405, anonymous=405)),
    "soins:trace_corriger": Row(
        lambda w: __import__("dui.soins.tests.factories", fromlist=["_"]).trace_args(w),
        outcome(_EVERYONE, ok=405, anonymous=405),
    ),
    # Cahier de liaison (transmissions engineer): read by whoever sees the person (readable
    # categories only inside); sharing and withdrawing a "soins" note need soins write; the
    # printed cahier for the person and aidants (PDF) follows the person's record.
    "accompagnement:cahier_liaison": Row(lambda w: [w.usager.pk], outcome(_READS_PERSONS_OF_ETAB)),
    "accompagnement:cahier_liaison_export": Row(
        lambda w: [w.usager.pk, "personne"], outcome(_READS_PERSONS_OF_ETAB)
    ),
    "accompagnement:transmission_partager": Row(
        lambda w: __import__(
            "dui.accompagnement.tests.factories", fromlist=["_"]
        ).transmission_args(w),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    "accompagnement:partage_retirer": Row(
        lambda w: __import__("dui.accompagnement.tests.factories", fromlist=["_"]).partage_args(w),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            }
        ),
    ),
    # Partners of the current établissement: listed by who lists its persons, managed by
    # who writes its administrative data.
    "accompagnement:partenaires": Row(no_args, outcome(_LISTS_PERSONS)),
    "accompagnement:partenaire_new": Row(
        no_args, outcome({c for c, p in PROFILS.items() if p[-1].get("administratif") == "w"})
    ),
    "accompagnement:partenaire_edit": Row(
        lambda w: __import__("dui.accompagnement.tests.factories", fromlist=["_"]).partenaire_args(
            w
        ),
        outcome({c for c, p in PROFILS.items() if p[-1].get("administratif") == "w"}),
    ),
    # DMP (dmp engineer): the tab (consent state, sending states) for soins readers of the
    # établissement; consulting the DMP (ITI-18 list, ITI-43 open) for medical readers only
    # (the document view needs uid/repo parameters: 404 without them, whoever asks);
    # recording consent, sending and retrying are POST only; the failure list for those who
    # write soins data in their current établissement (AUTRE: in theirs).
    "dmp:documents": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    "dmp:consulter": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "medical" in cats
            }
        ),
    ),
    "dmp:ouvrir": Row(lambda w: [w.usager.pk], outcome(set())),
    "dmp:consentement": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405)),
    "dmp:envoyer": Row(lambda w: [w.usager.pk, 1], outcome(_EVERYONE, ok=405)),
    "dmp:relancer": Row(lambda w: [1], outcome(_EVERYONE, ok=405)),
    "dmp:echecs": Row(
        no_args,
        outcome({c for c, p in PROFILS.items() if p[-1].get("soins") == "w"} | {AUTRE}),
    ),
    # DLU (dlu engineer): care data. The tab and its versions for soins readers of the
    # établissement; the draft form for soins writers (it redirects to the tab when there is
    # no draft); printing the DLU and the fiche de transfert for health professionals who read
    # soins data (not direction, chef de service, home-care workers); preparing and validating
    # are POST only; the review list for soins readers of the current établissement.
    "dlu:dlu": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    "dlu:version": Row(
        lambda w: __import__("dui.dlu.tests.dossier", fromlist=["_"]).matrix_args(w),
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "soins" in cats
            }
        ),
    ),
    **{
        name: Row(
            args,
            outcome(
                {
                    c
                    for c, (_, perim, sante, *_r, cats) in PROFILS.items()
                    if perim == "etablissement" and sante and "soins" in cats
                }
            ),
        )
        for name, args in [
            (
                "dlu:pdf",
                lambda w: __import__("dui.dlu.tests.dossier", fromlist=["_"]).matrix_args(w),
            ),
            ("dlu:transfert", lambda w: [w.usager.pk]),
        ]
    },
    "dlu:modifier": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and cats.get("soins") == "w"
            },
            ok=302,
        ),
    ),
    "dlu:demarrer": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405, anonymous=405)),
    "dlu:valider": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405, anonymous=405)),
    "dlu:actualiser": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405, anonymous=405)),
    "dlu:revue": Row(
        no_args, outcome({c for c, p in PROFILS.items() if "soins" in p[-1]} | {AUTRE})
    ),
    # Evaluation grids defined by administrators (grilles engineer): administrators, each
    # for the grids of their own établissements; changes are POST only.
    "accompagnement:grilles": Row(no_args, outcome(_ADMIN_ANYWHERE)),
    "accompagnement:grille_new": Row(no_args, outcome(_ADMIN_ANYWHERE)),
    "accompagnement:grille": Row(
        lambda w: __import__(
            "dui.accompagnement.tests.factories_grilles", fromlist=["_"]
        ).matrix_grille(w),
        outcome(_ADMIN_OF_ETAB),
    ),
    **{
        name: Row(
            lambda w: __import__(
                "dui.accompagnement.tests.factories_grilles", fromlist=["_"]
            ).matrix_grille(w),
            outcome(_EVERYONE, ok=405),
        )
        for name in (
            "accompagnement:grille_version",
            "accompagnement:grille_retirer",
            "accompagnement:grille_supprimer",
        )
    },
    # The not-given or correction form of one dose: without a dose in the query, 404 to all.
    "soins:dose_formulaire": Row(no_args, outcome(set())),
    # Care plan and care acts ("soins"): read with soins read, changed with soins write;
    # medical observations: read with medical read, written by physicians (role médecin).
    **{
        name: Row(
            args,
            outcome(
                {
                    c
                    for c, (_, perim, *_r, cats) in PROFILS.items()
                    if perim == "etablissement"
                    and cats.get(categorie) in modes
                    and (not medecin or c == "medecin")
                }
            ),
        )
        for name, categorie, modes, medecin, args in [
            ("soins:plan_de_soins", "soins", ("r", "w"), False, lambda w: [w.usager.pk]),
            ("soins:soin_ajouter", "soins", ("w",), False, lambda w: [w.usager.pk]),
            (
                "soins:soin_arreter",
                "soins",
                ("w",),
                False,
                lambda w: __import__("dui.soins.tests.factories", fromlist=["_"]).plan_args(
                    w, "soin"
                ),
            ),
            ("soins:observations", "medical", ("r", "w"), False, lambda w: [w.usager.pk]),
            (
                "soins:observation_corriger",
                "medical",
                ("w",),
                True,
                lambda w: __import__("dui.soins.tests.factories", fromlist=["_"]).plan_args(
                    w, "observation"
                ),
            ),
        ]
    },
    "soins:acte_tracer": Row(lambda w: [w.usager.pk], outcome(_EVERYONE, ok=405, anonymous=405)),
    # CDA documents (cda engineer): generate a PDF/A + CDA R2 into the person's documents, for
    # roles that write the category of at least one offered type (lettres, DLU, fiche de
    # transfert: medical; grille d'évaluation: soins).
    "cda:generer": Row(
        lambda w: [w.usager.pk],
        outcome(
            {
                c
                for c, (_, perim, *_r, cats) in PROFILS.items()
                if perim == "etablissement" and "w" in (cats.get("medical"), cats.get("soins"))
            }
        ),
    ),
    # Journal: the DPO only.
    "audit:journal": Row(no_args, outcome(_JOURNAL)),
    "audit:export": Row(no_args, outcome(_JOURNAL)),
    "audit:break_glass": Row(no_args, outcome(_JOURNAL)),
}


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[str]:
    """Every named URL pattern of the project, as "namespace:name"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or pattern.pattern}"


def test_every_url_pattern_is_in_the_policy_table():
    names = set(url_names())
    assert sorted(names - set(TABLE)) == [], "URL sans ligne dans la matrice : ajoutez-la"
    assert sorted(set(TABLE) - names) == [], "ligne de la matrice sans URL : retirez-la"


def test_every_row_names_every_subject():
    assert [name for name, row in TABLE.items() if set(row.expected) != set(SUBJECTS)] == []


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hundreds of accounts are created here: the password hash is not what is tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(etab, autre_etab, organisme, usager) -> World:
    target = make_pro(etab, "soignant", prenom="Cible", nom="Compte")
    return World(etab, autre_etab, organisme, usager, UniteFactory(etablissement=etab), target)


def subject_client(subject: str, world: World, login, client):  # type: ignore[no-untyped-def]
    if subject == ANON:
        return client
    if subject == AUTRE:
        return login(make_pro(world.autre_etab, "infirmier"))
    if subject == AUTRE_ADMIN:
        return login(make_pro(world.autre_etab, "administrateur"))
    return login(make_pro(world.etab, subject))


CASES = [(name, subject) for name in TABLE for subject in SUBJECTS]


@pytest.mark.parametrize(("url_name", "subject"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_get_answers_as_the_policy_says(url_name, subject, world, login, client):
    row = TABLE[url_name]
    url = reverse(url_name, args=row.args(world))
    response = subject_client(subject, world, login, client).get(url)
    expected = row.expected[subject]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("comptes:login"))
    else:
        assert response.status_code == expected
