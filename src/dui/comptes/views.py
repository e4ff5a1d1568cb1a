"""Login (password then TOTP), enrolment, logout and the user's own account. (stub)"""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST


def login_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")


def otp_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")


def otp_enrol_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("comptes:login")


@login_required
def mon_compte(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")
