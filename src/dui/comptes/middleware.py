"""Second factor before any page, and the current établissement of the session."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dui.comptes import policy

# Pages reachable before the second factor is checked (no personal data there).
_OPEN_PREFIXES = (
    "/connexion/",
    "/deconnexion/",
    "/mot-de-passe/",
    "/static/",
    "/favicon.ico",
    "/sante/",
)


# Where to go once both factors are checked (set by the login page or by this middleware).
NEXT_SESSION_KEY = "comptes_next"


class SecondFactorRequiredMiddleware:
    """A password alone opens nothing: an authenticated session must also be OTP-verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            from django_otp import user_has_device

            target = "comptes:otp" if user_has_device(user) else "comptes:otp_enrol"
            if request.method == "GET" and "HX-Request" not in request.headers:
                request.session.setdefault(NEXT_SESSION_KEY, request.get_full_path())
            return redirect(f"{reverse(target)}")
        return self.get_response(request)


SESSION_KEY = "etablissement_id"


class CurrentEtablissementMiddleware:
    """Sets request.etablissement to the one chosen in the switcher, among the user's own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.etablissement = None  # type: ignore[attr-defined]
        request.etablissement_id = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated and getattr(user, "is_verified", lambda: False)():
            ids = policy.etablissement_ids(user)
            chosen = request.session.get(SESSION_KEY)
            if chosen not in ids:
                chosen = ids[0] if ids else None
                if chosen is not None:
                    request.session[SESSION_KEY] = chosen
            if chosen is not None:
                from dui.structures.models import Etablissement

                request.etablissement = Etablissement.objects.select_related(  # type: ignore[attr-defined]
                    "organisme"
                ).get(pk=chosen)
                request.etablissement_id = chosen  # type: ignore[attr-defined]
        return self.get_response(request)
