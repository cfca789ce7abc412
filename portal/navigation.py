"""Where people go: their home page after signing in, and safe redirects."""

from urllib.parse import urlsplit

from flask import url_for

from portal.models import User


def home_for(user: User) -> str:
    if not user.email_confirmed:
        return url_for("auth.email_unconfirmed")
    if user.is_staff:
        return url_for("admin.dashboard")
    if len(user.memberships) == 1:
        return url_for("organisations.overview", organisation_id=user.memberships[0].organisation_id)
    return url_for("organisations.choose")


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: never another host, a scheme, or a protocol-relative ``//`` URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
