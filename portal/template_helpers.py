"""Filters and globals for templates, and links for emails."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, has_request_context, url_for

from portal.agreements.layout import agreement_blocks
from portal.periods import LONDON


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, built on the configured ``BASE_URL``."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        # Command-line tasks (``flask staff create``) and jobs have no request for ``url_for`` to build on.
        adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
        path = adapter.build(endpoint, values)
    base_url: str = current_app.config["BASE_URL"]
    return base_url + path


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON) if value.tzinfo else value.replace(tzinfo=UTC).astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


def format_pence(pence: int | None) -> str:
    """``123456`` → ``£1,234.56``; whole pounds drop the pence."""
    if pence is None:
        return ""
    pounds = Decimal(pence) / 100
    sign = "-" if pounds < 0 else ""
    pounds = abs(pounds)
    if pounds == pounds.to_integral_value():
        return f"{sign}£{pounds:,.0f}"
    return f"{sign}£{pounds:,.2f}"


def register(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["pence"] = format_pence
    app.jinja_env.filters["agreement_blocks"] = agreement_blocks

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from portal.permissions import Permission, can, has_permission

        return {
            "service_name": app.config["SERVICE_NAME"],
            "Permission": Permission,
            "can": can,
            "has_permission": has_permission,
        }
