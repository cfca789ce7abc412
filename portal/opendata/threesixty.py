"""Published awards in the 360Giving Data Standard: a JSON data package and the same grants as a flattened CSV
with 360Giving's column titles. Only approved awards (``portal.directory.published``) are read, and of each only
what is public anyway: title, description, amounts, dates, boroughs, fund and the recipient's name and numbers.
The boroughs' London Crime Prevention Fund allocations and the projects they commission follow
(:mod:`portal.opendata.lcpf_grants`)."""

import json
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from portal import exports
from portal.awards.services import duration_in_months
from portal.directory.published import published_awards
from portal.evaluations.queries import public_by_award
from portal.extensions import db
from portal.models import Award, Evaluation, Organisation
from portal.periods import LONDON
from portal.template_helpers import external_url

SCHEMA_VERSION = "1.4"
OGL_V3 = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# ONS geography codes (360Giving geoCodeType codelist): London boroughs (E09) and regions (E12).
BOROUGH_CODE_TYPE = "LONB"
REGION_CODE_TYPE = "RGN/GOR"
LONDON_REGION = {"name": "London", "geoCode": "E12000007", "geoCodeType": REGION_CODE_TYPE, "countryCode": "GB"}
# locationScope codelist: a pan-London service covers a region; a borough service covers local authorities.
SCOPE_REGION = "GLS040"
SCOPE_LOCAL_AUTHORITY = "GLS050"
SERVICE_AREA_VOCABULARY = "MOPAC service area"


def prefix() -> str:
    return f"360G-{current_app.config['OPEN_DATA_PREFIX']}"


def grant_id(award: Award) -> str:
    # References are letters, digits and hyphens (LCPF-2026-0001); anything else becomes "_", as 360Giving asks.
    return f"{prefix()}-{''.join(c if c.isalnum() or c == '-' else '_' for c in award.reference)}"


def recipient_org_id(organisation: Organisation) -> str:
    """The org-id.guide identifier (GB-CHC, GB-SC, GB-NIC, GB-COH, GB-LAE), or for an organisation with no official
    number the publisher prefix with our own reference, as the 360Giving identifier guidance allows."""
    return organisation.org_id or f"{prefix()}-ORG-{organisation.id}"


def pounds(pence: int) -> int | float:
    """Pence as a JSON number of pounds. Whole pounds are integers; otherwise the float whose shortest form is
    exactly the two-decimal amount (true for any amount under £10 trillion), checked rather than assumed."""
    value = Decimal(pence) / 100
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"{pence} pence cannot be written exactly as a JSON number")
    return number


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def approved_on(award: Award) -> datetime:
    """When the award was finally approved: by the second approver if it needed one."""
    return award.second_approved_at or award.approved_at or award.created_at


def _beneficiary_locations(award: Award) -> list[dict]:
    if award.works_pan_london:
        return [dict(LONDON_REGION)]
    return [
        {"name": la.name, "geoCode": la.gss_code, "geoCodeType": BOROUGH_CODE_TYPE, "countryCode": "GB"}
        for la in award.boroughs
    ]


def _recipient(organisation: Organisation) -> dict:
    recipient = {"id": recipient_org_id(organisation), "name": organisation.name}
    if organisation.charity_number:
        recipient["charityNumber"] = organisation.charity_number
    if organisation.company_number:
        recipient["companyNumber"] = organisation.company_number
    return recipient


def _evaluation_documents(evaluations: Iterable[Evaluation]) -> list[dict[str, Any]]:
    """Published evaluations of the service as 360Giving related documents, each linking to its public page (with
    the findings and the report)."""
    return [
        {
            "id": f"{prefix()}-EVALUATION-{evaluation.id}",
            "title": evaluation.title,
            "description": evaluation.findings,
            "url": external_url("evaluations.evaluation", evaluation_id=evaluation.id),
            "documentType": "Evaluation report",
            "dateModified": iso_utc(evaluation.published_at),
        }
        for evaluation in evaluations
        if evaluation.published_at is not None  # only published evaluations are passed in
    ]


