"""The medication round: planned doses derived from the posologies in force, per person of a
unit, for a day and a time slot; and the doses left untraced once their slot has ended.

Planned doses are computed, not stored: a dose is (line, day, intake key). A line stopped
during a day keeps the slots that began before the stop; the line replacing it takes the
slots that begin at or after it, so a change at noon never doubles or drops a dose.
Every function here runs a constant number of queries, whatever the number of persons.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone

from dui.comptes import policy
from dui.comptes.models import Categorie, Role
from dui.soins.creneaux import (
    CRENEAUX,
    PAR_CODE,
    Creneau,
    fin_de_creneau,
    format_quantite,
    prise_cle,
    prise_creneau,
    prise_heure,
    quantite,
)
from dui.soins.models import Administration, Allergie, LigneMedicament, VoieAdministration
from dui.structures.models import Etablissement, Unite
from dui.usagers.models import MembreEquipe, PriseEnCharge, Usager


@dataclass
class Dose:
    ligne: Any  # LigneMedicament, or LigneVue in the round
    jour: datetime.date
    creneau: Creneau
    prise: str
    heure: datetime.time
    quantite: Decimal
    trace: Administration | None = None

    @property
    def tracee(self) -> bool:
        return self.trace is not None

    @property
    def quantite_texte(self) -> str:
        return format_quantite(self.quantite)

    @property
    def cle(self) -> str:
        return f"{self.ligne.pk}-{self.jour:%Y%m%d}-{self.prise}"


@dataclass
class LigneTournee:
    """One person in the round: the planned doses of the slot and the "si besoin" lines."""

    usager: Usager
    doses: list[Dose] = field(default_factory=list)
    si_besoin: list[LigneMedicament] = field(default_factory=list)
    allergies: list[Allergie] = field(default_factory=list)

    @property
    def restantes(self) -> int:
        return sum(1 for d in self.doses if not d.tracee)


def _tz() -> Any:
    return timezone.get_current_timezone()


def debut_de_creneau(jour: datetime.date, creneau: Creneau) -> datetime.datetime:
    return datetime.datetime.combine(jour, creneau.debut).replace(tzinfo=_tz())


def lignes_du_jour_q(jour: datetime.date) -> Q:
    """Lines that may have doses on `jour` (stopped that day included)."""
    start = datetime.datetime.combine(jour, datetime.time.min).replace(tzinfo=_tz())
    return (
        Q(debut__lte=jour)
        & (Q(fin__isnull=True) | Q(fin__gte=jour))
        & (Q(arret_le__isnull=True) | Q(arret_le__gte=start))
    )


def doses_of(ligne: Any, jour: datetime.date, creneau: Creneau | None = None) -> list[Dose]:
    """The planned doses of one line on a day (of one slot when given), in time order."""
    if ligne.si_besoin:
        return []
    doses = []
    for p in ligne.prises:
        c = prise_creneau(p)
        if c is None or (creneau is not None and c.code != creneau.code):
            continue
        slot_start = debut_de_creneau(jour, c)
        if ligne.arret_le is not None and ligne.arret_le <= slot_start:
            continue
        old = ligne.remplace
        if (
            old is not None
            and old.arret_le is not None
            and ligne.debut == jour
            and slot_start < old.arret_le
        ):
            continue  # the replaced line covered this slot
        doses.append(Dose(ligne, jour, c, prise_cle(p), prise_heure(p), quantite(p)))
    return sorted(doses, key=lambda d: d.heure)


def reads_soins_in(user: Any, etablissement: Etablissement | None) -> bool:
    if etablissement is None:
        return False
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and Categorie.SOINS in d.lecture)


def writes_soins_in(user: Any, etablissement: Etablissement | None) -> bool:
    if etablissement is None:
        return False
    d = policy.droits(user).get(etablissement.pk)
    return bool(d and Categorie.SOINS in d.ecriture)


def personnes(
    user: Any, etablissement: Etablissement, jour: datetime.date, unite: Unite | None = None
) -> Any:
    """Persons of the établissement (of the unit) present on `jour` that the user reaches."""
    stays = PriseEnCharge.objects.filter(etablissement=etablissement, date_debut__lte=jour).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=jour)
    )
    if unite is not None:
        stays = stays.filter(unite=unite)
    persons = Usager.objects.visible_to(user).filter(pk__in=stays.values("usager_id"))
    if policy.droits(user)[etablissement.pk].role.perimetre == Role.Perimetre.ASSIGNES:
        persons = persons.filter(
            pk__in=MembreEquipe.objects.filter(
                MembreEquipe.active_q(), user=user, etablissement=etablissement
            ).values("usager_id")
        )
    return persons


# Only what the round shows: it loads hundreds of rows per render (bench/round_bench.py).
TRACE_FIELDS = (
    "ligne_id", "usager_id", "jour", "prise", "statut", "motif", "commentaire", "trace_le",
    "administre_le", "trace_par_id",
)  # fmt: skip
LIGNE_FIELDS = (
    "usager_id", "medicament", "dosage", "voie", "unite_prise", "prises", "si_besoin",
    "condition", "max_par_jour", "instructions", "debut", "fin", "arret_le", "remplace_id",
    "remplace__arret_le",
)  # fmt: skip


class _Remplacee:
    __slots__ = ("arret_le",)

    def __init__(self, arret_le: datetime.datetime | None) -> None:
        self.arret_le = arret_le


class LigneVue:
    """What the round needs of a medication line, without a model instance per row: a round
    reads several hundred lines per render (bench/round_bench.py)."""

    pk: int
    usager_id: int
    medicament: str
    dosage: str
    voie: str
    prises: list[dict[str, str]]
    si_besoin: bool
    arret_le: datetime.datetime | None

    def __init__(self, row: dict[str, Any]) -> None:
        self.pk = row["id"]
        self.__dict__.update({k: v for k, v in row.items() if k != "remplace__arret_le"})
        self.remplace = (
            _Remplacee(row["remplace__arret_le"]) if row["remplace_id"] is not None else None
        )

    def __str__(self) -> str:
        return " ".join(p for p in (self.medicament, self.dosage) if p)

    def get_voie_display(self) -> str:
        return str(VOIES.get(self.voie, self.voie))


VOIES = dict(VoieAdministration.choices)


def lignes_vues(queryset: Any) -> list[Any]:
    return [LigneVue(row) for row in queryset.values("id", *LIGNE_FIELDS)]


def _traces(lignes: list[Any], jour: datetime.date) -> dict[tuple[int, str], Any]:
    traces = (
        # By person and day (indexed), not by the hundreds of line ids; the dict below
        # keeps only the lines asked for.
        Administration.objects.filter(
            usager_id__in={lg.usager_id for lg in lignes}, jour=jour, remplacee_le__isnull=True
        )
        .exclude(prise="")
        .only(*TRACE_FIELDS)
        # Who traced, in a second query: joined, PostgreSQL could walk the whole trace table
        # in user order for a merge join (16 ms instead of 0.1, bench/round_bench.py).
        .prefetch_related(
            Prefetch("trace_par", queryset=get_user_model().objects.only("prenom", "nom", "email"))
        )
    )
    return {(t.ligne_id, t.prise): t for t in traces}


def tournee(
    user: Any,
    etablissement: Etablissement,
    jour: datetime.date,
    creneau: Creneau,
    unite: Unite | None = None,
) -> list[LigneTournee]:
    """The round of a slot: each person with their doses (traced or not), sorted by name."""
    if not reads_soins_in(user, etablissement):
        return []
    persons = list(
        personnes(user, etablissement, jour, unite)
        .only("nom_naissance", "prenoms_naissance")
        .prefetch_related(
            Prefetch(
                "allergies",
                queryset=Allergie.objects.filter(actif=True)
                .only("usager_id", "substance")
                .order_by("substance"),
                to_attr="allergies_actives",
            )
        )
        .order_by("nom_naissance", "prenoms_naissance", "pk")
    )
    by_person = {p.pk: LigneTournee(p, allergies=p.allergies_actives) for p in persons}
    lignes = lignes_vues(
        LigneMedicament.objects.filter(
            lignes_du_jour_q(jour), usager_id__in=list(by_person)
        ).order_by("medicament", "pk")
    )
    for ligne in lignes:
        row = by_person[ligne.usager_id]
        if ligne.si_besoin:
            if ligne.arret_le is None:
                row.si_besoin.append(ligne)
            continue
        row.doses.extend(doses_of(ligne, jour, creneau))
    traces = _traces(lignes, jour)
    for row in by_person.values():
        for dose in row.doses:
            dose.trace = traces.get((dose.ligne.pk, dose.prise))
        row.doses.sort(key=lambda d: (d.heure, d.ligne.medicament))
    return [by_person[p.pk] for p in persons]


@dataclass
class NonTracee:
    usager: Usager
    dose: Dose


def non_tracees(
    user: Any,
    etablissement: Etablissement | None,
    jour: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[NonTracee]:
    """Doses of `jour` (default today) whose slot has ended and that nobody traced."""
    if not reads_soins_in(user, etablissement):
        return []
    assert etablissement is not None
    now = now or timezone.now()
    jour = jour or timezone.localdate(now)
    ended = [c for c in CRENEAUX if fin_de_creneau(jour, c, _tz()) <= now]
    if not ended:
        return []
    persons = {p.pk: p for p in personnes(user, etablissement, jour)}
    lignes = lignes_vues(
        LigneMedicament.objects.filter(
            lignes_du_jour_q(jour), usager_id__in=list(persons), si_besoin=False
        )
    )
    traces = _traces(lignes, jour)
    result = []
    for ligne in lignes:
        for c in ended:
            for dose in doses_of(ligne, jour, c):
                if (ligne.pk, dose.prise) not in traces:
                    result.append(NonTracee(persons[ligne.usager_id], dose))
    result.sort(key=lambda n: (n.dose.heure, n.usager.nom_naissance, n.dose.ligne.medicament))
    return result


def creneau_or_current(code: str | None, now: datetime.datetime | None = None) -> Creneau:
    if code and code in PAR_CODE:
        return PAR_CODE[code]
    from dui.soins.creneaux import creneau_courant

    return creneau_courant(timezone.localtime(now or timezone.now()))
