"""Configuration classes, chosen by the PORTAL_ENV environment variable.

Every secret and every connection string comes from the environment. With nothing set, the portal runs on an
embedded SQLite database in ``instance/`` and runs background jobs inline in the web process.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SERVICE_NAME = "London crime prevention funding"
    # Without one set, outside production, a random key is made once and kept in instance/secret_key: never a
    # value published with the code, which would let anyone forge a session cookie.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FROM_INSTANCE = True
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'portal.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Email: "log" writes each message to the application log; "smtp" sends it.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "London crime prevention funding <noreply@example.org>")
    MAIL_TIMEOUT_SECONDS = 20

    # Sign-in protection
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # "10 per minute" means any 60 seconds: a fixed window would let twice that through across a window's end (and
    # would forget a burst that straddles it).
    RATELIMIT_STRATEGY = "moving-window"
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour")
    # When the limits' storage (Redis) cannot be reached, each process keeps counting in its own memory, and says so
    # in the log, rather than refusing everyone; it goes back to the storage when it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    # How many reverse proxies (load balancer, CDN) stand in front of the portal and add X-Forwarded-For. Leave 0
    # when there are none: otherwise anyone could claim any address and dodge the per-address limits.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "5 per minute;20 per hour")
    # Per account: after this many failures in a row, a pause of 1 minute, doubling with each further failure.
    SIGN_IN_FAILURES_BEFORE_PAUSE = int(os.environ.get("SIGN_IN_FAILURES_BEFORE_PAUSE", "5"))
    SIGN_IN_MAX_PAUSE_MINUTES = int(os.environ.get("SIGN_IN_MAX_PAUSE_MINUTES", "15"))

    # Sessions are kept on the server and end after this long unused, or this long after signing in.
    SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("SESSION_IDLE_MINUTES_STAFF", "30"))
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    # Approving awards, moving money and changing roles ask for the second factor again after this long.
    REAUTHENTICATION_MINUTES = int(os.environ.get("REAUTHENTICATION_MINUTES", "10"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    # Flask-Login's remember-me cookie is never set: a session lives only as long as its row on the server.
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    FORCE_HTTPS = False

    EMAIL_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 3
    PASSWORD_RESET_MAX_AGE = 60 * 60 * 2
    INVITATION_MAX_AGE_DAYS = 14

    # Uploads are at most 10 MB; the rest allows for the form around them.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # A drawdown should go from request to payment within this many working days.
    DRAWDOWN_TARGET_WORKING_DAYS = int(os.environ.get("DRAWDOWN_TARGET_WORKING_DAYS", "10"))
    # Days after a quarter ends that a borough's return on each delivery plan project is due.
    LCPF_DAYS_TO_REPORT = int(os.environ.get("LCPF_DAYS_TO_REPORT", "30"))
    # A returns spreadsheet larger than this is checked by a background job while the borough watches its progress;
    # a smaller one is checked while the page waits.
    SPREADSHEET_BACKGROUND_BYTES = int(os.environ.get("SPREADSHEET_BACKGROUND_BYTES", str(256 * 1024)))

    RUN_JOBS_INLINE = REDIS_URL is None
    # An email or report claimed by a worker and not finished this long after was left by a worker that stopped:
    # the scheduler releases it to be done again.
    CLAIM_TIMEOUT_SECONDS = int(os.environ.get("CLAIM_TIMEOUT_SECONDS", "300"))
    # How long a download of someone's personal data can be downloaded before its file is removed.
    YOUR_DATA_DOWNLOAD_DAYS = int(os.environ.get("YOUR_DATA_DOWNLOAD_DAYS", "7"))
    # How long the public directory's figures are kept before they are worked out again.
    PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
    # Whole public pages for visitors without a session (portal/page_cache.py), and how long a reverse proxy or CDN
    # may serve one without asking again.
    PUBLIC_PAGE_CACHE = _flag("PUBLIC_PAGE_CACHE", True)
    PUBLIC_PROXY_SECONDS = int(os.environ.get("PUBLIC_PROXY_SECONDS", "60"))
    # How much of those pages each web process also holds in its own memory, to answer them before Flask routes them.
    PUBLIC_PAGE_MEMORY_MB = int(os.environ.get("PUBLIC_PAGE_MEMORY_MB", "32"))
    # The public form for email alerts of new funding rounds.
    ALERT_SUBSCRIBE_RATE_LIMIT = os.environ.get("ALERT_SUBSCRIBE_RATE_LIMIT", "5 per minute;20 per hour")
    ALERT_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 7
    DEMO_DATA_ALLOWED = True
    # The demo staff accounts' published second-factor secret works everywhere except production, whatever else is set.
    ACCEPT_DEMO_SECOND_FACTOR = True

    # Open data. Grant identifiers are "360G-<prefix>-<award reference>"; register the prefix with 360Giving.
    OPEN_DATA_PREFIX = os.environ.get("OPEN_DATA_PREFIX", "MOPAC")
    # MOPAC is in none of the registers the 360Giving identifier guidance lists (charities, companies, English
    # local authorities), so by default it is identified as the guidance says for an organisation without an
    # official number: the publisher prefix and an internal reference. Set an org-id.guide identifier once agreed.
    OPEN_DATA_FUNDER_ORG_ID = os.environ.get("OPEN_DATA_FUNDER_ORG_ID", f"360G-{OPEN_DATA_PREFIX}-MOPAC")
    OPEN_DATA_FUNDER_NAME = os.environ.get("OPEN_DATA_FUNDER_NAME", "Mayor's Office for Policing and Crime")


class DevelopmentConfig(Config):
    DEBUG = False
    # Links in emails point at the port the portal runs on (``PORT=5201 make run``) unless BASE_URL is set.
    BASE_URL = os.environ.get("BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}").rstrip("/")


class TestingConfig(Config):
    TESTING = True
    # Tests must name their database; the suite's conftest picks SQLite in a temporary folder by default.
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    # Tests send real email through an aiosmtpd server that the suite starts; with none started, sending fails.
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = None
    MAIL_USE_TLS = False
    RATELIMIT_STORAGE_URI = Config.REDIS_URL or "memory://"
    PASSWORD_HASH_FAST = True
    # The suite runs as if behind one reverse proxy, so it can show that clients behind it are told apart.
    PROXY_COUNT = 1


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _flag("FORCE_HTTPS", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    DEMO_DATA_ALLOWED = _flag("DEMO_DATA_ALLOWED", False)
    ACCEPT_DEMO_SECOND_FACTOR = False
    SECRET_KEY_FROM_INSTANCE = False

    @classmethod
    def check(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("PORTAL_ENV", "development")
    try:
        config = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    if hasattr(config, "check"):
        config.check()
    return config
