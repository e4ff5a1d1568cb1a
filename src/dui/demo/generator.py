"""Fill the database with the demo organisme, its staff and N synthetic persons.

Structures and the demo accounts are created one by one (a few dozen rows); persons, stays
and care-team rows are precomputed in Python and inserted with `bulk_create`, one
transaction per batch, so that 100 000 persons take minutes, not hours, and the number of
queries barely depends on N. The same seed gives the same persons.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui import audit
from dui.audit.models import AuditAction
from dui.comptes.models import Affectation, Habilitation, Profession, Professionnel, Role, User
from dui.comptes.roles import install_profiles
from dui.demo import (
    DEFAULT_SEED,
    DEFAULT_USAGERS,
    DEMO_DEVICE_NAME,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DemoRefused,
    names,
    staff,
)
from dui.structures.models import Etablissement, OrganismeGestionnaire, Unite
from dui.structures.validators import luhn_ok
from dui.usagers.models import MembreEquipe, PriseEnCharge, Sexe, Usager

BATCH_SIZE = 5000
# Share of the persons placed in the EHPAD (its wings fill up to their capacity; the default
# 120 persons fill it exactly); of the rest, a third go to the IME, the others to the SAD,
# each up to its capacity. Beyond, persons go to additional établissements (staff.EXTRA_KINDS).
EHPAD_SHARE = 0.6
TEAM_MIN, TEAM_MAX = 5, 15


def with_luhn_key(base: str) -> str:
    """`base` followed by the digit that makes the whole number pass the Luhn check."""
    for key in "0123456789":
        if luhn_ok(base + key):
            return base + key
    raise AssertionError("unreachable: one key digit always fits")


def finess_for(index: int, position: int) -> str:
    """Fictitious FINESS of the demo: department 69, a block far above allocated numbers.

    Positions 0–3 are the organisme and its three named établissements; the additional
    établissements (position 4 onwards) get a block of 10 000 numbers per demo index.
    """
    if position <= len(staff.ETABLISSEMENTS):
        return with_luhn_key(f"69{999000 - 10 * (index - 1) + position:06d}")
    return with_luhn_key(f"69{900000 - 10000 * (index - 1) + position:06d}")


def rpps_for(index: int, position: int) -> str:
    """Fictitious RPPS (11 digits, starting with 10, valid key) in an unallocated block."""
    return with_luhn_key(f"1099999{(index * 20 + position) % 1000:03d}")


def email_for(login: str, index: int) -> str:
    local = login if index == 1 else f"{login}.{index}"
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoRefused(
            "Les données de démonstration sont interdites en production (DUI_PRODUCTION)."
        )


@dataclass
class DemoResult:
    organisme: OrganismeGestionnaire
    users: int = 0
    usagers: int = 0
    prises_en_charge: int = 0
    membres_equipe: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.users + self.usagers + self.prises_en_charge + self.membres_equipe


@dataclass(frozen=True)
class PlannedEtablissement:
    """An additional établissement, created when the named three are full."""

    key: str  # "<kind>-<n>", the key persons refer to
    kind: str  # staff.EHPAD, staff.SAD…
    position: int  # for finess_for
    nom: str
    capacite_places: int
    commune: str
    code_postal: str
    unites: tuple[tuple[str, int | None], ...]


@dataclass
@dataclass(slots=True)
class PlannedPerson:
    etab: str  # staff.EHPAD/IME/SAD for the named ones, PlannedEtablissement.key otherwise
    kind: str
    unite: str
    sexe: str
    nom_naissance: str
    prenoms_naissance: str
    nom_utilise: str
    prenom_utilise: str
    date_naissance: datetime.date
    lieu_naissance_insee: str
    date_debut: datetime.date
    intervenant: int | None = None  # index into the list of home-care workers


@dataclass
class DemoPlan:
    persons: list[PlannedPerson]
    extras: list[PlannedEtablissement]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_date(rng: random.Random, today: datetime.date, ages: tuple[int, int]) -> datetime.date:
    youngest, oldest = ages
    earliest = _years_before(today, oldest + 1) + datetime.timedelta(days=1)
    latest = _years_before(today, youngest)
    return datetime.date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _identity(
    rng: random.Random, today: datetime.date, etab: str
) -> tuple[str, str, str, str, str, datetime.date, str]:
    birth = _birth_date(rng, today, staff.AGES[etab])
    female_share = {staff.EHPAD: 0.74, staff.SAD: 0.65, staff.IME: 0.4}.get(etab, 0.45)
    sexe = Sexe.FEMININ if rng.random() < female_share else Sexe.MASCULIN
    young = birth.year >= 2000
    if sexe == Sexe.FEMININ:
        pool = names.PRENOMS_F_JEUNES if young else names.PRENOMS_F_ANCIENS
    else:
        pool = names.PRENOMS_M_JEUNES if young else names.PRENOMS_M_ANCIENS
    count = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    prenoms = rng.sample(pool, count)
    nom = names.surname(rng)
    nom_utilise = ""
    if sexe == Sexe.FEMININ and not young and rng.random() < 0.55:
        nom_utilise = names.surname(rng)
        if nom_utilise == nom:
            nom_utilise = ""
    prenom_utilise = prenoms[1] if count > 1 and rng.random() < 0.08 else ""
    lieu = rng.choice(names.LIEUX_NAISSANCE)[0]
    return sexe, nom, " ".join(prenoms), nom_utilise, prenom_utilise, birth, lieu


def _admission(rng: random.Random, today: datetime.date, birth: datetime.date, etab: str):
    # Admitted within the last years, never before the age the service takes people.
    min_age = {staff.EHPAD: 70, staff.IME: 5, staff.SAD: 58}.get(etab, 20)
    earliest = max(_years_before(today, 8), _years_before(birth, -min_age))
    latest = today - datetime.timedelta(days=1)
    if earliest > latest:
        earliest = latest
    return datetime.date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _ime_group(birth: datetime.date, today: datetime.date) -> str:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if age <= 11:
        return "Groupe des Petits"
    if age <= 15:
        return "Groupe Horizon"
    return "Groupe Passerelle"


def _named_counts(total: int) -> dict[str, int]:
    ehpad_spec = next(s for s in staff.ETABLISSEMENTS if s.key == staff.EHPAD)
    n_ehpad = min(sum(cap or 0 for _, cap in ehpad_spec.unites), round(total * EHPAD_SHARE))
    rest = total - n_ehpad
    capacity = {s.key: s.capacite_places for s in staff.ETABLISSEMENTS}
    n_ime = min(capacity[staff.IME], rest // 3)
    n_sad = min(capacity[staff.SAD], rest - rest // 3)
    return {staff.EHPAD: n_ehpad, staff.IME: n_ime, staff.SAD: n_sad}


def _split(total: int, capacities: list[int]) -> list[int]:
    """`total` persons over établissements in proportion to their capacity, none above it."""
    whole = sum(capacities)
    counts = [total * cap // whole for cap in capacities]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def _unit_places(rng: random.Random, kind: str, capacity: int) -> tuple[tuple[str, int], ...]:
    wings = max(1, round(capacity / 30))
    base, extra = divmod(capacity, wings)
    label = "Aile" if kind == staff.EHPAD else "Unité"
    chosen = rng.sample(staff.UNIT_NAMES, wings)
    return tuple((f"{label} {nom}", base + (i < extra)) for i, nom in enumerate(chosen))


def plan_extras(
    rng: random.Random, overflow: int, position: int
) -> tuple[list[PlannedEtablissement], list[int]]:
    """The additional établissements for `overflow` persons, and how many each receives."""
    extras: list[PlannedEtablissement] = []
    counts: list[int] = []
    taken: dict[str, int] = {}  # names already given, to number the repeats
    kinds = list(staff.EXTRA_KINDS.items())
    targets = [round(overflow * k.share) for _, k in kinds]
    targets[0] += overflow - sum(targets)
    for (kind, spec), target in zip(kinds, targets, strict=True):
        capacities: list[int] = []
        while target > 0 and sum(capacities) < target:
            capacities.append(rng.randint(*spec.places))
        for count, capacity in zip(_split(target, capacities), capacities, strict=True):
            position += 1
            commune, code_postal = rng.choice(staff.COMMUNES)
            if kind == staff.SAD:
                nom = f"{spec.prefix} Les Quatre Saisons — {commune}"
                places = rng.sample(staff.COMMUNES, rng.randint(2, 5))
                unites: tuple[tuple[str, int | None], ...] = tuple(
                    (f"Secteur {c}", None) for c, _ in places
                )
            elif kind == staff.IME:
                nom = f"{spec.prefix} {rng.choice(staff.RESIDENCES)} — {commune}"
                unites = tuple((g, None) for g in IME_GROUPS)
            else:
                nom = f"{spec.prefix} {rng.choice(staff.RESIDENCES)} — {commune}"
                unites = _unit_places(rng, kind, capacity)
            taken[nom] = taken.get(nom, 0) + 1
            if taken[nom] > 1:
                nom = f"{nom} {taken[nom]}"
            extras.append(
                PlannedEtablissement(
                    f"{kind}-{position}",
                    kind,
                    position,
                    nom,
                    capacity,
                    commune,
                    code_postal,
                    unites,
                )
            )
            counts.append(count)
    return extras, counts


IME_GROUPS = ("Groupe des Petits", "Groupe Horizon", "Groupe Passerelle")


def plan_demo(rng: random.Random, total: int, today: datetime.date) -> DemoPlan:
    """Every établissement beyond the named three and every person to create (no query)."""
    named = _named_counts(total)
    overflow = total - sum(named.values())
    extras, extra_counts = plan_extras(rng, overflow, len(staff.ETABLISSEMENTS))
    persons: list[PlannedPerson] = []
    for spec in staff.ETABLISSEMENTS:
        _plan_into(rng, persons, today, spec.key, spec.key, spec.unites, named[spec.key])
    for extra, count in zip(extras, extra_counts, strict=True):
        _plan_into(rng, persons, today, extra.key, extra.kind, extra.unites, count)
    return DemoPlan(persons, extras)


def plan_persons(rng: random.Random, total: int, today: datetime.date) -> list[PlannedPerson]:
    """Every person to create, with their établissement, unit and identity (no query)."""
    return plan_demo(rng, total, today).persons


def _plan_into(
    rng: random.Random,
    persons: list[PlannedPerson],
    today: datetime.date,
    etab: str,
    kind: str,
    unites: tuple[tuple[str, int | None], ...],
    count: int,
) -> None:
    slots = [nom for nom, cap in unites for _ in range(cap or 0)]
    rng.shuffle(slots)
    sectors = [nom for nom, _ in unites]
    weights = (40, 35, 25) if etab == staff.SAD else None
    for i in range(count):
        sexe, nom, prenoms, nom_u, prenom_u, birth, lieu = _identity(rng, today, kind)
        if kind == staff.IME:
            unite = _ime_group(birth, today)
        elif kind == staff.SAD:
            unite = rng.choices(sectors, weights=weights)[0]
        else:
            unite = slots[i]
        persons.append(
            PlannedPerson(
                etab,
                kind,
                unite,
                sexe,
                nom,
                prenoms,
                nom_u,
                prenom_u,
                birth,
                lieu,
                _admission(rng, today, birth, kind),
            )
        )


def _chunk_sizes(rng: random.Random, total: int, first_max: int | None = None) -> list[int]:
    """Sizes of consecutive teams of TEAM_MIN–TEAM_MAX persons covering `total` persons."""
    sizes: list[int] = []
    remaining = total
    while remaining > 0:
        if first_max is not None and not sizes:
            size = min(rng.randint(TEAM_MIN, TEAM_MAX), first_max, remaining)
        elif remaining <= TEAM_MAX:
            size = remaining
        else:
            size = rng.randint(TEAM_MIN, min(TEAM_MAX, remaining - TEAM_MIN))
        sizes.append(size)
        remaining -= size
    return sizes


def assign_teams(
    rng: random.Random, persons: list[PlannedPerson], demo_sector: str
) -> list[tuple[str, str]]:
    """Give each home-care person one worker; return the (service, sector) of each worker.

    Worker 0 is the demo intervenant: their team lies in `demo_sector` of the named SAD and,
    when the sector is small, leaves someone out so that the assignment rule is visible.
    """
    by_sector: dict[tuple[str, str], list[PlannedPerson]] = {}
    for person in persons:
        if person.kind == staff.SAD:
            by_sector.setdefault((person.etab, person.unite), []).append(person)
    demo_sector_key = (staff.SAD, demo_sector)
    workers: list[tuple[str, str]] = []
    ordered = sorted(by_sector, key=lambda s: (s != demo_sector_key, s))
    if demo_sector_key not in by_sector:
        workers.append(demo_sector_key)  # the demo account exists even with no one to follow
    for sector in ordered:
        members = by_sector[sector]
        first_max = max(1, len(members) - 1) if sector == demo_sector_key else None
        start = 0
        for size in _chunk_sizes(rng, len(members), first_max):
            worker = len(workers)
            workers.append(sector)
            for person in members[start : start + size]:
                person.intervenant = worker
            start += size
    return workers


def _free_index() -> int:
    index = 1
    while (
        OrganismeGestionnaire.objects.filter(finess=finess_for(index, 0)).exists()
        or User.objects.filter(email=email_for("admin", index)).exists()
    ):
        index += 1
    return index


def _create_structures(
    index: int, plan: DemoPlan
) -> tuple[OrganismeGestionnaire, dict[str, Etablissement], dict[tuple[str, str], Unite]]:
    suffix = "" if index == 1 else f" (démo {index})"
    organisme = OrganismeGestionnaire.objects.create(
        raison_sociale=staff.ORGANISME["raison_sociale"] + suffix,
        finess=finess_for(index, 0),
        adresse=staff.ORGANISME["adresse"],
    )
    etabs: dict[str, Etablissement] = {}
    unites: dict[tuple[str, str], Unite] = {}
    for position, spec in enumerate(staff.ETABLISSEMENTS, start=1):
        etab = Etablissement.objects.create(
            organisme=organisme,
            nom=spec.nom + suffix,
            finess=finess_for(index, position),
            categorie=spec.categorie,
            capacite_places=spec.capacite_places,
            adresse=spec.adresse,
            code_postal=spec.code_postal,
            commune=spec.commune,
        )
        etabs[spec.key] = etab
        for nom, capacite in spec.unites:
            unites[(spec.key, nom)] = Unite.objects.create(
                etablissement=etab, nom=nom, type=spec.unite_type, capacite_places=capacite
            )
    # The additional établissements: two bulk inserts whatever their number.
    created = Etablissement.objects.bulk_create(
        [
            Etablissement(
                organisme=organisme,
                nom=extra.nom + suffix,
                finess=finess_for(index, extra.position),
                categorie=staff.EXTRA_KINDS[extra.kind].categorie,
                capacite_places=extra.capacite_places,
                code_postal=extra.code_postal,
                commune=extra.commune,
            )
            for extra in plan.extras
        ],
        batch_size=BATCH_SIZE,
    )
    rows = []
    for extra, etab in zip(plan.extras, created, strict=True):
        etabs[extra.key] = etab
        unit_type = staff.EXTRA_KINDS[extra.kind].unite_type
        rows += [
            Unite(etablissement=etab, nom=nom, type=unit_type, capacite_places=capacite)
            for nom, capacite in extra.unites
        ]
    key_by_pk = {etab.pk: key for key, etab in etabs.items()}
    for unite in Unite.objects.bulk_create(rows, batch_size=BATCH_SIZE):
        unites[(key_by_pk[unite.etablissement_id], unite.nom)] = unite
    return organisme, etabs, unites


def _create_staff(
    index: int,
    etabs: dict[str, Etablissement],
    unites: dict[tuple[str, str], Unite],
    password_hash: str,
) -> dict[str, User]:
    roles = {role.code: role for role in Role.objects.all()}
    users: dict[str, User] = {}
    for position, spec in enumerate(staff.STAFF):
        user = User.objects.create(
            email=email_for(spec.login, index),
            nom=spec.nom,
            prenom=spec.prenom,
            password=password_hash,
        )
        Professionnel.objects.create(
            user=user,
            profession=spec.profession,
            rpps=rpps_for(index, position) if spec.rpps else "",
        )
        for key in spec.etablissements:
            affectation = Affectation.objects.create(
                user=user, etablissement=etabs[key], role=roles[spec.role]
            )
            wanted = [unites[(key, nom)] for nom in spec.unites if (key, nom) in unites]
            if wanted:
                affectation.unites.add(*wanted)
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
        users[spec.login] = user
    return users


def _create_extra_workers(
    rng: random.Random,
    index: int,
    sectors: list[tuple[str, str]],
    etabs: dict[str, Etablissement],
    unites: dict[tuple[str, str], Unite],
    password_hash: str,
) -> list[int]:
    """Bulk-create the home-care workers beyond the demo one; return their user ids.

    They share the demo password but have no TOTP device: they would enrol on first login.
    """
    if not sectors:
        return []
    role = Role.objects.get(code="intervenant_domicile")
    new_users = [
        User(
            email=email_for(f"intervenant-{n:05d}", index),
            nom=names.surname(rng).title(),
            prenom=rng.choice(staff.INTERVENANT_PRENOMS),
            password=password_hash,
        )
        for n in range(2, len(sectors) + 2)
    ]
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    Professionnel.objects.bulk_create(
        [Professionnel(user=u, profession=Profession.INTERVENANT_DOMICILE) for u in new_users],
        batch_size=BATCH_SIZE,
    )
    affectations = Affectation.objects.bulk_create(
        [
            Affectation(user=u, etablissement=etabs[key], role=role)
            for u, (key, _) in zip(new_users, sectors, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    through = Affectation.unites.through
    through.objects.bulk_create(
        [
            through(affectation_id=a.pk, unite_id=unites[key_sector].pk)
            for a, key_sector in zip(affectations, sectors, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    return [u.pk for u in new_users]


def _insert_batch(
    batch: list[PlannedPerson],
    organisme: OrganismeGestionnaire,
    etabs: dict[str, Etablissement],
    unites: dict[tuple[str, str], Unite],
    worker_ids: list[int],
    now: datetime.datetime,
) -> tuple[int, int]:
    rows = [
        Usager(
            nom_naissance=p.nom_naissance,
            prenoms_naissance=p.prenoms_naissance,
            date_naissance=p.date_naissance,
            sexe=p.sexe,
            lieu_naissance_insee=p.lieu_naissance_insee,
            nom_utilise=p.nom_utilise,
            prenom_utilise=p.prenom_utilise,
            organisme_id=organisme.pk,
            cree_le=now,
        )
        for p in batch
    ]
    for row in rows:
        row.refresh_search_keys()  # bulk_create skips save(), which computes them
    usagers = Usager.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    PriseEnCharge.objects.bulk_create(
        [
            PriseEnCharge(
                usager_id=u.pk,
                etablissement_id=etabs[p.etab].pk,
                unite_id=unites[(p.etab, p.unite)].pk,
                date_debut=p.date_debut,
            )
            for u, p in zip(usagers, batch, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    membres = MembreEquipe.objects.bulk_create(
        [
            MembreEquipe(
                usager_id=u.pk,
                user_id=worker_ids[p.intervenant],
                etablissement_id=etabs[p.etab].pk,
                is_referent=True,
                date_debut=p.date_debut,
            )
            for u, p in zip(usagers, batch, strict=True)
            if p.intervenant is not None
        ],
        batch_size=BATCH_SIZE,
    )
    return len(usagers), len(membres)


def populate_content(
    organisme: OrganismeGestionnaire, rng: random.Random, today: datetime.date
) -> None:
    """Run the apps' demo content hooks (dui.demo.CONTENT_HOOKS), each in one transaction."""
    from django.utils.module_loading import import_string

    from dui.demo import CONTENT_HOOKS

    for dotted in CONTENT_HOOKS:
        with transaction.atomic():
            import_string(dotted)(organisme, rng, today)


