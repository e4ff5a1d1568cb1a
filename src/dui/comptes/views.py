"""Login (password then second factor), enrolment, logout, password reset and "mon compte"."""

from __future__ import annotations

from base64 import b32encode
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import user_has_device
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dui.audit.services import client_ip
from dui.comptes import lockout, services
from dui.comptes.forms import (
    CurrentPasswordForm,
    EnrolForm,
    FrenchPasswordChangeForm,
    FrenchPasswordResetForm,
    FrenchSetPasswordForm,
    LoginForm,
    OtpForm,
)
from dui.comptes.middleware import NEXT_SESSION_KEY
from dui.comptes.models import User

CODES_SESSION_KEY = "comptes_recovery_codes"


def _user(request: HttpRequest) -> User:
    """The logged-in user (views using it are behind login_required)."""
    return cast(User, request.user)


def _is_verified(request: HttpRequest) -> bool:
    """Whether the session passed the second factor (is_verified comes from OTPMiddleware)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _after_login_url(request: HttpRequest) -> str:
    return _safe_next(request, request.session.pop(NEXT_SESSION_KEY, None)) or reverse("ui:home")


def _lock_refusal(request: HttpRequest, email: str, step: str) -> str | None:
    """The French lock message if this e-mail or address is locked (the attempt is journaled)."""
    minutes = lockout.locked_minutes(email, client_ip(request))
    if not minutes:
        return None
    services.connexion_refuse_locked(request=request, email=email, step=step)
    return lockout.locked_message(minutes)


def _locked_now(request: HttpRequest, email: str) -> str:
    minutes = lockout.locked_minutes(email, client_ip(request))
    return lockout.locked_message(minutes or settings.LOCKOUT_WINDOW_MINUTES)


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if _is_verified(request):
        return redirect(next_url or "ui:home")
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        error = _lock_refusal(request, email, "password")
        if error is None:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                if services.connexion_fail(request=request, email=email, step="password"):
                    error = _locked_now(request, email)
                else:
                    error = "Adresse e-mail ou mot de passe incorrect."
            else:
                login(request, user)
                if next_url:
                    request.session[NEXT_SESSION_KEY] = next_url
                return redirect("comptes:otp" if user_has_device(user) else "comptes:otp_enrol")
    return render(request, "comptes/login.html", {"form": form, "error": error, "next": next_url})


def _demo_code(user: User) -> str | None:
    """The current code of the user's demo device, in demo mode only."""
    if not settings.DEMO_MODE:
        return None
    device = TOTPDevice.objects.filter(user=user, name="demo", confirmed=True).first()
    if device is None:
        return None
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code = f"{value:0{device.digits}d}"
    return f"{code[:3]} {code[3:]}"


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if _is_verified(request):
        return redirect(_after_login_url(request))
    if not user_has_device(user):
        return redirect("comptes:otp_enrol")
    form = OtpForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        locked = _lock_refusal(request, user.email, "otp")
        if locked is None:
            device = services.otp_device_verify(user=user, token=form.cleaned_data["code"])
            if device is not None:
                services.connexion_complete(request=request, user=user, device=device)
                return redirect(_after_login_url(request))
            if services.connexion_fail(request=request, email=user.email, step="otp", user=user):
                locked = _locked_now(request, user.email)
            else:
                error = (
                    "Code incorrect ou expiré. Vérifiez l'heure de votre téléphone et réessayez."
                )
        if locked:
            # Locked during the second step: end the half-open session altogether.
            logout(request)
            messages.error(request, locked)
            return redirect("comptes:login")
    return render(
        request, "comptes/otp.html", {"form": form, "error": error, "demo_code": _demo_code(user)}
    )


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code à scanner avec votre application"
    )


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_enrol_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # With a device already, only that device may verify the session: never a new one.
    if user_has_device(user):
        return redirect(_after_login_url(request) if _is_verified(request) else "comptes:otp")
    device = services.totp_device_pending_get(user=user)
    form = EnrolForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        codes = services.totp_device_confirm(
            request=request, user=user, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            request.session[CODES_SESSION_KEY] = codes
            return redirect("comptes:recovery_codes")
        error = "Code incorrect. Vérifiez que l'heure de votre téléphone est juste et réessayez."
    context = {
        "form": form,
        "error": error,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "comptes/otp_enrol.html", context)


@never_cache
@login_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, "Vos codes de secours ne sont affichés qu'une fois.")
        return redirect("comptes:mon_compte")
    shown = [f"{c[:4]}-{c[4:]}" for c in codes]
    next_url = _after_login_url(request)
    return render(request, "comptes/recovery_codes.html", {"codes": shown, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.deconnexion(request=request)
    messages.success(request, "Vous êtes déconnecté(e).")
    return redirect("comptes:login")


@sensitive_post_parameters("old_password", "new_password1", "new_password2", "password")
@never_cache
@login_required
def mon_compte(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    password_form = FrenchPasswordChangeForm(user, request.POST if action == "password" else None)
    reset_form = CurrentPasswordForm(user, request.POST if action == "reset_otp" else None)
    if action == "password" and password_form.is_valid():
        services.mot_de_passe_change(request=request, form=password_form)
        messages.success(request, "Votre mot de passe a été changé.")
        return redirect("comptes:mon_compte")
    if action == "recovery_codes":
        codes = services.codes_secours_regenerate(request=request, user=user)
        request.session[CODES_SESSION_KEY] = codes
        return redirect("comptes:recovery_codes")
    if action == "reset_otp" and reset_form.is_valid():
        services.authentificateur_reset(request=request, user=user)
        messages.success(
            request, "Votre authentificateur a été supprimé : configurez-en un nouveau."
        )
        return redirect("comptes:otp_enrol")
    if action == "logout_all":
        services.sessions_end_all(request=request, user=user)
        messages.success(
            request,
            "Vous avez été déconnecté(e) de tous vos appareils. Reconnectez-vous pour continuer.",
        )
        return redirect("comptes:login")
    context: dict[str, Any] = {
        "password_form": password_form,
        "reset_form": reset_form,
        "codes_restants": StaticToken.objects.filter(device__user=user).count(),
    }
    return render(request, "comptes/mon_compte.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = FrenchPasswordResetForm
    template_name = "comptes/password_reset_form.html"
    email_template_name = "comptes/emails/password_reset.txt"
    subject_template_name = "comptes/emails/password_reset_subject.txt"
    success_url = reverse_lazy("comptes:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Journal only for an existing account; the page says the same thing either way.
        for user in form.get_users(form.cleaned_data["email"]):
            services.mot_de_passe_reset_record(
                request=self.request, user=user, event="password_reset_requested"
            )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = FrenchSetPasswordForm
    template_name = "comptes/password_reset_confirm.html"
    success_url = reverse_lazy("comptes:password_reset_complete")
    post_reset_login = False  # the second factor is still required at the next login

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        services.mot_de_passe_reset_record(
            request=self.request, user=form.user, event="password_reset_done"
        )
        return response


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="comptes/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="comptes/password_reset_complete.html"
)
