"""Habits of life: the person's tab (every domain) and the edit form of one domain."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from dui.accompagnement import habitudes as services
from dui.accompagnement.forms import HabitudeForm
from dui.accompagnement.models import DomaineHabitude, HabitudeDeVie
from dui.usagers.access import record_context, usager_get_for
from dui.usagers.identite import IdentiteError

TAB = "accompagnement:habitudes"


@login_required
def habitudes(request: HttpRequest, usager_id: int) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    if not services.may_read(request.user, usager):
        raise Http404("Introuvable ou non autorisé.")
    context = record_context(request, usager, tab=TAB)
    return render(
        request,
        "accompagnement/habitudes.html",
        {
            **context,
            "domaines": services.habitudes_by_domain(usager),
            "may_write": services.may_write(request.user, usager) and usager.archive_le is None,
        },
    )


@login_required
def habitude_edit(request: HttpRequest, usager_id: int, domaine: str) -> HttpResponse:
    usager = usager_get_for(request.user, usager_id)
    if domaine not in DomaineHabitude.values or not services.may_write(request.user, usager):
        raise Http404("Introuvable ou non autorisé.")
    current = HabitudeDeVie.objects.filter(usager=usager, domaine=domaine).first()
    initial = {"version": current.version if current else 0}
    if current is not None:
        initial.update({f: getattr(current, f) for f in services.FIELDS})
    form = HabitudeForm(request.POST or None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.habitude_save(
                actor=request.user,
                usager=usager,
                domaine=domaine,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except services.HabitudeConflict as error:
            # Show the saved version; the form now carries its version, so saving again
            # (after reading it) is a deliberate change, not a silent overwrite.
            conflict, current = True, error.current
            data = request.POST.copy()
            data["version"] = str(current.version if current else 0)
            form = HabitudeForm(data)
            form.is_valid()
            form.add_error(None, str(error))
        except (services.HabitudeError, IdentiteError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Habitudes enregistrées.")
            return redirect(TAB, usager.pk)
    context = record_context(request, usager, tab=TAB, details={"domaine": domaine})
    return render(
        request,
        "accompagnement/habitude_form.html",
        {
            **context,
            "form": form,
            "domaine_libelle": DomaineHabitude(domaine).label,
            "current": current,
            "conflict": conflict,
        },
    )


urlpatterns = [
    path("<int:usager_id>/habitudes/", habitudes, name="habitudes"),
    path("<int:usager_id>/habitudes/<slug:domaine>/modifier/", habitude_edit, name="habitude_edit"),
]