def generate(
    *,
    usagers: int = DEFAULT_USAGERS,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create one demo organisme (EHPAD, IME, SAD), one account per role and `usagers` persons.

    Beyond the capacity of those three (282 persons), additional établissements of the
    organisme take the others (plan_extras); the demo accounts stay in the named three.

    Refuses in production. Structures and accounts are committed first, then each batch of
    persons in its own transaction; the journal records the generation once.
    """
    refuse_in_production()
    if usagers < 0:
        raise ValueError("usagers must be >= 0")
    started = time.perf_counter()
    index = _free_index()
    # A second demo in the same database (--force) gets other persons than the first.
    rng = random.Random(seed if index == 1 else f"{seed}-{index}")
    today = timezone.localdate()
    now = timezone.now()
    plan = plan_demo(rng, usagers, today)
    persons = plan.persons
    demo_worker = next(s for s in staff.STAFF if s.role == "intervenant_domicile")
    worker_sectors = assign_teams(rng, persons, demo_worker.unites[0])
    # One hash for every demo account: hashing 10 000 passwords would take minutes.
    password_hash = make_password(DEMO_PASSWORD)

    with transaction.atomic():
        install_profiles(Role, Habilitation)
        organisme, etabs, unites = _create_structures(index, plan)
        accounts = _create_staff(index, etabs, unites, password_hash)
        extra_ids = _create_extra_workers(
            rng, index, worker_sectors[1:], etabs, unites, password_hash
        )
        worker_ids = [accounts[demo_worker.login].pk, *extra_ids]
        audit.record(
            action=AuditAction.ADMIN,
            obj=organisme,
            actor_label="manage.py demo",
            details={"demo": True, "usagers": usagers, "seed": seed},
        )

    result = DemoResult(organisme=organisme, users=len(accounts) + len(extra_ids))
    for start in range(0, len(persons), batch_size):
        batch = persons[start : start + batch_size]
        with transaction.atomic():
            created, membres = _insert_batch(batch, organisme, etabs, unites, worker_ids, now)
        result.usagers += created
        result.prises_en_charge += created
        result.membres_equipe += membres
        if progress is not None:
            progress(result.usagers, len(persons))
    populate_content(organisme, rng, today)
    result.counts = {key: 0 for key in etabs}
    for person in persons:
        result.counts[person.etab] += 1
    result.seconds = time.perf_counter() - started
    return result
