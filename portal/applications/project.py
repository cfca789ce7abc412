"""The project, where it works and how much it asks for in each financial year: one bid for many boroughs."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.applications.drafts import ensure_editable, snapshot_fingerprint
from portal.applications.questions import word_count
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Application, ApplicationYear, FormVariant, LocalAuthority, Round, ServiceArea, User
from portal.models.funding import TARGET_MINIMUM_DURATION_MONTHS
from portal.periods import financial_year_bounds, financial_year_label, financial_years_between
from portal.template_helpers import format_date, format_datetime, format_pence

SUMMARY_WORD_LIMIT = 150
# How long after the expected decision a project may start: later than this and the need may have changed.
LATEST_START_AFTER_DECISION_DAYS = 365


@dataclass(frozen=True)
class FinancialYear:
    start_year: int
    label: str
    first_day: date
    last_day: date

    @property
    def field_name(self) -> str:
        return f"amount_{self.start_year}"

    @property
    def is_whole_year(self) -> bool:
        return (self.first_day, self.last_day) == financial_year_bounds(self.start_year)

    @property
    def period(self) -> str:
        return f"{format_date(self.first_day)} to {format_date(self.last_day)}"


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # The same day of the month, or the month's last day when it is shorter (31 January + 1 month = 28 February).
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def project_end(start: date, duration_months: int) -> date:
    return add_months(start, duration_months) - timedelta(days=1)


def financial_years(start: date | None, duration_months: int | None) -> list[FinancialYear]:
    """The financial years (April to March) that a project starting on ``start`` for ``duration_months`` touches."""
    if start is None or not duration_months or duration_months < 1 or duration_months > 240:
        return []
    end = project_end(start, duration_months)
    years = []
    for start_year in financial_years_between(start, end):
        first, last = financial_year_bounds(start_year)
        years.append(FinancialYear(start_year, financial_year_label(start_year), max(first, start), min(last, end)))
    return years


def application_years(application: Application) -> list[FinancialYear]:
    return financial_years(application.start_date, application.duration_months)


def whole_financial_year(start_year: int) -> FinancialYear:
    first, last = financial_year_bounds(start_year)
    return FinancialYear(start_year, financial_year_label(start_year), first, last)


def years_on_page(application: Application, posted_names: Iterable[str]) -> list[FinancialYear]:
    """The years the project page asks amounts for: those the saved dates give, and any the page sent back
    (from dates typed before), so that nothing typed is dropped."""
    years = {year.start_year: year for year in application_years(application)}
    for name in posted_names:
        start_year = name.removeprefix("amount_")
        if name.startswith("amount_") and start_year.isdecimal() and 2000 <= int(start_year) <= 2100:
            years.setdefault(int(start_year), whole_financial_year(int(start_year)))
    return [years[start_year] for start_year in sorted(years)]


def earliest_start(round_: Round) -> date:
    return round_.closes_at.date()


def latest_start(round_: Round) -> date:
    return round_.decision_expected_on + timedelta(days=LATEST_START_AFTER_DECISION_DAYS)


def duration_warning(application: Application) -> str | None:
    """For the task list, a word about MOPAC's target length, only for a project shorter than the round allows: a
    length the round allows needs no warning, however short. The project page says it once, in the hint."""
    months = application.duration_months
    if not months or months >= TARGET_MINIMUM_DURATION_MONTHS or months >= application.round.min_duration_months:
        return None
    return (
        "Services funded for 3 to 4 years (36 to 48 months) have time to make a difference, so we welcome bids "
        "of that length."
    )


def form_variant_explanation(application: Application) -> str:
    """Which form the bid gets, and why, in a sentence."""
    threshold = format_pence(application.round.small_bid_threshold_pence)
    total = application.total_requested_pence
    if total == 0:
        return (
            f"Bids of {threshold} or less get a shorter form. Tell us how much you are asking for in "
            "“Project, boroughs and funding” and we will show you which questions to answer."
        )
    if application.form_variant is FormVariant.LIGHT:
        return f"You are asking for {format_pence(total)}, which is {threshold} or less, so you have a shorter form."
    return f"You are asking for {format_pence(total)}, which is more than {threshold}, so you have the full form."


# Saving the page


@dataclass
class ProjectDetails:
    """What was typed on the project page. ``values`` and ``amounts`` hold only what could be read: a field with a
    format error is left out, and so keeps what was saved before."""

    values: dict[str, Any] = field(default_factory=dict)
    amounts: dict[int, int | None] = field(default_factory=dict)
    loaded_fingerprint: str = ""


@dataclass
class ProjectResult:
    problems: dict[str, str]
    fingerprint: str
    years_changed: bool
    variant_changed: bool
    saved_at: Any


def project_fingerprint(application: Application) -> str:
    return snapshot_fingerprint(
        {
            "title": application.project_title,
            "summary": application.summary,
            "areas": sorted(str(area) for area in application.service_areas),
            "boroughs": sorted(la.id for la in application.boroughs),
            "pan_london": application.works_pan_london,
            "start": application.start_date.isoformat() if application.start_date else None,
            "months": application.duration_months,
            "years": [(y.financial_year, y.amount_pence) for y in application.years],
        }
    )


def fetch_bid_borough_choices(round_: Round) -> list[LocalAuthority]:
    """The boroughs a bid can name: all 33 London local authorities, or the round's own list if it has one."""
    limited_to = getattr(round_, "boroughs", None) or []
    if limited_to:
        return list(limited_to)
    return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))


