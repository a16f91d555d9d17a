"""Django settings for kkot. Environment is read only in :mod:`kkot.config`."""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kkot.config import CONFIG, SRC_DIR

VAR_DIR = CONFIG.var_dir
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files (offline /api/docs), not from a CDN
    "django_tasks",
    "huey.contrib.djhuey",
    "kkot.core",
    "kkot.accounts",
    "kkot.stores",
    "kkot.catalog",
    "kkot.search",
    "kkot.events",
    "kkot.assist",
    "kkot.inventory",
    "kkot.orders",
    "kkot.fulfillment",
    "kkot.reviews",
    "kkot.recommendations",
    "kkot.advisor",
    "kkot.storefront",
    "kkot.sellercenter",
    "kkot.api",
    "kkot.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kkot.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kkot.core.middleware.KoreanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kkot.urls"
WSGI_APPLICATION = "kkot.wsgi.application"
ASGI_APPLICATION = "kkot.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kkot.core.context_processors.kkot",
            ],
        },
    }
]

if CONFIG.database_url:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "kkot.sqlite3",
            "CONN_MAX_AGE": 600,  # reuse the connection (and its PRAGMAs) across requests
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL + a busy timeout so the web process and the task worker can share the file.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = CONFIG.language
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve app static files straight from the apps (no collectstatic step on a laptop); production runs
# `kkot manage collectstatic` and whitenoise serves the hashed copies.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = CONFIG.media_url_base
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: Django refuses bodies above this before any view runs; kkot.core.uploads validates files further.
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KKOT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
KKOT_MAX_IMAGE_PIXELS = 40_000_000
KKOT_MAX_SHEET_BYTES = 30 * 1024 * 1024
KKOT_MAX_REQUEST_BYTES = 50 * 1024 * 1024  # a 60 MB upload is refused with 413 before it is read
KKOT_PLATFORM_FEE_RATE = CONFIG.platform_fee_rate

# Orders and payments
KKOT_PAYMENT_PROVIDERS = [
    "kkot.orders.payments.test_card.TestCardProvider",
    "kkot.orders.payments.bank_transfer.BankTransferProvider",
]
KKOT_PAYMENT_WEBHOOK_SECRET = CONFIG.payment_webhook_secret
KKOT_PAYMENT_PENDING_MINUTES = 30  # a card payment with no answer holds its stock this long
KKOT_DEPOSIT_HOURS = 48  # 무통장입금 deadline
KKOT_AUTO_CONFIRM_DAYS = 7
KKOT_SETTLEMENT_DAYS = 2  # paid out this many days after purchase confirmation

# Fulfillment
KKOT_CARRIER_WEBHOOK_SECRET = CONFIG.carrier_webhook_secret
KKOT_ADULT_DETECTOR = CONFIG.adult_detector
KKOT_TEXT_DETECTOR = CONFIG.text_detector
KKOT_SITE_URL = CONFIG.site_url
KKOT_SHIPMENT_DELAY_HOURS = 48  # a parcel that has not moved this long raises a seller alert

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CONFIG.redis_url}
        if CONFIG.redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kkot",
              "OPTIONS": {"MAX_ENTRIES": 20000}}
    )
}

# Background work: the standard tasks API (django-tasks) executed by huey.
# Laptop: SQLite-backed huey queue in var/ and a worker thread started by `kkot serve`.
# Scale-out: KKOT_REDIS_URL -> Redis queue, run `kkot manage run_huey` on any number of hosts.
if CONFIG.redis_url:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kkot",
        "url": CONFIG.redis_url,
        "immediate": CONFIG.tasks_immediate,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kkot",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": CONFIG.tasks_immediate,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
TASKS = {
    "default": {
        "BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend",
        "OPTIONS": {"enqueue_on_commit": True},
    }
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "kkot <no-reply@kkot.local>"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
CSRF_FAILURE_VIEW = "kkot.core.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"kkot": {"handlers": ["console"], "level": "INFO"}},
}