def grant(award: Award, evaluations: Iterable[Evaluation] = ()) -> dict[str, Any]:
    """One award as a 360Giving grant, with its published evaluations as related documents."""
    config = current_app.config
    approved = approved_on(award)
    locations = _beneficiary_locations(award)
    record = {
        "id": grant_id(award),
        "title": award.title,
        "description": award.description,
        "currency": "GBP",
        "amountAwarded": pounds(award.total_pence),
        # The time of an award is never significant in 360Giving; the date is the day in London it was approved.
        "awardDate": approved.astimezone(LONDON).date().isoformat(),
        "plannedDates": [
            {
                "startDate": award.start_date.isoformat(),
                "endDate": award.end_date.isoformat(),
                "duration": duration_in_months(award.start_date, award.end_date),
            }
        ],
        "recipientOrganization": [_recipient(award.organisation)],
        "fundingOrganization": [{"id": config["OPEN_DATA_FUNDER_ORG_ID"], "name": config["OPEN_DATA_FUNDER_NAME"]}],
        "grantProgramme": [{"code": award.fund.code, "title": award.fund.name}],
        # A funded bid answered an open call for bids; a direct award did not.
        "fromOpenCall": "Yes" if award.application_id is not None else "No",
        "dateModified": iso_utc(approved),
    }
    if locations:
        record["beneficiaryLocation"] = locations
        record["locationScope"] = SCOPE_REGION if award.works_pan_london else SCOPE_LOCAL_AUTHORITY
    if award.service_areas:
        record["classifications"] = [
            {"vocabulary": SERVICE_AREA_VOCABULARY, "code": area.value, "title": area.label}
            for area in sorted(award.service_areas, key=lambda a: a.label)
        ]
    if evaluations:
        record["relatedDocument"] = _evaluation_documents(evaluations)
    return record


def award_grants(award_ids: Collection[int] | None = None) -> list[tuple[int, str, dict]]:
    """``(award id, reference, grant)`` for each published award by reference: every one, or those of
    ``award_ids`` (which reads only those awards and their evaluations)."""
    query = published_awards().order_by(Award.reference, Award.id)
    if award_ids is not None:
        query = query.where(Award.id.in_(award_ids))
    awards = db.session.scalars(query).unique()
    evaluations = public_by_award(None if award_ids is None else list(award_ids))
    return [(award.id, award.reference, grant(award, evaluations.get(award.id, ()))) for award in awards]


def published_grants() -> list[dict]:
    return [record for _award_id, _reference, record in award_grants()]


def package(grants: list[dict], generated_at: datetime) -> dict:
    config = current_app.config
    stamp = iso_utc(generated_at)
    return {
        "version": SCHEMA_VERSION,
        "title": f"Grants awarded by the {config['OPEN_DATA_FUNDER_NAME']}",
        "description": (
            "Every approved award for crime prevention, victim services, reducing reoffending and violence "
            "reduction in London, and each borough's London Crime Prevention Fund allocation for the years of its "
            "approved delivery plan with the projects it commissions as regrants, in the 360Giving Data Standard. "
            "Regenerated whenever an award or a delivery plan is approved."
        ),
        "identifier": f"{prefix()}-awards",
        "issued": stamp,
        "modified": stamp,
        "publisher": {"identifier": config["OPEN_DATA_FUNDER_ORG_ID"], "name": config["OPEN_DATA_FUNDER_NAME"]},
        "downloadURL": external_url("opendata.threesixty_json"),
        "accessURL": external_url("opendata.index"),
        "license": OGL_V3,
        "grants": grants,
    }


def package_json(grants: list[dict], generated_at: datetime) -> str:
    return json.dumps(package(grants, generated_at), ensure_ascii=False, indent=2) + "\n"


# An item of the package's "grants" is indented by two levels of two spaces.
ITEM_INDENT = " " * 4
_NO_GRANTS = '\n  "grants": []\n}'