def save_project(
    application: Application, details: ProjectDetails, user: User, *, check_complete: bool
) -> ProjectResult:
    """Save what could be read from the project page, even if incomplete. With ``check_complete``, also say what
    is missing or out of range. Refuses (DomainError) if a colleague changed the page since it was loaded."""
    for attempt in range(2):
        try:
            return _save_project(application, details, user, check_complete=check_complete)
        except StaleDataError:
            # A colleague saved the bid between our read and our write: read again, and the check below sees it.
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _save_project(
    application: Application, details: ProjectDetails, user: User, *, check_complete: bool
) -> ProjectResult:
    ensure_editable(application)
    if project_fingerprint(application) != details.loaded_fingerprint and _would_change(application, details):
        raise DomainError(
            f"Someone else changed this page at {format_datetime(application.updated_at)}, after you opened it. "
            "Your changes have not been saved yet: check them against what is saved now, then save again to "
            "keep yours, or reload the page to see theirs"
        )
    for start_year, amount in details.amounts.items():
        if amount is not None and amount < 0:
            raise DomainError("Enter an amount of £0 or more", field=f"amount_{start_year}")
    variant_before = application.form_variant
    amounts_before = {y.financial_year: y.amount_pence for y in application.years}
    years_before = [year.start_year for year in application_years(application)]

    _apply_values(application, details.values)
    _apply_amounts(application, details.amounts)

    amounts_after = {y.financial_year: y.amount_pence for y in application.years}
    if amounts_after != amounts_before:
        audit.record(
            "application.amounts_changed",
            application,
            before={financial_year_label(y): format_pence(a) for y, a in amounts_before.items()}
            | {"total": format_pence(sum(amounts_before.values()))},
            after={financial_year_label(y): format_pence(a) for y, a in amounts_after.items()}
            | {"total": format_pence(sum(amounts_after.values()))},
            organisation_id=application.organisation_id,
            actor=user,
        )
    application.updated_at = utcnow()
    db.session.flush()
    db.session.commit()
    return ProjectResult(
        problems=project_problems(application) if check_complete else {},
        fingerprint=project_fingerprint(application),
        years_changed=[year.start_year for year in application_years(application)] != years_before,
        variant_changed=application.form_variant is not variant_before,
        saved_at=application.updated_at,
    )


def _clean_text(text: str | None) -> str | None:
    return (text or "").replace("\r\n", "\n").strip() or None


def _would_change(application: Application, details: ProjectDetails) -> bool:
    """Whether saving what was typed would change anything, comparing values as they would be stored."""
    current = {
        "project_title": application.project_title,
        "summary": application.summary,
        "service_areas": sorted(str(a) for a in application.service_areas),
        "borough_ids": sorted(la.id for la in application.boroughs),
        "london_wide": application.works_pan_london,
        "start_date": application.start_date,
        "duration_months": application.duration_months,
    }
    for key, value in details.values.items():
        typed: object
        if key in ("service_areas", "borough_ids"):
            typed = sorted(value)
        elif key in ("project_title", "summary"):
            typed = _clean_text(value)
        else:
            typed = value
        if (typed or None) != (current[key] or None):
            return True
    stored = {y.financial_year: y.amount_pence for y in application.years}
    return any(stored.get(year) != amount for year, amount in details.amounts.items())


