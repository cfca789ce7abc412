import logging

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)


def lost_database(error: DBAPIError) -> bool:
    """Whether the database went away (restarted, connection cut), rather than refusing what was asked of it."""
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)


def register(app: Flask) -> None:
    @app.before_request
    def forget_housekeeping_commits() -> None:
        """Registered after every other check, so only what the page itself commits counts as saved: not the
        session's last-seen time, nor jobs handed over to Redis, which every request may commit first."""
        from portal import COMMITTED_IN_REQUEST
        from portal.extensions import db

        db.session.info.pop(COMMITTED_IN_REQUEST, None)

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/413.html"), 413

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/429.html"), 429

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> ResponseReturnValue:
        """A database that goes away for a moment costs a "try again" page, not a bare 500: the transaction was
        rolled back, so nothing from the request was saved. The pool checks connections before use, so the next
        request gets a fresh one without a restart."""
        from portal import COMMITTED_IN_REQUEST
        from portal.extensions import db

        # Whether this request had already saved something before the connection went.
        saved = bool(db.session.info.get(COMMITTED_IN_REQUEST))
        try:
            db.session.rollback()
        except Exception:
            log.warning("rolling back after a lost database connection failed", exc_info=True)
        if not lost_database(error):
            raise error
        log.error("database connection lost: %s", error)
        try:
            page = render_template("errors/503.html", saved=saved)
        except Exception:
            # The header names the signed-in person's areas, which needs the database: without it, show the page
            # as to someone signed out.
            db.session.rollback()
            page = render_template("errors/503.html", saved=saved, current_user=AnonymousUserMixin())
        return page, 503, {"Retry-After": "30"}

    @app.errorhandler(500)
    def server_error(_error: Exception) -> ResponseReturnValue:
        from portal.extensions import db

        db.session.rollback()
        return render_template("errors/500.html"), 500
