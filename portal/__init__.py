"""The London crime prevention funding portal: an application factory made of small steps."""

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from config import BASE_DIR, INSTANCE_DIR, Config, config_from_environment

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(BASE_DIR / "static"),
        static_url_path="/assets",
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config or config_from_environment())
    app.config.update(overrides)
    INSTANCE_DIR.mkdir(exist_ok=True)

    configure_logging(app)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_security(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def configure_logging(app: Flask) -> None:
    import logging

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (every model is known to the metadata before migrations run)
    from portal.extensions import cache, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app, config=cache_config(app))
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from portal.auth.services import load_user_from_session

    login_manager.user_loader(load_user_from_session)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from portal.database import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)


def cache_config(app: Flask) -> dict:
    """Redis when it is configured, so every web process shares one cache; each process's memory otherwise."""
    config = {"CACHE_DEFAULT_TIMEOUT": app.config["PUBLIC_CACHE_SECONDS"], "CACHE_KEY_PREFIX": "portal-cache:"}
    if app.config["REDIS_URL"]:
        return {**config, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    return {**config, "CACHE_TYPE": "SimpleCache"}


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from portal import template_helpers

    template_helpers.register(app)


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import admin
    from portal.agreements.views import agreements
    from portal.applications.views import applications
    from portal.assessment.views import assessment
    from portal.auth.views import auth
    from portal.awards.views import awards
    from portal.boroughs.views import boroughs
    from portal.dashboards.views import dashboards
    from portal.dialogue.views import dialogue
    from portal.directory.views import directory
    from portal.drawdowns.views import drawdowns
    from portal.main.views import main
    from portal.monitoring.views import monitoring
    from portal.opendata.views import api as openreferral_api
    from portal.opendata.views import opendata
    from portal.opportunities.views import opportunities
    from portal.organisations.views import organisations
    from portal.reports.views import reports
    from portal.rounds.views import rounds

    for blueprint in (
        main,
        auth,
        organisations,
        boroughs,
        admin,
        opportunities,
        rounds,
        applications,
        assessment,
        awards,
        monitoring,
        drawdowns,
        opendata,
        openreferral_api,
        dialogue,
        dashboards,
        reports,
        agreements,
        directory,
    ):
        app.register_blueprint(blueprint)


def register_security(app: Flask) -> None:
    from portal.extensions import talisman
    from portal.permissions import enforce_route_permissions

    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        strict_transport_security=app.config["FORCE_HTTPS"],
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    app.before_request(enforce_route_permissions)


def register_error_handlers(app: Flask) -> None:
    from portal.main.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from portal.cli import register

    register(app)
