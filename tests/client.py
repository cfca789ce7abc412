"""A test client that signs in as a user, checks the status and returns the parsed page."""

from bs4 import BeautifulSoup
from flask import g, get_flashed_messages
from flask.ctx import RequestContext
from flask.testing import EnvironBuilder, FlaskClient
from flask_wtf.csrf import generate_csrf

from portal.auth.sessions import SESSION_KEY
from portal.auth.tokens import new_random_token
from portal.database import utcnow
from portal.extensions import db
from portal.models import User, UserSession


def parsed(html: bytes | str) -> BeautifulSoup:
    """A page as the tests read it (lxml: several times faster than the standard library's parser)."""
    return BeautifulSoup(html, "lxml")


class PortalClient(FlaskClient):
    def sign_in(self, user: User) -> "PortalClient":
        """Sign in as ``user`` without going through the form (the sign-in form has tests of its own).

        The server session starts as a real sign-in's does, with every factor given just now.
        """
        token, token_hash = new_random_token()
        now = utcnow()
        db.session.add(
            UserSession(token_hash=token_hash, user_id=user.id, created_at=now, last_seen_at=now, authenticated_at=now)
        )
        db.session.commit()
        with self.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session[SESSION_KEY] = token
        return self

    def sign_out(self) -> None:
        with self.session_transaction() as session:
            session.clear()

    def get_page(self, url: str, expected_status: int = 200) -> BeautifulSoup:
        response = self.get(url)
        assert response.status_code == expected_status, (
            f"GET {url}: expected {expected_status}, got {response.status_code} {response.headers.get('Location', '')}"
        )
        return parsed(response.data)

    def csrf_token(self) -> str:
        """A valid token for this client's session, made as a form's page makes it (Flask-WTF signs a secret it keeps
        in the session, adding one if the session has none) without asking for the page.

        A person posting a form has seen a page first, and any message waiting for the next page (a flashed
        "Success") was shown there, so it is taken off the session here as that page would have done."""
        field = self.application.config["WTF_CSRF_FIELD_NAME"]
        environ = EnvironBuilder(self.application).get_environ()
        with self.session_transaction() as session, RequestContext(self.application, environ, session=session):
            get_flashed_messages()
            g.pop(field, None)  # Flask-WTF keeps the token it made in `g`, which is the test's
            try:
                return generate_csrf()
            finally:
                g.pop(field, None)

    def post_form(self, url: str, data: dict | None = None, expected_status: int = 302, follow: bool = False):
        """POST a form with a valid CSRF token. Returns the response, or the parsed page when it is not a redirect."""
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        response = self.post(url, data=payload, follow_redirects=follow)
        assert response.status_code == expected_status, (
            f"POST {url}: expected {expected_status}, got {response.status_code} "
            f"{response.headers.get('Location', '')}\n{_errors(response)}"
        )
        if response.status_code in (301, 302, 303):
            return response
        return parsed(response.data)


def _errors(response) -> str:
    page = parsed(response.data)
    summary = page.select_one(".govuk-error-summary")
    return summary.get_text(" ", strip=True) if summary else ""


def error_messages(page: BeautifulSoup) -> dict[str, str]:
    """The message shown beside each field, keyed by the field's id."""
    messages = {}
    for message in page.select(".govuk-error-message"):
        group = message.find_parent(class_="govuk-form-group")
        control = group.select_one("input, select, textarea") if group else None
        key = control.get("name") if control else message.get("id", "")
        messages[key] = message.get_text(" ", strip=True).removeprefix("Error:").strip()
    return messages


def summary_errors(page: BeautifulSoup) -> list[str]:
    return [item.get_text(" ", strip=True) for item in page.select(".govuk-error-summary__list li")]