def grant_item_json(record: dict) -> str:
    """A grant as :func:`package_json` writes it among the package's grants, without the comma between grants.
    JSON escapes a line break inside a string, so each line of it is a line of the package."""
    return "\n".join(ITEM_INDENT + line for line in json.dumps(record, ensure_ascii=False, indent=2).split("\n"))


def package_json_of_items(items: list[str], generated_at: datetime) -> str:
    """The same text as :func:`package_json` for the grants written by :func:`grant_item_json`, put together
    without writing any grant again: the package is written with no grants and the items go in their place."""
    if not items:
        return package_json([], generated_at)
    envelope = json.dumps(package([], generated_at), ensure_ascii=False, indent=2)
    if not envelope.endswith(_NO_GRANTS):
        raise ValueError("the package's grants are expected last")
    return envelope[: -len(_NO_GRANTS)] + '\n  "grants": [\n' + ",\n".join(items) + "\n  ]\n}\n"


# The flattened CSV ---------------------------------------------------------------------------------------------

# 360Giving's column titles for the fields each grant has exactly one of (the titles in the grant schema).
SINGLE_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", None),  # written from pence, exactly
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0]["endDate"]),
    ("Planned Dates:Duration (months)", lambda g: g["plannedDates"][0]["duration"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Recipient Org:Charity Number", lambda g: g["recipientOrganization"][0].get("charityNumber", "")),
    ("Recipient Org:Company Number", lambda g: g["recipientOrganization"][0].get("companyNumber", "")),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    ("For Regrant Type", lambda g: g.get("regrantType", "")),
    ("Location Scope", lambda g: g.get("locationScope", "")),
    ("Last Modified", lambda g: g["dateModified"]),
]
# Grants with several boroughs or classifications number them, as 360Giving's spreadsheet guidance describes.
LOCATION_FIELDS = [("Name", "name"), ("Geographic Code", "geoCode"), ("Geographic Code Type", "geoCodeType")]
CLASSIFICATION_FIELDS = [("Vocabulary", "vocabulary"), ("Code", "code"), ("Title", "title")]


def csv_width(record: dict) -> tuple[int, int]:
    """How many beneficiary locations and classifications a grant has: the CSV has columns for as many of each as
    the grant with the most."""
    return len(record.get("beneficiaryLocation", [])), len(record.get("classifications", []))


def csv_columns(grants: list[dict]) -> list[str]:
    widths = [csv_width(g) for g in grants]
    return csv_columns_for(max((w[0] for w in widths), default=0), max((w[1] for w in widths), default=0))


def csv_columns_for(locations: int, classifications: int) -> list[str]:
    return (
        [title for title, _ in SINGLE_COLUMNS]
        + [f"Beneficiary Location:{i}:{title}" for i in range(locations) for title, _ in LOCATION_FIELDS]
        + [f"Classifications:{i}:{title}" for i in range(classifications) for title, _ in CLASSIFICATION_FIELDS]
    )


def _amount_text(amount: int | float) -> str:
    value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
    return f"{value:.2f}" if value != value.to_integral_value() else str(value)


def grants_csv(grants: list[dict]) -> str:
    return exports.csv_dict_text(csv_columns(grants), (_csv_row(g) for g in grants))


def csv_header(columns: list[str]) -> str:
    """The first line of :func:`grants_csv`; each grant's line follows (:func:`csv_row_text`)."""
    return exports.csv_dict_text(columns, ())


def csv_row_text(record: dict, columns: list[str]) -> str:
    """A grant's line of :func:`grants_csv` with these columns."""
    return exports.csv_dict_text(columns, (_csv_row(record),), header=False)


def _csv_row(g: dict) -> dict:
    row = {title: ("" if read is None else read(g)) for title, read in SINGLE_COLUMNS}
    row["Amount Awarded"] = _amount_text(g["amountAwarded"])
    for i, location in enumerate(g.get("beneficiaryLocation", [])):
        row.update({f"Beneficiary Location:{i}:{t}": location[k] for t, k in LOCATION_FIELDS})
    for i, item in enumerate(g.get("classifications", [])):
        row.update({f"Classifications:{i}:{t}": item[k] for t, k in CLASSIFICATION_FIELDS})
    return row
