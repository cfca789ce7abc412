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
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key-change-me")
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
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    FORCE_HTTPS = False

    EMAIL_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 3
    PASSWORD_RESET_MAX_AGE = 60 * 60 * 2
    INVITATION_MAX_AGE_DAYS = 14

    # Uploads are at most 10 MB; the rest allows for the form around them.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # A drawdown should go from request to payment within this many working days.
    DRAWDOWN_TARGET_WORKING_DAYS = int(os.environ.get("DRAWDOWN_TARGET_WORKING_DAYS", "10"))

    RUN_JOBS_INLINE = REDIS_URL is None
    # How long the public directory's figures are kept before they are worked out again.
    PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
    # The public form for email alerts of new funding rounds.
    ALERT_SUBSCRIBE_RATE_LIMIT = os.environ.get("ALERT_SUBSCRIBE_RATE_LIMIT", "5 per minute;20 per hour")
    ALERT_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 7
    DEMO_DATA_ALLOWED = True

    # Open data. Grant identifiers are "360G-<prefix>-<award reference>"; register the prefix with 360Giving.
    OPEN_DATA_PREFIX = os.environ.get("OPEN_DATA_PREFIX", "MOPAC")
    # MOPAC is in none of the registers the 360Giving identifier guidance lists (charities, companies, English
    # local authorities), so by default it is identified as the guidance says for an organisation without an
    # official number: the publisher prefix and an internal reference. Set an org-id.guide identifier once agreed.
    OPEN_DATA_FUNDER_ORG_ID = os.environ.get("OPEN_DATA_FUNDER_ORG_ID", f"360G-{OPEN_DATA_PREFIX}-MOPAC")
    OPEN_DATA_FUNDER_NAME = os.environ.get("OPEN_DATA_FUNDER_NAME", "Mayor's Office for Policing and Crime")


class DevelopmentConfig(Config):
    DEBUG = False


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


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _flag("FORCE_HTTPS", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    DEMO_DATA_ALLOWED = _flag("DEMO_DATA_ALLOWED", False)

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
