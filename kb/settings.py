"""CareerKB settings, read from the environment with embedded defaults.

Every setting a deployment changes is a ``KB_*`` variable (README, "Settings").
A bad value stops start-up with ``ImproperlyConfigured`` naming the variable.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KB_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
SEARCH_BACKENDS = ("whoosh", "postgres", "tantivy")


def env_bool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


_RATE_PERIODS = {"s", "m", "h", "d"}


def env_rates(name: str, default: str) -> list[str]:
    """Comma-separated django-ratelimit rates like ``10/h,30/d``; empty means no limit."""
    rates = env_list(name, default)
    for rate in rates:
        count, _, period = rate.partition("/")
        if not (count.isdigit() and int(count) > 0 and period[-1:] in _RATE_PERIODS):
            raise ImproperlyConfigured(
                f"{name} must be rates like 10/h,30/d (per s, m, h or d); got {rate!r}"
            )
        if period[:-1] and not period[:-1].isdigit():
            raise ImproperlyConfigured(f"{name}: {rate!r} needs a whole number before the unit")
    return rates


def parse_database_url(name: str, url: str) -> dict:
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{name} must start with sqlite:// or postgres://; got {url!r}")
    try:
        config = dj_database_url.parse(url, conn_max_age=0 if scheme == "sqlite" else 60)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {error}") from None
    if scheme == "sqlite":
        config["OPTIONS"] = {
            # WAL lets readers work while one request writes; IMMEDIATE plus a busy
            # timeout makes concurrent writers queue instead of failing with
            # "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": None}  # in-memory test database
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


def parse_cache_url(name: str, url: str) -> dict:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"locmem", ""}:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "careerkb",
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in {"redis", "rediss"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} needs a host, like redis://127.0.0.1:6379/0")
        options = parse_qs(parts.query)
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url.split("?", 1)[0],
            "KEY_PREFIX": options.get("prefix", ["careerkb"])[0],
        }
    raise ImproperlyConfigured(
        f"{name} must start with locmem://, redis:// or dummy://; got {url!r}"
    )


def _dev_secret_key() -> str:
    """A random key made once into var/, so sessions survive restarts without a key in git."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Off unless asked for: a production that forgets the variable must not show tracebacks.
# `make run` and the test suite turn it on (Makefile, pyproject.toml).
DEBUG = env_bool("KB_DEBUG", "0")
SECRET_KEY = os.environ.get("KB_SECRET_KEY", "")
MISSING_SECRET_KEY = (
    "KB_SECRET_KEY must be set when KB_DEBUG=0, the default "
    "(KB_DEBUG=1 is for development, as `make run` sets it)"
)
if not SECRET_KEY:
    # Without a key in production the web server refuses to start (kb/wsgi.py, kb/asgi.py);
    # commands that sign nothing (migrate, makemigrations, check) still run.
    SECRET_KEY = _dev_secret_key() if DEBUG else ""
elif len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("KB_SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env_list("KB_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("KB_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "csp",
    "taggit",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "kb",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it turns a log-in that django-axes refused into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"
ASGI_APPLICATION = "kb.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.context_processors.site",
                "kb.context_processors.inbox",
                "kb.context_processors.review",
                "kb.context_processors.verification",
            ],
        },
    }
]

