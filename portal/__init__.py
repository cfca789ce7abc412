"""The London crime prevention funding portal: an application factory made of small steps."""

from pathlib import Path
from typing import Any

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


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(BASE_DIR / "static"),
        static_url_path="/assets",
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    from portal.text_input import PortalRequest

    app.request_class = PortalRequest
    app.config.from_object(config or config_from_environment())
    app.config.update(overrides)
    INSTANCE_DIR.mkdir(exist_ok=True)
    configure_secret_key(app)
    configure_logging(app)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_security(app)
    register_jobs(app)
    register_error_handlers(app)
    register_cli(app)
    register_wsgi_layers(app)
    return app


def register_wsgi_layers(app: Flask) -> None:
    """What stands in front of Flask, innermost first: kept public pages answered from this process's memory
    (portal.page_front), then the proxies' forwarded headers read, so the layer sees each request as Flask does."""
    from portal import page_front

    page_front.install(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        # Flask documents wrapping wsgi_app like this; its types declare wsgi_app a method, so mypy refuses it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def configure_secret_key(app: Flask) -> None:
    """Outside production, a key made at random on first start and kept in ``instance/`` when none is set."""
    if app.config["SECRET_KEY"]:
        return
    if not app.config["SECRET_KEY_FROM_INSTANCE"]:
        raise RuntimeError("SECRET_KEY must be set in production")
    app.config["SECRET_KEY"] = kept_secret_key(INSTANCE_DIR / "secret_key")


def kept_secret_key(path: Path) -> str:
    """The key kept at ``path``, made at random and kept there first if there is none."""
    import os
    import secrets
    import tempfile

    if not path.exists():
        # Written whole to a private file first and then linked into place, which either succeeds or finds a key
        # already there: a second process starting at the same moment reads the first's key, never an empty file.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def configure_logging(app: Flask) -> None:
    import logging

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (every model is known to the metadata before migrations run)
    from portal.extensions import cache, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    register_session_end(app)
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


# Set on the session when the page asked for has committed anything: a lost connection after that cannot say nothing
# was saved. Cleared by the last check before each page (portal.main.errors), so housekeeping does not count.
COMMITTED_IN_REQUEST = "portal_committed_in_request"


def register_session_end(app: Flask) -> None:
    """End each request's database session without letting a lost connection turn a page already made into a 500.

    The session's closing ROLLBACK goes to the database after the response is ready; if the database cut the
    connection in the meantime (a restart, a failover), that ROLLBACK fails although nothing is left to undo. The
    connection is dropped from the pool instead, and the person gets the page. Registered after Flask-SQLAlchemy, so
    it runs first and leaves it nothing to do."""
    import contextlib
    import logging

    import sqlalchemy as sa
    from sqlalchemy.exc import DBAPIError

    from portal.extensions import db
    from portal.main.errors import lost_database

    @sa.event.listens_for(db.session, "after_commit")
    def note_commit(session: sa.orm.Session) -> None:
        session.info[COMMITTED_IN_REQUEST] = True

    @app.teardown_appcontext
    def end_session(_error: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            if not lost_database(error):
                raise
            logging.getLogger(__name__).warning("database connection lost as a request ended: %s", error)
            with contextlib.suppress(DBAPIError):
                db.session.registry().invalidate()  # give the connection back to the pool as unusable
            db.session.registry.clear()


def cache_config(app: Flask) -> dict[str, Any]:
    """Redis when it is configured, so every web process shares one cache; each process's memory otherwise."""
    config = {"CACHE_DEFAULT_TIMEOUT": app.config["PUBLIC_CACHE_SECONDS"], "CACHE_KEY_PREFIX": "portal-cache:"}
    if app.config["REDIS_URL"]:
        # Read through portal.caching, which treats a cache that does not answer within these seconds as a miss.
        options = {"socket_connect_timeout": 1, "socket_timeout": 1}
        redis = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"], "CACHE_OPTIONS": options}
        return {**config, **redis}
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
    from portal.boroughs.plan_views import plans
    from portal.boroughs.views import boroughs
    from portal.dashboards.views import dashboards
    from portal.dialogue.views import dialogue
    from portal.directory.views import directory
    from portal.drawdowns.views import drawdowns
    from portal.evaluations.views import evaluations
    from portal.lcpf.consultation_views import lcpf_consultation
    from portal.lcpf.staff_views import lcpf_staff
    from portal.lcpf.views import lcpf
    from portal.main.views import main
    from portal.monitoring.views import monitoring
    from portal.opendata.views import api as openreferral_api
    from portal.opendata.views import opendata
    from portal.opportunities.views import opportunities
    from portal.organisations.views import organisations
    from portal.outcomes.views import outcomes
    from portal.privacy.views import privacy
    from portal.reports.views import reports
    from portal.rounds.views import rounds
    from portal.service_contacts.views import service_contacts
    from portal.value.public_views import value
    from portal.value.views import value_staff
    from portal.your_data.views import your_data

    for blueprint in (
        main,
        auth,
        organisations,
        boroughs,
        plans,
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
        lcpf,
        lcpf_staff,
        lcpf_consultation,
        privacy,
        value,
        value_staff,
        evaluations,
        service_contacts,
        your_data,
        outcomes,
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
    from portal.text_input import refuse_unstorable_paths

    app.before_request(enforce_route_permissions)
    app.before_request(refuse_unstorable_paths)

    from portal.auth import guards

    app.before_request(guards.keep_session_alive)
    app.before_request(guards.require_staff_second_factor)
    app.after_request(guards.no_store_when_signed_in)

    from portal import page_cache

    page_cache.init_app(app)  # after the checks above, so a kept page is served only where they let it be


def register_jobs(app: Flask) -> None:
    """Jobs kept while Redis was unreachable are handed over by the next request once it answers again."""
    from portal.jobs import hand_over_waiting_now_and_then

    app.before_request(hand_over_waiting_now_and_then)


def register_error_handlers(app: Flask) -> None:
    from portal.main.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from portal.cli import register

    register(app)
