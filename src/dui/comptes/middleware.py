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


# Unix time of the last renewal of the session's expiry.
RENEWED_KEY = "comptes_renouvele"


class SessionRenewalMiddleware:
    """Activity keeps a session alive: its expiry is pushed back when the last renewal is
    older than SESSION_RENEWAL_SECONDS. Renewing on every request (SESSION_SAVE_EVERY_REQUEST)
    would make every read write the session row, which serialises reads on SQLite; the idle
    timeout is then exact to within that many seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None:
            from django.conf import settings
            from django.utils import timezone

            now = int(timezone.now().timestamp())
            if now - session.get(RENEWED_KEY, 0) >= settings.SESSION_RENEWAL_SECONDS:
                session[RENEWED_KEY] = now  # marks the session modified: saved, expiry renewed
        return self.get_response(request)


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
                # From the list the page shell shows in the switcher: one query for both.
                current = next((e for e in policy.etablissements(user) if e.pk == chosen), None)
                if current is not None:
                    request.etablissement = current  # type: ignore[attr-defined]
                    request.etablissement_id = chosen  # type: ignore[attr-defined]
        return self.get_response(request)
