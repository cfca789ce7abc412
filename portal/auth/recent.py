"""Re-authentication before money moves or power changes hands.

Put ``@recent_authentication_required()`` under ``@permission_required`` on any view that approves an award, moves
money or changes who may do what::

    @awards.route("/awards/<int:award_id>/approve", methods=["POST"])
    @permission_required(Permission.APPROVE_AWARDS)
    @recent_authentication_required()
    def approve(award_id: int): ...

Unless the person gave their second factor (or their password, if they have none) within the last
``REAUTHENTICATION_MINUTES`` (10 by default), the view does not run: they are sent to a page that asks for it and
then back to the page they came from, where they submit again. Nothing changes until they do. Add a new endpoint
to the list in ``tests/integration/test_recent_authentication.py`` too: the test checks that each one listed
carries the decorator and refuses without a fresh factor.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for

from portal.auth import sessions


def recent_authentication_required() -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not sessions.authenticated_recently():
                flash("For your security, confirm it is you before you continue.", "info")
                return redirect(url_for("auth.confirm_identity", next=_return_to()))
            return view(*args, **kwargs)

        wrapped.__dict__["needs_recent_authentication"] = True
        return wrapped

    return decorator


def _return_to() -> str:
    """Where to come back to: this page for a GET, the page the form was on for a POST."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/"
