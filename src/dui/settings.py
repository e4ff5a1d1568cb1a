"""Settings of dossier-usager, configured by DUI_* environment variables.

Defaults make `make run` work on a fresh machine (SQLite under var/, secrets generated
into var/). In production (DUI_PRODUCTION=1) every secret must be given, by value or by
a *_FILE path, and start-up fails otherwise.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

ROOT_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un entier, reçu {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = env_bool("DUI_PRODUCTION")
VAR_DIR = Path(env_str("DUI_VAR_DIR", str(ROOT_DIR / "var")))


def env_secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE, or generated into var/.

    Generation only happens outside production, so a forgotten secret never silently
    becomes a random one on a real server.
    """
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} (ou {name}_FILE) est obligatoire en production.")
    generated = VAR_DIR / "secrets" / name.lower()
    if not generated.exists():
        generated.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        generated.write_text(secrets.token_urlsafe(50))
        generated.chmod(0o600)
    return generated.read_text().strip()


SECRET_KEY = env_secret("DUI_SECRET_KEY")
# Key of the audit journal's HMAC chain: kept outside the database so that someone who can
# only write to the database cannot recompute a valid chain after tampering.
AUDIT_KEY = env_secret("DUI_AUDIT_KEY")

DEBUG = env_bool("DUI_DEBUG")
# Public address of the site, for links in e-mails sent outside a request (set-up links).
BASE_URL = env_str("DUI_BASE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list("DUI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DUI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "dui.ui",
    "dui.audit",
    "dui.structures",
    "dui.comptes",
    "dui.usagers",
    "dui.soins",
    "dui.interop",
    "dui.accompagnement",
    "dui.projet",
    "dui.dlu",
    "dui.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dui.ui.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dui.comptes.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dui.comptes.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dui.comptes.middleware.CurrentEtablissementMiddleware",
]

ROOT_URLCONF = "dui.urls"
WSGI_APPLICATION = "dui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dui.ui.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite file under var/ by default, any DUI_DATABASE_URL otherwise.
DATABASE_URL = env_str("DUI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'dui.sqlite3'}")
if DATABASE_URL.startswith("sqlite:") and ":memory:" not in DATABASE_URL:
    Path(DATABASE_URL.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DUI_DB_CONN_MAX_AGE", 60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN: the web process and the task worker never
        # deadlock on a read-then-write upgrade, and the audit chain is serialized.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    _db["TEST"] = {"NAME": env_str("DUI_TEST_SQLITE_NAME", "") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("DUI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "comptes.User"
AUTHENTICATION_BACKENDS = ["dui.comptes.backends.EmailBackend"]
LOGIN_URL = "comptes:login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "comptes:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if "PYTEST_VERSION" in os.environ:
    # Argon2 costs ~0.1-1 s per hash by design; the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "dui.comptes.passwords.FrenchCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after DUI_SESSION_IDLE_MINUTES of inactivity: activity renews the session's
# expiry (comptes.middleware.SessionRenewalMiddleware), at most once a minute so that reads
# do not each write the session row.
SESSION_IDLE_MINUTES = env_int("DUI_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEWAL_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DUI_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("DUI_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Lockout: failures within the window lock the account, or the client address.
LOCKOUT_WINDOW_MINUTES = env_int("DUI_LOCKOUT_WINDOW_MINUTES", 15)
LOCKOUT_MAX_FAILURES_ACCOUNT = env_int("DUI_LOCKOUT_MAX_FAILURES_ACCOUNT", 5)
LOCKOUT_MAX_FAILURES_IP = env_int("DUI_LOCKOUT_MAX_FAILURES_IP", 20)
# Behind a reverse proxy, the number of trusted proxies in front of the app (for the IP).
TRUSTED_PROXIES = env_int("DUI_TRUSTED_PROXIES", 0)

OTP_TOTP_ISSUER = env_str("DUI_OTP_ISSUER", "Dossier usager")
BREAK_GLASS_HOURS = env_int("DUI_BREAK_GLASS_HOURS", 4)

# Demo mode shows the demo accounts' second factor; it is never on by default and refuses
# any database that is not the embedded one or clearly a demo database.
DEMO_MODE = env_bool("DUI_DEMO")
if DEMO_MODE:
    _name = str(_db.get("NAME", ""))
    if PRODUCTION or not (
        _db["ENGINE"] == "django.db.backends.sqlite3"
        or _name.endswith("_demo")
        or _name.startswith("test")
    ):
        raise ImproperlyConfigured(
            "Le mode démo (DUI_DEMO) refuse une base de production : utilisez la base "
            "SQLite embarquée ou une base PostgreSQL dont le nom finit par _demo."
        )

# INSi teleservice (interop.md §1.6): URL and the structure's certificate for mutual TLS.
INSI = {
    "URL": env_str("DUI_INSI_URL"),
    "CERT_FILE": env_str("DUI_INSI_CERT_FILE"),
    "KEY_FILE": env_str("DUI_INSI_KEY_FILE"),
    "CA_FILE": env_str("DUI_INSI_CA_FILE"),
    "IDAM": env_str("DUI_INSI_IDAM"),
    "EMETTEUR": env_str("DUI_INSI_EMETTEUR", "dossier-usager"),
    "TIMEOUT_SECONDS": env_int("DUI_INSI_TIMEOUT_SECONDS", 15),
}
INSI_SIMULATOR_REFERENCE = env_str("DUI_INSI_SIMULATOR_REFERENCE")
# Qualified identities are verified again with INSi when their last call is older than this.
INSI_REVERIFY_DAYS = env_int("DUI_INSI_REVERIFY_DAYS", 365)

EMAIL_BACKEND = env_str("DUI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DUI_DEFAULT_FROM_EMAIL", "dossier-usager@localhost")
EMAIL_HOST = env_str("DUI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DUI_EMAIL_PORT", 25)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = env_str("DUI_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DUI_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Hashed, compressed files once `collectstatic` has run (make run); straight from the apps
# otherwise (tests, development), so nothing needs building before a test.
# `collectstatic` itself must use the manifest storage, or staticfiles.json is never written.
_COLLECTING = "collectstatic" in sys.argv
_COLLECTED = ((STATIC_ROOT / "staticfiles.json").exists() or _COLLECTING) and (
    "PYTEST_VERSION" not in os.environ
)
WHITENOISE_USE_FINDERS = not _COLLECTED
if "PYTEST_VERSION" in os.environ:
    # Each test client builds its own middleware chain, and WhiteNoise would index every
    # static file for each one (~50 ms × thousands of tests): look a file up when asked.
    WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# CI-SIS reference files for CDA validation (the official CDA_extended.xsd and, for the
# schematrons, the CI-SIS folder). Empty: ../shared/reference/ci-sis beside the checkout.
# Without the schema no CDA is stored as ready to send (validation fails closed).
CDA_REFERENCE_DIR = env_str("DUI_CDA_REFERENCE_DIR")
CDA_SCHEMA = env_str("DUI_CDA_SCHEMA")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DUI_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each layout step of every PDF at INFO.
    "loggers": {
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