DATABASES = {
    "default": parse_database_url(
        "KB_DATABASE_URL", os.environ.get("KB_DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": parse_cache_url("KB_CACHE_URL", os.environ.get("KB_CACHE_URL", "locmem://"))}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "kb:home"
LOGOUT_REDIRECT_URL = "kb:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development static files come from the finders; a STATIC_ROOT that does not
# exist yet would only make WhiteNoise warn on every start.
STATIC_ROOT = None if DEBUG else VAR_DIR / "static"
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# -- E-mail (README, "E-mail") -------------------------------------------------------
EMAIL_BACKEND = os.environ.get("KB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("KB_DEFAULT_FROM_EMAIL", "CareerKB <noreply@careerkb.invalid>")
EMAIL_HOST = os.environ.get("KB_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KB_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("KB_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KB_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KB_EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = env_bool("KB_EMAIL_USE_SSL", "0")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set KB_EMAIL_USE_TLS (STARTTLS, port 587) or KB_EMAIL_USE_SSL (port 465), not both"
    )
# A mail server that accepts the connection and then says nothing must not hold a worker.
EMAIL_TIMEOUT = env_int("KB_EMAIL_TIMEOUT", 20)
# Links in e-mails are absolute: the address members reach the site at.
SITE_URL = os.environ.get("KB_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(
        f"KB_SITE_URL must be an http(s) address like https://careerkb.example; got {SITE_URL!r}"
    )
# A failed send is tried again after 1, 2, 4 ... times this, up to this many attempts in all;
# then the sweep (every few minutes in the worker) sends what is still unmailed after
# EMAIL_SWEEP_AFTER_MINUTES, for notifications up to EMAIL_SWEEP_MAX_AGE_DAYS old.
EMAIL_MAX_ATTEMPTS = env_int("KB_EMAIL_MAX_ATTEMPTS", 6)
EMAIL_RETRY_SECONDS = env_int("KB_EMAIL_RETRY_SECONDS", 60)
EMAIL_SWEEP_AFTER_MINUTES = env_int("KB_EMAIL_SWEEP_AFTER_MINUTES", 15)
EMAIL_SWEEP_MAX_AGE_DAYS = env_int("KB_EMAIL_SWEEP_MAX_AGE_DAYS", 7)
# Digests go out at this hour (TIME_ZONE, UTC): daily from then, weekly from Monday then.
DIGEST_HOUR = env_int("KB_DIGEST_HOUR", 7)
if not 0 <= DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"KB_DIGEST_HOUR must be 0 to 23; got {DIGEST_HOUR}")
for _name in ("MAX_ATTEMPTS", "RETRY_SECONDS", "SWEEP_AFTER_MINUTES", "SWEEP_MAX_AGE_DAYS"):
    if globals()[f"EMAIL_{_name}"] < 1:
        raise ImproperlyConfigured(f"KB_EMAIL_{_name} must be 1 or more")

# -- Work outside the request: django-tasks (the backport of Django 6's Tasks) -----------
# "database" keeps the queue in the database (durable, no other server): `manage.py
# run_worker` runs it. "immediate" runs each task at once in the process that enqueued it
# (after the commit, still in the request: for tests and trying things out).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[env_choice("KB_TASKS_BACKEND", "database", tuple(TASK_BACKENDS))],
    }
}

SEARCH_BACKEND = env_choice("KB_SEARCH_BACKEND", "whoosh", SEARCH_BACKENDS)
INDEX_DIR = Path(os.environ.get("KB_INDEX_DIR", VAR_DIR / "index"))

# The semantic layer beside the lexical engine (kb/search/embeddings.py).
SEMANTIC_SEARCH = env_bool("KB_SEMANTIC_SEARCH", "1")
EMBEDDING_MODEL_DIR = Path(
    os.environ.get("KB_EMBEDDING_MODEL_DIR", BASE_DIR / "kb" / "search" / "embedding_model")
)
# ONNX Runtime threads per process: web workers are processes, so one each by default.
EMBEDDING_THREADS = env_int("KB_EMBEDDING_THREADS", 1)
if EMBEDDING_THREADS < 1:
    raise ImproperlyConfigured(f"KB_EMBEDDING_THREADS must be 1 or more; got {EMBEDDING_THREADS}")

