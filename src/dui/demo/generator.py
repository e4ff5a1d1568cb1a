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
# 120 persons fill it exactly); of the rest, a third go to the IME, the others to the SAD.
EHPAD_SHARE = 0.6
TEAM_MIN, TEAM_MAX = 5, 15


def with_luhn_key(base: str) -> str:
    """`base` followed by the digit that makes the whole number pass the Luhn check."""
    for key in "0123456789":
        if luhn_ok(base + key):
            return base + key
    raise AssertionError("unreachable: one key digit always fits")


def finess_for(index: int, position: int) -> str:
    """Fictitious FINESS of the demo: department 69, a block far above allocated numbers."""
    return with_luhn_key(f"69{999000 - 10 * (index - 1) + position:06d}")


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


@dataclass(slots=True)
class PlannedPerson:
    etab: str
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
    female_share = {staff.EHPAD: 0.74, staff.SAD: 0.65, staff.IME: 0.4}[etab]
    sexe = Sexe.FEMININ if rng.random() < female_share else Sexe.MASCULIN
    young = birth.year >= 2000
    if sexe == Sexe.FEMININ:
        pool = names.PRENOMS_F_JEUNES if young else names.PRENOMS_F_ANCIENS
    else:
        pool = names.PRENOMS_M_JEUNES if young else names.PRENOMS_M_ANCIENS
    count = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    prenoms = rng.sample(pool, count)
    nom = rng.choice(names.NOMS)
    nom_utilise = ""
    if sexe == Sexe.FEMININ and not young and rng.random() < 0.55:
        nom_utilise = rng.choice(names.NOMS)
        if nom_utilise == nom:
            nom_utilise = ""
    prenom_utilise = prenoms[1] if count > 1 and rng.random() < 0.08 else ""
    lieu = rng.choice(names.LIEUX_NAISSANCE)[0]
    return sexe, nom, " ".join(prenoms), nom_utilise, prenom_utilise, birth, lieu


def _admission(rng: random.Random, today: datetime.date, birth: datetime.date, etab: str):
    # Admitted within the last years, never before the age the service takes people.
    min_age = {staff.EHPAD: 70, staff.IME: 5, staff.SAD: 58}[etab]
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


def plan_persons(rng: random.Random, total: int, today: datetime.date) -> list[PlannedPerson]:
    """Every person to create, with their établissement, unit and identity (no query)."""
    ehpad_spec = next(s for s in staff.ETABLISSEMENTS if s.key == staff.EHPAD)
    ehpad_slots = [nom for nom, cap in ehpad_spec.unites for _ in range(cap or 0)]
    rng.shuffle(ehpad_slots)
    n_ehpad = min(len(ehpad_slots), round(total * EHPAD_SHARE))
    n_ime = (total - n_ehpad) // 3
    n_sad = total - n_ehpad - n_ime
    sad_spec = next(s for s in staff.ETABLISSEMENTS if s.key == staff.SAD)
    sectors = [nom for nom, _ in sad_spec.unites]

    persons: list[PlannedPerson] = []
    for etab, count in ((staff.EHPAD, n_ehpad), (staff.IME, n_ime), (staff.SAD, n_sad)):
        for i in range(count):
            sexe, nom, prenoms, nom_u, prenom_u, birth, lieu = _identity(rng, today, etab)
            if etab == staff.EHPAD:
                unite = ehpad_slots[i]
            elif etab == staff.IME:
                unite = _ime_group(birth, today)
            else:
                unite = rng.choices(sectors, weights=(40, 35, 25))[0]
            persons.append(
                PlannedPerson(
                    etab,
                    unite,
                    sexe,
                    nom,
                    prenoms,
                    nom_u,
                    prenom_u,
                    birth,
                    lieu,
                    _admission(rng, today, birth, etab),
                )
            )
    return persons


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


