"""Checks made on every request once someone is signed in."""

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import sessions

# Where a member of staff without a second factor may still go: setting one up, and signing out.
SET_UP_ENDPOINTS = frozenset({"auth.set_up_second_factor", "auth.new_recovery_codes", "auth.sign_out"})


def require_staff_second_factor() -> Response | None:
    """Staff reach no page but the public ones until they have set up a second factor."""
    if request.endpoint is None or request.endpoint == "static" or request.endpoint in SET_UP_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission_policy", None) == "public":
        return None
    if current_user.is_authenticated and current_user.is_staff and not current_user.has_second_factor:
        return redirect(url_for("auth.set_up_second_factor"))
    return None


def keep_session_alive() -> None:
    if request.endpoint != "static" and current_user.is_authenticated:
        sessions.touch()


def no_store_when_signed_in(response: Response) -> Response:
    """A page for a signed-in person must not be kept by the browser or any cache on the way.

    Judged from the session cookie, not the database: the response is already made, and a database that has gone
    away since must not turn it into an error."""
    if request.endpoint != "static" and session.get("_user_id") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response
