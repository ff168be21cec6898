"""Settings, read from the environment (django-environ).

Every setting has a safe default for a developer's laptop except the two secrets, which must be
set whenever DEBUG is off. `DATABASE_URL` selects PostgreSQL; the default is an SQLite file in
the project folder.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Development-only fallbacks: refused below when DEBUG is off, so production must set real ones.
_DEV_SECRET_KEY = "dev-only-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
_DEV_UIC_SECRET = "dev-only-uic-secret"  # noqa: S105

SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
# Key of the HMAC that turns a participant's UIC into the stored hash. Changing it breaks
# deduplication against every participant already stored.
UIC_SECRET = env.str("UIC_SECRET", default=_DEV_UIC_SECRET if DEBUG else "")
# Private RSA key (PEM) of the phones' offline queue: what waits on a phone is encrypted with its
# public half. `python -m offline.keys` prints a new one; with DEBUG on and none set, each process
# makes its own (offline/keys.py).
OFFLINE_PRIVATE_KEY = env.str("OFFLINE_PRIVATE_KEY", default="", multiline=True)

if not DEBUG:
    required = ("SECRET_KEY", "UIC_SECRET", "OFFLINE_PRIVATE_KEY")
    missing = [name for name in required if not globals()[name]]
    if missing:
        raise ImproperlyConfigured(
            f"Thiếu biến môi trường {', '.join(missing)} (bắt buộc khi DEBUG tắt). "
            f"Missing environment variable(s) {', '.join(missing)}: required when DEBUG is off."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "bootstrap",
    "accounts",
    "programs",
    "periods",
    "sites",
    "participants",
    "referrals",
    "reports",
    "exchange",
    "offline",
    "privacy",
]
# Developer tooling (`seed_demo`, `bench`, whose build empties the programme tables, and
# `bench_import`): installed with DEBUG on, or when DEV_TOOLS says so (the test settings, the
# benchmarks and the load test on production-like settings); never in production by default.
DEV_TOOLS = env.bool("DEV_TOOLS", default=DEBUG)
if DEV_TOOLS:
    INSTALLED_APPS.append("tooling")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for slow phones (static files come compressed from WhiteNoise). Django's
    # GZipMiddleware pads each response with random bytes against BREACH (Django 4.2+), and
    # the CSRF token is masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pins a user who has just written to the primary for the reports (reports.routing).
    "reports.middleware.ReplicaPinMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "accounts.middleware.DenyByDefaultMiddleware",
    "accounts.twofactor.OTPRequiredMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The reports are analytic queries that run well under a second; PostgreSQL's JIT spent
    # more time compiling them than it saved (measured with `manage.py bench`).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers on one SQLite file: every request writes (the session is saved on
    # each request), so each transaction takes the write lock when it starts (IMMEDIATE) and
    # waits for it, instead of failing with "database is locked" when a read upgrades to a
    # write; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Optional read replica for the reports (reports.routing, README "Reports from a read replica"):
# a PostgreSQL streaming replica of DATABASE_URL's server. Report pages, exports and the
# `indicators` command read from it; writes and every other page stay on the primary.
if env.str("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = env.db("REPORTS_DATABASE_URL")
    if {DATABASES[alias]["ENGINE"] for alias in DATABASES} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "REPORTS_DATABASE_URL phải là bản sao (streaming replica) PostgreSQL của máy chủ "
            "DATABASE_URL, và DATABASE_URL phải là PostgreSQL. "
            "REPORTS_DATABASE_URL must be a PostgreSQL streaming replica of DATABASE_URL's "
            "server, and DATABASE_URL must be PostgreSQL."
        )
    # Only reads, one statement at a time: no transaction per request (it would also connect
    # to the replica on every page) and no long-open snapshot to hold back the replay.
    DATABASES["reports"]["ATOMIC_REQUESTS"] = False
    DATABASES["reports"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # A replica that does not answer is left for the primary after this many seconds.
    DATABASES["reports"]["OPTIONS"].setdefault("connect_timeout", 5)
DATABASE_ROUTERS = ["reports.routing.ReportsRouter"]
# Reports fall back to the primary (and say the figures may be delayed) when the replica is more
# than REPORTS_MAX_LAG_SECONDS behind; its lag is measured at most every
# REPORTS_LAG_CHECK_SECONDS per worker. A user who has just written reads the reports from the
# primary for REPLICA_PIN_SECONDS: at least the two together, so that when the pin ends the
# replica the user is sent to has their write.
REPORTS_MAX_LAG_SECONDS = env.int("REPORTS_MAX_LAG_SECONDS", default=10)
REPORTS_LAG_CHECK_SECONDS = env.int("REPORTS_LAG_CHECK_SECONDS", default=5)
REPLICA_PIN_SECONDS = env.int(
    "REPLICA_PIN_SECONDS", default=REPORTS_MAX_LAG_SECONDS + REPORTS_LAG_CHECK_SECONDS
)
if (
    min(REPORTS_MAX_LAG_SECONDS, REPORTS_LAG_CHECK_SECONDS) < 0
    or REPLICA_PIN_SECONDS < REPORTS_MAX_LAG_SECONDS + REPORTS_LAG_CHECK_SECONDS
):
    raise ImproperlyConfigured(
        "REPORTS_MAX_LAG_SECONDS và REPORTS_LAG_CHECK_SECONDS không được âm, và "
        "REPLICA_PIN_SECONDS phải ít nhất bằng tổng của chúng, nếu không người dùng có thể không "
        "thấy dữ liệu mình vừa lưu. REPORTS_MAX_LAG_SECONDS and REPORTS_LAG_CHECK_SECONDS must "
        "not be negative, and REPLICA_PIN_SECONDS must be at least their sum, or users may not "
        "see what they have just saved."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt for a username+address that is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The live figures' short-lived cache (reports.livecache) must be shared by every worker process:
# by default a file cache on this host; with several hosts, memcached or Redis (CACHE_URL).
CACHES = {
    "default": env.cache(
        "CACHE_URL", default=f"filecache://{Path(tempfile.gettempdir()) / 'pcmd-cache'}"
    )
}
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=60)
# The working memory of the reports' large statements (SET LOCAL, reports.indicators).
REPORT_WORK_MEM = env.str("REPORT_WORK_MEM", default="64MB")

# Argon2id (argon2-cffi), Django's recommended algorithm, with OWASP's parameters
# (accounts/hashers.py): about 30 ms of CPU per sign-in, where PBKDF2 at 1,000,000 iterations and
# Argon2 at Django's defaults took about 0.24 s and queued the server. Hashes made by PBKDF2 or
# with other Argon2 parameters still check, and are rewritten at the user's next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Off: it would also group ids and years in templates ("18.082", "1.995"); counts and money
# are grouped explicitly with the `num` and `vnd` filters (accounts.templatetags.ui).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Tests and `make run` serve static files without running collectstatic first.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): only this site's own files; no inline scripts or
# styles anywhere (templates keep JS in static/js and CSS in static/css). QR codes of the
# two-factor setup page are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for the same username
# from the same address, that pair is locked out for AXES_COOLOFF_TIME after the last failure
# (other users and other addresses can still sign in). A success resets the count.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security_views.lockout"
AXES_COOLOFF_MESSAGE = _(
    "Tài khoản tạm bị khoá vì đăng nhập sai quá nhiều lần. Hãy thử lại sau ít phút hoặc liên "
    "hệ quản trị hệ thống."
)
# Client address for the lock-out key: REMOTE_ADDR, or — behind N trusted reverse proxies —
# the address the outermost proxy saw (see accounts.twofactor.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.twofactor.client_ip"
AXES_USERNAME_CALLABLE = "accounts.twofactor.axes_username"

# Optional TOTP second factor (django-otp) for ministry and administrator accounts.
OTP_TOTP_ISSUER = "PCMD"

# Small counts in published tables can identify people (docs/indicators.md: small-cell suppression).
SUPPRESSION_THRESHOLD = env.int("SUPPRESSION_THRESHOLD", default=5)
# A referral still open after this many days is overdue on the follow-up list.
REFERRAL_OVERDUE_DAYS = env.int("REFERRAL_OVERDUE_DAYS", default=30)

# Data protection (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; privacy/, README "Data
# protection"). A person's records are kept this many years after their last event or their
# withdrawal, whichever is later; then `manage.py erase_expired` erases them.
PARTICIPANT_RETENTION_YEARS = env.int("PARTICIPANT_RETENTION_YEARS", default=5)
# How many days the nightly dumps are kept (README "Backup and restore"): what is erased leaves
# the backups after that. Stated in the impact-assessment dossier.
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=30)
# Harvesting alerts (privacy.harvest): within one hour, an account that opens more participant
# pages, makes more UIC look-ups, fails more look-ups or previews more import rows than these,
# or that exports outside HARVEST_USUAL_HOURS ("start-end", local hours), raises an alert for
# administrators, also mailed to HARVEST_ALERT_EMAILS when set.
HARVEST_MAX_PAGE_VIEWS_PER_HOUR = env.int("HARVEST_MAX_PAGE_VIEWS_PER_HOUR", default=60)
HARVEST_MAX_UIC_LOOKUPS_PER_HOUR = env.int("HARVEST_MAX_UIC_LOOKUPS_PER_HOUR", default=60)
HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR = env.int("HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR", default=10)
HARVEST_MAX_PREVIEW_ROWS_PER_HOUR = env.int("HARVEST_MAX_PREVIEW_ROWS_PER_HOUR", default=5000)
# Volume (README "Harvesting alerts"): look-ups by display code on any form, rows shown on the
# participant-level list pages and rows exported, per account and hour; and, summed over every
# account of one province, participant pages opened plus look-ups, and rows listed plus exported.
HARVEST_MAX_CODE_LOOKUPS_PER_HOUR = env.int("HARVEST_MAX_CODE_LOOKUPS_PER_HOUR", default=60)
HARVEST_MAX_LISTED_ROWS_PER_HOUR = env.int("HARVEST_MAX_LISTED_ROWS_PER_HOUR", default=1000)
HARVEST_MAX_EXPORTED_ROWS_PER_HOUR = env.int("HARVEST_MAX_EXPORTED_ROWS_PER_HOUR", default=2000)
HARVEST_MAX_PROVINCE_VIEWS_PER_HOUR = env.int("HARVEST_MAX_PROVINCE_VIEWS_PER_HOUR", default=150)
HARVEST_MAX_PROVINCE_ROWS_PER_HOUR = env.int("HARVEST_MAX_PROVINCE_ROWS_PER_HOUR", default=5000)
HARVEST_USUAL_HOURS = env.str("HARVEST_USUAL_HOURS", default="6-22")
HARVEST_ALERT_EMAILS = env.list("HARVEST_ALERT_EMAILS", default=[])
_usual = HARVEST_USUAL_HOURS.split("-")
_limits = (
    PARTICIPANT_RETENTION_YEARS,
    BACKUP_RETENTION_DAYS,
    HARVEST_MAX_PAGE_VIEWS_PER_HOUR,
    HARVEST_MAX_UIC_LOOKUPS_PER_HOUR,
    HARVEST_MAX_FAILED_LOOKUPS_PER_HOUR,
    HARVEST_MAX_PREVIEW_ROWS_PER_HOUR,
    HARVEST_MAX_CODE_LOOKUPS_PER_HOUR,
    HARVEST_MAX_LISTED_ROWS_PER_HOUR,
    HARVEST_MAX_EXPORTED_ROWS_PER_HOUR,
    HARVEST_MAX_PROVINCE_VIEWS_PER_HOUR,
    HARVEST_MAX_PROVINCE_ROWS_PER_HOUR,
)
if (
    min(_limits) < 1
    or len(_usual) != 2
    or not all(part.isdigit() for part in _usual)
    or not 0 <= int(_usual[0]) < int(_usual[1]) <= 24
):
    raise ImproperlyConfigured(
        "PARTICIPANT_RETENTION_YEARS, BACKUP_RETENTION_DAYS và các ngưỡng HARVEST_MAX_* phải là "
        "số nguyên dương; HARVEST_USUAL_HOURS có dạng giờ-bắt-đầu-giờ-kết-thúc, ví dụ 6-22. "
        "PARTICIPANT_RETENTION_YEARS, BACKUP_RETENTION_DAYS and the HARVEST_MAX_* thresholds "
        "must be positive integers; HARVEST_USUAL_HOURS is start-end in hours, e.g. 6-22."
    )
HARVEST_USUAL_HOURS = (int(_usual[0]), int(_usual[1]))

# Bulk import (exchange.reader): what one upload, or one folder for `import_exchange`, may
# hold. A file past a limit is refused, with a message, before it costs memory or time.
EXCHANGE_MAX_UPLOAD_MB = env.int("EXCHANGE_MAX_UPLOAD_MB", default=50)
# An import preview waiting for confirmation (exchange.uploads) is refused and deleted after this
# many minutes; `manage.py clearpreviews` (scheduled like clearsessions) deletes the abandoned ones.
EXCHANGE_PREVIEW_MINUTES = env.int("EXCHANGE_PREVIEW_MINUTES", default=30)
if EXCHANGE_PREVIEW_MINUTES < 1:
    raise ImproperlyConfigured(
        "EXCHANGE_PREVIEW_MINUTES phải là số nguyên dương. "
        "EXCHANGE_PREVIEW_MINUTES must be a positive integer."
    )
EXCHANGE_MAX_ROWS_PER_FILE = env.int("EXCHANGE_MAX_ROWS_PER_FILE", default=200_000)
EXCHANGE_MAX_ROWS_PER_UPLOAD = env.int("EXCHANGE_MAX_ROWS_PER_UPLOAD", default=500_000)
EXCHANGE_MAX_CELLS_PER_ROW = env.int("EXCHANGE_MAX_CELLS_PER_ROW", default=50)
EXCHANGE_MAX_MEMBER_MB = env.int("EXCHANGE_MAX_MEMBER_MB", default=100)
EXCHANGE_MAX_UNZIPPED_MB = env.int("EXCHANGE_MAX_UNZIPPED_MB", default=300)
EXCHANGE_MAX_ZIP_RATIO = env.int("EXCHANGE_MAX_ZIP_RATIO", default=100)
# The import reads, checks and writes each file this many rows at a time (exchange.services):
# its memory follows the chunk, not the file.
EXCHANGE_IMPORT_CHUNK = env.int("EXCHANGE_IMPORT_CHUNK", default=2000)
if EXCHANGE_IMPORT_CHUNK < 1:
    raise ImproperlyConfigured(
        "EXCHANGE_IMPORT_CHUNK phải là số nguyên dương. "
        "EXCHANGE_IMPORT_CHUNK must be a positive integer."
    )
# Uploaded files stay in memory (up to EXCHANGE_MAX_UPLOAD_MB), never in a temporary file: an
# import may hold raw UICs, and a worker that dies would leave the file behind.
FILE_UPLOAD_HANDLERS = ["exchange.uploads.MemoryOnlyUploadHandler"]

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request bodies and form values never go to the log: they may hold UIC answers.
        "django.request": {"level": "ERROR", "propagate": True},
    },
}