def assign_teams(rng: random.Random, persons: list[PlannedPerson], demo_sector: str) -> list[str]:
    """Give each home-care person one worker; return the sector of each worker.

    Worker 0 is the demo intervenant: their team lies in `demo_sector` and, when the sector
    is small, leaves someone out so that the assignment rule is visible in the demo.
    """
    by_sector: dict[str, list[PlannedPerson]] = {}
    for person in persons:
        if person.etab == staff.SAD:
            by_sector.setdefault(person.unite, []).append(person)
    workers: list[str] = []
    ordered = sorted(by_sector, key=lambda s: (s != demo_sector, s))
    if demo_sector not in by_sector:
        workers.append(demo_sector)  # the demo account exists even with no one to follow
    for sector in ordered:
        members = by_sector[sector]
        first_max = max(1, len(members) - 1) if sector == demo_sector else None
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
    index: int, persons: list[PlannedPerson]
) -> tuple[OrganismeGestionnaire, dict[str, Etablissement], dict[tuple[str, str], Unite]]:
    suffix = "" if index == 1 else f" (démo {index})"
    organisme = OrganismeGestionnaire.objects.create(
        raison_sociale=staff.ORGANISME["raison_sociale"] + suffix,
        finess=finess_for(index, 0),
        adresse=staff.ORGANISME["adresse"],
    )
    counts: dict[str, int] = {}
    for person in persons:
        counts[person.etab] = counts.get(person.etab, 0) + 1
    etabs: dict[str, Etablissement] = {}
    unites: dict[tuple[str, str], Unite] = {}
    for position, spec in enumerate(staff.ETABLISSEMENTS, start=1):
        etab = Etablissement.objects.create(
            organisme=organisme,
            nom=spec.nom + suffix,
            finess=finess_for(index, position),
            categorie=spec.categorie,
            # At scale the IME and the SAD grow with the number of persons asked for.
            capacite_places=max(spec.capacite_places, counts.get(spec.key, 0)),
            adresse=spec.adresse,
            code_postal=spec.code_postal,
            commune=spec.commune,
        )
        etabs[spec.key] = etab
        for nom, capacite in spec.unites:
            unites[(spec.key, nom)] = Unite.objects.create(
                etablissement=etab, nom=nom, type=spec.unite_type, capacite_places=capacite
            )
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
    sectors: list[str],
    sad: Etablissement,
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
            nom=rng.choice(names.NOMS).title(),
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
        [Affectation(user=u, etablissement=sad, role=role) for u in new_users],
        batch_size=BATCH_SIZE,
    )
    through = Affectation.unites.through
    through.objects.bulk_create(
        [
            through(affectation_id=a.pk, unite_id=unites[(staff.SAD, sector)].pk)
            for a, sector in zip(affectations, sectors, strict=True)
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
    sad_id = etabs[staff.SAD].pk
    membres = MembreEquipe.objects.bulk_create(
        [
            MembreEquipe(
                usager_id=u.pk,
                user_id=worker_ids[p.intervenant],
                etablissement_id=sad_id,
                is_referent=True,
                date_debut=p.date_debut,
            )
            for u, p in zip(usagers, batch, strict=True)
            if p.intervenant is not None
        ],
        batch_size=BATCH_SIZE,
    )
    return len(usagers), len(membres)


def generate(
    *,
    usagers: int = DEFAULT_USAGERS,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create one demo organisme (EHPAD, IME, SAD), one account per role and `usagers` persons.

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
    persons = plan_persons(rng, usagers, today)
    demo_worker = next(s for s in staff.STAFF if s.role == "intervenant_domicile")
    worker_sectors = assign_teams(rng, persons, demo_worker.unites[0])
    # One hash for every demo account: hashing 10 000 passwords would take minutes.
    password_hash = make_password(DEMO_PASSWORD)

    with transaction.atomic():
        install_profiles(Role, Habilitation)
        organisme, etabs, unites = _create_structures(index, persons)
        accounts = _create_staff(index, etabs, unites, password_hash)
        extra_ids = _create_extra_workers(
            rng, index, worker_sectors[1:], etabs[staff.SAD], unites, password_hash
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
    result.counts = {key: sum(1 for p in persons if p.etab == key) for key in etabs}
    result.seconds = time.perf_counter() - started
    return result