# Imports (kb/importers/limits.py): what one file may hold; generous for real threads.
IMPORT_MAX_UPLOAD_BYTES = env_int("KB_IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_DEPTH = env_int("KB_IMPORT_MAX_DEPTH", 500)
IMPORT_MAX_ITEMS = env_int("KB_IMPORT_MAX_ITEMS", 5_000)
IMPORT_MAX_TEXT_CHARS = env_int("KB_IMPORT_MAX_TEXT_CHARS", 100_000)
for _name in ("UPLOAD_BYTES", "DEPTH", "ITEMS", "TEXT_CHARS"):
    if globals()[f"IMPORT_MAX_{_name}"] < 1:
        raise ImproperlyConfigured(f"KB_IMPORT_MAX_{_name} must be 1 or more")

TAGGIT_CASE_INSENSITIVE = True
SITE_NAME = "CareerKB"
PAGE_CACHE_SECONDS = env_int("KB_PAGE_CACHE_SECONDS", 300)

# Content-Security-Policy: no inline script, no third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # Production runs behind a TLS-terminating proxy (README, "Production").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("KB_SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = env_int("KB_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# -- Abuse limits (README, "Rate limits") --------------------------------------------
# Reverse proxies in front of the site that append the client to X-Forwarded-For; 0 means
# clients connect directly and REMOTE_ADDR is theirs. Limits per address need this right.
PROXY_COUNT = env_int("KB_PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"KB_PROXY_COUNT must be 0 or more; got {PROXY_COUNT}")

# Log-in (site and admin): django-axes locks a username from one address out after this many
# failures in a row, for the cool-off period. Its records live in the database, so every
# worker sees them whatever the cache.
AXES_FAILURE_LIMIT = env_int("KB_LOGIN_FAILURE_LIMIT", 5)
_LOGIN_COOLOFF_MINUTES = env_int("KB_LOGIN_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or _LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("KB_LOGIN_FAILURE_LIMIT and KB_LOGIN_COOLOFF_MINUTES must be > 0")
AXES_COOLOFF_TIME = timedelta(minutes=_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Tries during a lock-out neither count nor extend it: the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Only failures matter for the lock-out; a row per successful log-in (address, browser) would
# be personal data kept for nothing.
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_CALLABLE = "kb.ratelimits.login_username"
AXES_CLIENT_IP_CALLABLE = "kb.ratelimits.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_VERBOSE = False

# Everything else: django-ratelimit on the configured cache. Each action allows these rates
# to a new member (or, for sign-ups and resets, to an address); members get
# 1 + reputation // KB_RATE_REPUTATION_STEP times more, at most KB_RATE_MAX_FACTOR times.
RATE_LIMITS = {
    "question": env_rates("KB_RATE_QUESTION", "10/h,30/d"),
    "experience": env_rates("KB_RATE_EXPERIENCE", "5/h,20/d"),
    "answer": env_rates("KB_RATE_ANSWER", "20/h,100/d"),
    "comment": env_rates("KB_RATE_COMMENT", "30/h,200/d"),
    "vote": env_rates("KB_RATE_VOTE", "40/h,200/d"),
    "preview": env_rates("KB_RATE_PREVIEW", "30/m,600/h"),
    "similar": env_rates("KB_RATE_SIMILAR", "30/m,600/h"),
    "search": env_rates("KB_RATE_SEARCH", "60/m,1000/h"),
    "signup": env_rates("KB_RATE_SIGNUP", "10/h,50/d"),
    "password_reset_email": env_rates("KB_RATE_PASSWORD_RESET_EMAIL", "3/h,10/d"),
    "password_reset_ip": env_rates("KB_RATE_PASSWORD_RESET_IP", "10/h,50/d"),
    "flag": env_rates("KB_RATE_FLAG", "10/h,50/d"),
    "verification_email": env_rates("KB_RATE_VERIFICATION_EMAIL", "3/h,10/d"),
    "edit": env_rates("KB_RATE_EDIT", "30/h,200/d"),
    "toggle": env_rates("KB_RATE_TOGGLE", "60/h,400/d"),
}
RATE_REPUTATION_STEP = env_int("KB_RATE_REPUTATION_STEP", 100)
RATE_MAX_FACTOR = env_int("KB_RATE_MAX_FACTOR", 10)
if RATE_REPUTATION_STEP < 1 or RATE_MAX_FACTOR < 1:
    raise ImproperlyConfigured("KB_RATE_REPUTATION_STEP and KB_RATE_MAX_FACTOR must be 1 or more")
RATELIMIT_ENABLE = env_bool("KB_RATELIMIT_ENABLED", "1")
# A cache that is down must not stop people posting: count nothing rather than refuse all.
RATELIMIT_FAIL_OPEN = True
# django_ratelimit is used as a library, not in INSTALLED_APPS: its app only adds system
# checks, and those reject local memory (E003: counts are per process) and do not know
# Django's own Redis backend (W001: it postdates them; its INCR is atomic, all counting
# needs). Local memory is the embedded default and exact with one process (`make run`);
# kb.W001 (kb/checks.py) warns in `check --deploy`, where several workers share no counts.

# Upvotes need a little standing, so accounts made a minute ago cannot vote each other up:
# this much reputation (earned from others), or an account at least this many days old.
VOTE_MIN_REPUTATION = env_int("KB_VOTE_MIN_REPUTATION", 15)
VOTE_MIN_ACCOUNT_DAYS = env_int("KB_VOTE_MIN_ACCOUNT_DAYS", 3)
# Closing a question (duplicate / off-topic) and reopening it: staff, or members with this.
CLOSE_MIN_REPUTATION = env_int("KB_CLOSE_MIN_REPUTATION", 500)
# A question page offers "answers from people at startups" and the like once this many of
# its answers come from members who gave a background.
BACKGROUND_FILTER_MIN_ANSWERS = env_int("KB_BACKGROUND_FILTER_MIN_ANSWERS", 4)
if VOTE_MIN_REPUTATION < 0 or VOTE_MIN_ACCOUNT_DAYS < 0:
    raise ImproperlyConfigured("KB_VOTE_MIN_REPUTATION and KB_VOTE_MIN_ACCOUNT_DAYS must be >= 0")
# Downvotes (answers only) need more: Stack Overflow's 125, so bad advice sinks by the
# judgement of members who have shown some, not by a newcomer's grudge. Staff always may.
DOWNVOTE_MIN_REPUTATION = env_int("KB_DOWNVOTE_MIN_REPUTATION", 125)
if DOWNVOTE_MIN_REPUTATION < 0:
    raise ImproperlyConfigured("KB_DOWNVOTE_MIN_REPUTATION must be >= 0")

# Moderation (kb/moderation.py): a new member's posts wait for review until they verify their
# e-mail; this many open flags hide a post or comment pending review (one from staff does).
UNVERIFIED_POSTS_NEED_REVIEW = env_bool("KB_UNVERIFIED_POSTS_NEED_REVIEW", "1")
FLAGS_TO_HIDE = env_int("KB_FLAGS_TO_HIDE", 3)
if FLAGS_TO_HIDE < 1:
    raise ImproperlyConfigured("KB_FLAGS_TO_HIDE must be 1 or more")
# A verification link works this long.
EMAIL_VERIFICATION_DAYS = env_int("KB_EMAIL_VERIFICATION_DAYS", 7)
# Career advice ages (issue 13): answers and experience posts whose advice date (written,
# or last edited or re-confirmed by their author) is older than this many months say so.
ADVICE_STALE_MONTHS = env_int("KB_ADVICE_STALE_MONTHS", 24)
# This many months after an answer is accepted, the asker is asked once how it went.
OUTCOME_REMINDER_MONTHS = env_int("KB_OUTCOME_REMINDER_MONTHS", 3)
# Marking an answer "Start here for <tag>": staff, or members with this much reputation.
CANONICAL_MIN_REPUTATION = env_int("KB_CANONICAL_MIN_REPUTATION", 1000)
if ADVICE_STALE_MONTHS < 1 or OUTCOME_REMINDER_MONTHS < 1 or CANONICAL_MIN_REPUTATION < 0:
    raise ImproperlyConfigured(
        "KB_ADVICE_STALE_MONTHS and KB_OUTCOME_REMINDER_MONTHS must be 1 or more, "
        "KB_CANONICAL_MIN_REPUTATION 0 or more"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"kb": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