def _apply_values(application: Application, values: dict[str, Any]) -> None:
    if "project_title" in values:
        application.project_title = (_clean_text(values["project_title"]) or "")[:160] or None
    if "summary" in values:
        application.summary = _clean_text(values["summary"])
    if "service_areas" in values:
        known = {area.value for area in ServiceArea}
        application.service_areas = [ServiceArea(v) for v in dict.fromkeys(values["service_areas"]) if v in known]
    if "london_wide" in values or "borough_ids" in values:
        london_wide = bool(values.get("london_wide"))
        allowed = {la.id: la for la in fetch_bid_borough_choices(application.round)}
        if london_wide and getattr(application.round, "boroughs", None):
            london_wide = False  # a round for some boroughs only cannot fund London-wide work
        application.works_pan_london = london_wide
        chosen = [] if london_wide else [allowed[i] for i in values.get("borough_ids") or [] if i in allowed]
        application.boroughs = sorted(chosen, key=lambda la: la.name)
    if "start_date" in values:
        application.start_date = values["start_date"]
    if "duration_months" in values:
        application.duration_months = values["duration_months"]


def _apply_amounts(application: Application, amounts: dict[int, int | None]) -> None:
    years = application_years(application)
    if not years:
        # Without a start date and length we cannot tell which years the bid covers; keep what was saved.
        return
    wanted = {year.start_year for year in years}
    existing = {y.financial_year: y for y in application.years}
    for start_year, row in existing.items():
        if start_year not in wanted:
            application.years.remove(row)
    for start_year in sorted(wanted):
        if start_year not in amounts:
            continue
        amount = amounts[start_year]
        kept = existing.get(start_year)
        if amount is None:
            if kept is not None and kept in application.years:
                application.years.remove(kept)
        elif kept is None:
            application.years.append(ApplicationYear(financial_year=start_year, amount_pence=amount))
        else:
            kept.amount_pence = amount


def project_problems(application: Application) -> dict[str, str]:
    """What stops the project page being complete, keyed by the field each problem is about."""
    round_ = application.round
    problems: dict[str, str] = {}
    if not application.project_title:
        problems["project_title"] = "Enter a project title"
    if not application.summary:
        problems["summary"] = "Enter a summary of your project"
    elif word_count(application.summary) > SUMMARY_WORD_LIMIT:
        problems["summary"] = (
            f"Your summary must be {SUMMARY_WORD_LIMIT} words or fewer (it is {word_count(application.summary)} words)"
        )
    if not application.service_areas:
        problems["service_areas"] = "Select at least one area of service"
    if not application.works_pan_london and not application.boroughs:
        problems["boroughs"] = "Select the boroughs your project will work in, or London-wide"
    start = application.start_date
    if start is None:
        problems["start_date"] = "Enter the date your project will start"
    elif start < earliest_start(round_):
        problems["start_date"] = (
            f"Your project cannot start before {format_date(earliest_start(round_))}, when the round closes"
        )
    elif start > latest_start(round_):
        problems["start_date"] = f"Your project must start by {format_date(latest_start(round_))}"
    months = application.duration_months
    if not months:
        problems["duration_months"] = "Enter how many months your project will run for"
    elif not round_.min_duration_months <= months <= round_.max_duration_months:
        problems["duration_months"] = (
            f"Your project must run for between {round_.min_duration_months} and {round_.max_duration_months} months"
        )
    years = application_years(application)
    given = {y.financial_year: y.amount_pence for y in application.years}
    for year in years:
        if year.start_year not in given:
            problems[year.field_name] = f"Enter the amount for {year.label}, or 0 if you need nothing that year"
    if years and not any(year.field_name in problems for year in years):
        total = application.total_requested_pence
        if not round_.min_request_pence <= total <= round_.max_request_pence:
            problems[years[0].field_name] = (
                f"The total you ask for must be between {format_pence(round_.min_request_pence)} and "
                f"{format_pence(round_.max_request_pence)}. You have asked for {format_pence(total)}"
            )
    return problems
