"""Settings for 优质中小企业梯度培育平台.

One settings module, driven by environment variables (see `.env.example`). The defaults make
`clone → make run` work on SQLite with no Redis; production sets DEBUG=false, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read when present (development); real deployments use the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    # Fail loudly: a production process must never start with a guessable key.
    SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Behind our own reverse proxies (PROXY_COUNT of them, each appending to X-Forwarded-For), the
# client's address is read from that header (portal.accounts.clientip); otherwise the header
# is the client's own writing and is ignored.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("PROXY_COUNT", default=1)
if BEHIND_PROXY and PROXY_COUNT < 1:
    raise ImproperlyConfigured("PROXY_COUNT must be at least 1 when BEHIND_PROXY is true.")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "captcha",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "simple_history",
    # Second factor for the admin (等保 2.0 身份鉴别 d, ASVS 6.3.3): TOTP and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",
    "audit",
    "portal",
    "portal.regions",
    "portal.accounts",
    "messaging",
    "announcements",
    "enterprises",
    "assessment",
    "declarations",
]

MIDDLEWARE = [
    # Every request gets an id (X-Request-ID in and out) that every audit row carries.
    "audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Records each 403/404 a logged-in user receives (等保 安全审计: refused access).
    "audit.middleware.DeniedResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An account's POST renews its cached pages (common/pagecache.py).
    "common.pagecache.PageCacheMiddleware",
    "portal.accounts.middleware.IdleTimeoutMiddleware",
    # Cache-Control: no-store on everything a logged-in user receives.
    "portal.accounts.middleware.PrivateNoStoreMiddleware",
    # Admin accounts: second factor first, then an expired or imposed password is changed.
    "portal.accounts.middleware.StaffSecurityMiddleware",
    # Records who made each change in the enterprise history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                # The header's unread-message count (cached per account).
                "messaging.context_processors.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A restarted PostgreSQL is transparent to the next request instead of one error per
    # stale connection; the check costs no round trip (portal/db/base.py).
    DATABASES["default"]["ENGINE"] = "portal.db"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A Redis outage degrades to cache misses instead of 500s.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Without a broker the product still runs whole: tasks execute in-process.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
# A job whose worker died before acknowledging it goes back to the queue after this many
# seconds (acks_late): longer than the longest job, short enough to retry the same day.
# A request that queues a task while Redis is down gives up after one quick retry
# (common.jobs.enqueue says 稍后重试) instead of kombu's default 6 s of retries; workers keep
# their own reconnect loop (broker_connection_max_retries).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Sessions survive a Redis restart (database-backed, cache in front).
# Enterprise pages kept rendered per account until something they show changes (at most this
# long; 0 turns it off): common/pagecache.py. On only with Redis: the versions that retire a
# page must be seen by every process, and a local-memory cache is one process's own.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=120 if REDIS_URL else 0)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# 等保 2.0 身份鉴别 b): a session ends after 30 minutes without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Saved when changed only: the idle clock writes it at most once a minute (accounts/middleware.py).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# 等保 2.0 访问控制 c): an official's or operator's account unused for longer is deactivated
# by the calendar (accounts.services.inactive_accounts_disable).
INACTIVE_ACCOUNT_DAYS = env.int("INACTIVE_ACCOUNT_DAYS", default=90)

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "portal.accounts.backends.IdentifierBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "enterprise_home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # 账号找回: a reset link is valid for one hour.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0 三级 身份鉴别 a): complexity (3 of 4 character classes).
    {"NAME": "portal.accounts.validators.CharacterClassValidator"},
    # The last PASSWORD_HISTORY_COUNT passwords may not be used again (their hashes only).
    {"NAME": "portal.accounts.validators.PasswordHistoryValidator"},
]
# Admin accounts (officials and the three operator roles) change their password every
# PASSWORD_MAX_AGE_DAYS, counted in Beijing calendar days (等保 2.0 身份鉴别 a: 定期更换).
PASSWORD_MAX_AGE_DAYS = 90
PASSWORD_HISTORY_COUNT = 5

# Second factor (django-otp). The issuer names the account in the authenticator app. django-otp's
# own throttle (a growing delay after each failure) is off: second-factor failures lock the
# same way as password failures (portal/accounts/two_factor.py: 5 in 15 minutes lock for 30),
# one rule a user can be told about instead of a silent refusal of a correct code.
OTP_TOTP_ISSUER = "优质中小企业梯度培育平台"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_BACKUP_CODES = 10

# Login lockout (rules and reasons in portal/accounts/lockout.py): failures counted in a sliding
# 15-minute window; 5 lock the (account, address) pair, 5 from 3 distinct addresses lock the
# account, 20 across accounts lock the address; a lock lasts 30 minutes.
AXES_HANDLER = "portal.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_ACCOUNT_LOCK_ADDRESSES = 3
LOGIN_IP_FAILURE_LIMIT = 20
# axes' own access records (shown in the admin, reset on success) per pair.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused without being counted, so they never extend the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "portal.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.lockout"
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "portal.accounts.clientip.client_ip"
AXES_VERBOSE = False

# django-ratelimit keys "ip" on the same client address as the lockout.
RATELIMIT_IP_META_KEY = "portal.accounts.clientip.client_ip"
# With Redis down the counters cannot be read: the limited forms (registration, phone change,
# recovery, 企业认定查询) still answer instead of saying 过于频繁 to everyone; the captcha, kept
# in the database, still guards each of them (bench/faults.py redis, tests/portal/test_cache_down.py).
RATELIMIT_FAIL_OPEN = True

# django-simple-captcha
CAPTCHA_LENGTH = 4
# Captchas come from a pool made ahead (portal/accounts/captchas.py), so a page view writes
# nothing: a pooled captcha lives 20 minutes and is shown only while 10 remain; the pool is
# topped up to CAPTCHA_POOL_SIZE every 5 minutes. Single use: the first attempt deletes it.
CAPTCHA_TIMEOUT = 20  # minutes from its creation
CAPTCHA_GET_FROM_POOL = True  # the library's own refresh view picks from the pool too
CAPTCHA_GET_FROM_POOL_TIMEOUT = 10  # minutes a shown captcha has left at least
CAPTCHA_POOL_SIZE = env.int("CAPTCHA_POOL_SIZE", default=500)


# --- Switches for scanning a development server (.ci/sqlmap.sh); refused without DEBUG --------
def debug_only_switch(var: str) -> bool:
    """A boolean from the environment that may only be on in development: production must
    never run with the captcha answered "PASSED" or without the lockout and rate limits."""
    value = env.bool(var, default=False)
    if value and not DEBUG:
        raise ImproperlyConfigured(f"{var} is for development servers only (it needs DEBUG=true).")
    return value


# Every captcha accepts the answer "PASSED".
CAPTCHA_TEST_MODE = debug_only_switch("CAPTCHA_TEST_MODE")
# No login lockout and no rate limits, so a scanner's thousands of requests reach the queries.
if debug_only_switch("SCAN_WITHOUT_LIMITS"):
    AXES_ENABLED = False
    RATELIMIT_ENABLE = False

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Overrides of Django's own zh-hans texts that say 你 (the product says 您).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by `npm ci` from package-lock.json; served locally, never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    # Uploads are written whole or not at all (a full disk leaves no half file).
    "default": {"BACKEND": "common.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


def positive_int(var: str, *, default: int) -> int:
    value = env.int(var, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{var} must be a positive whole number, not {value}")
    return value


# Zip uploads (common.uploads.validate_zip): at most this many entries, this many bytes once
# unpacked, and no entry above the floor that expands more than RATIO times (a zip bomb).
ZIP_MAX_ENTRIES = positive_int("ZIP_MAX_ENTRIES", default=200)
ZIP_MAX_TOTAL_BYTES = positive_int("ZIP_MAX_TOTAL_MB", default=200) * 1024 * 1024
ZIP_MAX_RATIO = positive_int("ZIP_MAX_RATIO", default=100)
ZIP_RATIO_FLOOR_BYTES = positive_int("ZIP_RATIO_FLOOR_MB", default=1) * 1024 * 1024

# A declaration's evidence (佐证材料, declarations.services.evidence_add): the size of one file,
# and the total size and number of files one declaration may hold.
DECLARATION_EVIDENCE_MAX_FILE_BYTES = positive_int("DECLARATION_EVIDENCE_MAX_FILE_MB",
                                                   default=20) * 1024 * 1024
DECLARATION_EVIDENCE_MAX_TOTAL_BYTES = positive_int("DECLARATION_EVIDENCE_MAX_TOTAL_MB",
                                                    default=100) * 1024 * 1024
DECLARATION_EVIDENCE_MAX_FILES = positive_int("DECLARATION_EVIDENCE_MAX_FILES", default=50)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail and SMS ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@zxqy.example.cn")
# The database backend records every SMS (development and tests); production names a
# provider class implementing portal.accounts.sms.BaseSmsBackend.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.accounts.sms.DatabaseSmsBackend")

# --- Security headers ------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Product settings ---------------------------------------------------------------------------
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where the 用户服务协议 and 个人信息保护声明 pages tell users to write.
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="service@zxqy.example.cn")
# 邮箱核验 code for phone change: valid 10 minutes, 5 tries.
EMAIL_CODE_TTL = timedelta(minutes=10)
EMAIL_CODE_MAX_TRIES = 5
# Codes for an account's sensitive actions (changing the password or the login e-mail): the
# same 10 minutes and 5 tries; at most SENSITIVE_CODE_HOURLY codes an hour per account.
SENSITIVE_CODE_HOURLY = 5
# 人工核验 authorisation letter: size limit in bytes.
AUTH_LETTER_MAX_BYTES = 5 * 1024 * 1024

# --- Personal data at rest (common/crypto.py) ----------------------------------------------------
# 身份证号 and 手机号 are stored AES-256-GCM encrypted. FIELD_ENCRYPTION_KEYS: URL-safe base64 of
# 32 random bytes each, comma-separated; the first encrypts, any decrypts (rotation: put a new
# key first, run `manage.py rotate_field_keys`, then drop the old one). FIELD_HASH_KEY: the key
# of the keyed hash used for uniqueness and login lookup; never rotated without rehashing.
# Development and tests fall back to fixed keys; production refuses to start without its own
# (and the system checks common.E010–E014 refuse bad keys, and the development keys in production).
if DEBUG:
    from common.crypto import DEV_ENCRYPTION_KEY, DEV_HASH_KEY

    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_ENCRYPTION_KEY])
    FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default=DEV_HASH_KEY)
else:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
    FIELD_HASH_KEY = env.str("FIELD_HASH_KEY")

# --- Persistent SQLite connections ------------------------------------------------------------
# SQLite keeps its connection across requests too (PostgreSQL does above): opening one costs
# about as much as serving the cached home page (bench/README.md). Safe with gunicorn's sync
# workers and runserver's threads (one connection per thread).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
