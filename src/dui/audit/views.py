"""The DPO's screens on the journal: filtered journal, CSV export, break-glass accesses."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from dui import audit
from dui.audit.forms import JournalFilterForm
from dui.audit.models import AuditAction, Entree
from dui.audit.queries import JournalFilters, Row, iter_rows, journal_entries, labels_for, rows
from dui.comptes import policy

PAGE_SIZE = 50


def _actors(user: Any) -> QuerySet[Any]:
    from dui.comptes.models import User

    ids = policy.journal_etablissement_ids(user)
    return (
        User.objects.filter(affectations__etablissement_id__in=ids)
        .distinct()
        .order_by("nom", "prenom", "pk")
    )


def _parse_filters(request: HttpRequest) -> tuple[JournalFilterForm, JournalFilters | None]:
    """The bound form and its filters, or None when the filters are invalid."""
    form = JournalFilterForm(request.GET, actors=_actors(request.user))
    if not form.is_valid():
        return form, None
    return form, form.filters()


def _before_seq(request: HttpRequest) -> int | None:
    value = request.GET.get("avant", "")
    return int(value) if value.isdigit() else None


def _usager_label(user: Any, filters: JournalFilters | None) -> str:
    """The name of the person the journal is filtered on, if the DPO may see it."""
    from dui.usagers.models import Usager

    if filters is None or filters.usager_id is None:
        return ""
    usager = Usager.objects.visible_to(user).filter(pk=filters.usager_id).first()
    if usager is None:
        return f"Personne n° {filters.usager_id} (hors de votre périmètre)"
    return f"{usager.display_name}, né(e) le {usager.date_naissance:%d/%m/%Y}"


@login_required
def journal(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "journal.view")
    form, filters = _parse_filters(request)
    before = _before_seq(request)
    page: list[Row] = []
    has_more = False
    if filters is not None:
        # Keyset pagination on seq: constant cost at any depth of a journal of millions.
        qs = journal_entries(request.user, filters)
        if before is not None:
            qs = qs.filter(seq__lt=before)
        entries = list(qs[: PAGE_SIZE + 1])
        has_more = len(entries) > PAGE_SIZE
        entries = entries[:PAGE_SIZE]
        page = rows(entries, labels_for(request.user, entries))
        audit.record(
            action=AuditAction.LIST,
            request=request,
            object_type="audit.entree",
            usager_id=filters.usager_id,
            details={
                "filtres": filters.as_details(),
                "avant": before,
                "seqs": [r.entry.seq for r in page],
            },
        )
    return render(
        request,
        "audit/journal.html",
        {
            "form": form,
            "usager_filtre": _usager_label(request.user, filters),
            "rows": page,
            "next_before": page[-1].entry.seq if has_more else None,
            "paginated": before is not None,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting like a formula (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_HEADER = [
    "n°",
    "date et heure",
    "acteur",
    "compte n°",
    "action",
    "objet",
    "personne",
    "personne n°",
    "établissement",
    "adresse IP",
    "accès exceptionnel",
    "motif",
]


def _csv_lines(user: Any, qs: QuerySet[Entree]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for row in iter_rows(user, qs):
        e = row.entry
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    e.seq,
                    timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                    row.actor,
                    e.actor_id,
                    e.get_action_display(),
                    f"{e.object_type} {e.object_id}".strip(),
                    row.usager,
                    e.usager_id,
                    row.etablissement,
                    e.ip,
                    "oui" if e.break_glass else "non",
                    e.reason,
                )
            ]
        )


@login_required
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    policy.require(request.user, "journal.view")
    form, filters = _parse_filters(request)
    if filters is None:
        return render(
            request,
            "audit/journal.html",
            {"form": form, "rows": [], "next_before": None, "paginated": False},
            status=400,
        )
    audit.record(
        action=AuditAction.EXPORT,
        request=request,
        object_type="audit.entree",
        usager_id=filters.usager_id,
        details={"filtres": filters.as_details(), "format": "csv"},
    )
    response = StreamingHttpResponse(
        _csv_lines(request.user, journal_entries(request.user, filters)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    return response


@login_required
def break_glass_list(request: HttpRequest) -> HttpResponse:
    """Break-glass accesses to the persons of the DPO's établissements or by their staff."""
    from dui.comptes.models import AccesExceptionnel
    from dui.usagers.models import Usager

    policy.require(request.user, "journal.view")
    ids = policy.journal_etablissement_ids(request.user)
    qs = (
        AccesExceptionnel.objects.filter(
            Q(usager__prises_en_charge__etablissement_id__in=ids)
            | Q(user__affectations__etablissement_id__in=ids)
        )
        .distinct()
        .select_related("user", "usager")
        .order_by("-ouvert_le", "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    grants = list(page.object_list)
    visible = set(
        Usager.objects.visible_to(request.user)
        .filter(pk__in=[g.usager_id for g in grants])
        .values_list("pk", flat=True)
    )
    audit.record(
        action=AuditAction.LIST,
        request=request,
        object_type="comptes.accesexceptionnel",
        details={"acces_ids": [g.pk for g in grants]},
    )
    now = timezone.now()
    items = [
        {
            "grant": g,
            "usager": g.usager.display_name
            if g.usager_id in visible
            else f"Personne n° {g.usager_id} (hors de votre périmètre)",
            "active": g.expire_le > now,
        }
        for g in grants
    ]
    return render(request, "audit/acces_exceptionnels.html", {"page": page, "items": items})
