"""The list of funded services as files: any filtered list from ``/services`` as CSV or JSON, every matching service
(not one page of them), with the filters in the file's name so that two downloads never look the same.

A service's contact details are in the files only once an officer has approved them. Money is in pounds with the
pence (CSV) and in whole pence (JSON); CSV goes through :mod:`portal.exports`, the one safe CSV writer.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import url_for

from portal import exports
from portal.directory import published
from portal.directory.services import (
    Filters,
    ServiceRow,
    _sort_key,
    filtered_awards,
    filtered_projects,
    summarise,
    summarise_projects,
)
from portal.extensions import db
from portal.models import LANGUAGES, ServiceContact
from portal.service_contacts.services import boroughs_named, published_for

HEADINGS = (
    "Reference",
    "Service",
    "Kind",
    "Provider",
    "Fund",
    "Where",
    "Service areas",
    "Total funding (£)",
    "Starts",
    "Ends",
    "Status",
    "Latest rating",
    "Returns overdue",
    "Page",
    "Website",
    "Phone",
    "Email",
    "How to be referred",
    "Who it is for",
    "Ages",
    "Languages",
    "Where it is delivered",
)


@dataclass(frozen=True)
class Listed:
    row: ServiceRow
    contact: ServiceContact | None


def matching(filters: Filters, today: date | None = None) -> list[Listed]:
    """Every service matching the filters, awards and borough projects together, by title."""
    today = today or published.london_today()
    awards = [] if filters.lcpf_boroughs else list(db.session.scalars(filtered_awards(filters, today)))
    projects = filtered_projects(filters, today)
    contacts = published_for([award.id for award in awards])
    rows = [Listed(row, contacts.get(row.id)) for row in summarise(awards, today)]
    rows += [Listed(row, None) for row in summarise_projects(projects, today)]
    return sorted(rows, key=lambda item: _sort_key(item.row.title, int(item.row.project), item.row.id))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def file_name(filters: Filters, extension: str, today: date | None = None) -> str:
    """``funded-services-<filters>-<date>.<extension>``: each filter chosen, in the order of the form."""
    today = today or published.london_today()
    parts = ["funded-services"]
    if filters.postcode:
        parts.append(_slug(filters.postcode))
    if filters.borough:
        parts.append(_slug(filters.borough.name))
    if filters.service_area:
        parts.append(_slug(filters.service_area.label))
    if filters.fund:
        parts.append(_slug(filters.fund.name))
    if filters.lcpf_boroughs:
        parts.append("borough-lcpf-projects")
    if filters.provider:
        parts.append("provider-" + (_slug(filters.provider) or "x"))
    if filters.rating:
        parts.append("rating-" + filters.rating)
    parts.append("running-now" if filters.phase == "current" else _slug(filters.phase))
    parts.append(today.isoformat())
    return "-".join(part for part in parts if part) + "." + extension


def _where(row: ServiceRow) -> str:
    return "London-wide" if row.pan_london else "; ".join(row.boroughs)


def _delivered(contact: ServiceContact) -> str:
    places = [la.name for la in boroughs_named(contact.borough_codes)]
    places += [f"{code} postcode district" for code in contact.postcode_districts]
    return "; ".join(places)


def _page(row: ServiceRow) -> str:
    if row.project:
        return url_for("directory.borough_project", project_id=row.id, _external=True)
    return url_for("directory.service", award_id=row.id, _external=True)


def _pounds(pence: int) -> Decimal:
    return Decimal(pence) / 100


def csv_text(filters: Filters) -> str:
    rows = []
    for item in matching(filters):
        row, contact = item.row, item.contact
        reach = (
            [
                contact.website or "",
                contact.phone or "",
                contact.email or "",
                contact.referral,
                contact.eligibility,
                contact.ages,
                "; ".join(contact.language_names),
                _delivered(contact),
            ]
            if contact
            else [""] * 8
        )
        rows.append(
            [
                row.reference,
                row.title,
                "Borough LCPF project" if row.project else "Award",
                row.provider,
                row.fund,
                _where(row),
                "; ".join(row.service_areas),
                f"{_pounds(row.total_pence):.2f}",
                row.start_date.isoformat(),
                row.end_date.isoformat(),
                row.phase.label,
                row.rating.label if row.rating else "",
                row.overdue_returns,
                _page(row),
                *reach,
            ]
        )
    return exports.csv_text(HEADINGS, rows)


def _contact_json(contact: ServiceContact | None) -> dict | None:
    if contact is None:
        return None
    return {
        "website": contact.website,
        "phone": contact.phone,
        "email": contact.email,
        "how_to_be_referred": contact.referral,
        "who_it_is_for": contact.eligibility,
        "minimum_age": contact.minimum_age,
        "maximum_age": contact.maximum_age,
        "languages": [{"code": code, "name": LANGUAGES[code]} for code in contact.languages if code in LANGUAGES],
        "boroughs": [{"gss_code": la.gss_code, "name": la.name} for la in boroughs_named(contact.borough_codes)],
        "postcode_districts": list(contact.postcode_districts),
    }


def json_document(filters: Filters) -> dict:
    today = published.london_today()
    services = []
    for item in matching(filters, today):
        row = item.row
        services.append(
            {
                "reference": row.reference,
                "name": row.title,
                "kind": "borough_lcpf_project" if row.project else "award",
                "provider": row.provider,
                "fund": row.fund,
                "london_wide": row.pan_london,
                "boroughs": list(row.boroughs),
                "service_areas": list(row.service_areas),
                "total_funding_pence": row.total_pence,
                "start_date": row.start_date.isoformat(),
                "end_date": row.end_date.isoformat(),
                "status": row.phase.value,
                "latest_rating": row.rating.value if row.rating else None,
                "returns_overdue": row.overdue_returns,
                "page": _page(row),
                "contact": _contact_json(item.contact),
            }
        )
    return {
        "title": "Services funded by the Mayor's Office for Policing and Crime",
        "made_on": today.isoformat(),
        "filters": filters.query_args(),
        "count": len(services),
        "services": services,
    }
