"""Consulting the boroughs on a draft formula version, and what a borough council sees of the formula.

An officer opens a draft for consultation until a closing date (by default 30 working days, counted as the
funding-round window rule counts them: today and the closing date both included, weekends and bank holidays in
England left out). Every LCPF borough council's owners and editors are emailed. Each borough sees what the draft
means for itself against its current allocation and may respond once, before the end of the closing date. Until
the version is published a response is private to its borough and the officers; after that the public page shows
it in full only with the borough's consent, otherwise the officer's one-line summary.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

import sqlalchemy as sa

from portal import audit
from portal.applications.answers import ALLOWED_UPLOADS, Upload, clean_filename, upload_problem
from portal.database import lock_row, utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.lcpf import formula
from portal.lcpf.versions import VERSIONS, fetch_current_published, recompute
from portal.models import (
    LcpfAllocation,
    LcpfResponse,
    LcpfVersion,
    LcpfVersionStatus,
    LocalAuthority,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    User,
)
from portal.periods import add_working_days, is_working_day, today_in_london, working_days_between
from portal.permissions import Permission, roles_granting
from portal.template_helpers import external_url

CONSULTATION_WORKING_DAYS = 30
MAX_RESPONSE_CHARACTERS = 20_000
MAX_SUMMARY_CHARACTERS = 300
MAX_REPLY_CHARACTERS = 10_000

S = LcpfVersionStatus


def default_closing_date(today: date) -> date:
    """The day on which a consultation opened ``today`` has been open for 30 working days, today included if it is
    a working day: the same count the funding-round window rule makes."""
    first_day_counts = is_working_day(today)
    return add_working_days(today, CONSULTATION_WORKING_DAYS - (1 if first_day_counts else 0))


def is_open(version: LcpfVersion, today: date | None = None) -> bool:
    """Open for responses: out for consultation and not past the end of its closing date (a London date)."""
    today = today or today_in_london()
    return (
        version.status is S.CONSULTATION
        and version.consultation_closes_on is not None
        and today <= version.consultation_closes_on
    )


# Who is consulted


def fetch_consulted_councils() -> list[Organisation]:
    """Verified borough councils of the 32 funded boroughs, by borough name."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(LocalAuthority, Organisation.local_authority_id == LocalAuthority.id)
            .where(
                Organisation.organisation_type == OrganisationType.BOROUGH,
                Organisation.status == OrganisationStatus.ACTIVE,
                LocalAuthority.in_lcpf.is_(True),
            )
            .order_by(LocalAuthority.name, Organisation.id)
        )
    )


def council_recipients(council: Organisation) -> list[User]:
    """The council's members who may respond (owners and editors) with a confirmed email address, each once."""
    roles = roles_granting(Permission.RESPOND_TO_LCPF_CONSULTATION, MembershipRole)
    members = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == council.id,
            Membership.role.in_(roles),
            User.email_confirmed_at.is_not(None),
        )
        .order_by(User.email)
    )
    return list(dict.fromkeys(members))


# Opening a consultation


def open_consultation(version: LcpfVersion, closes_on: date | None, actor: User | None) -> int:
    """Put a draft out for consultation until the end of ``closes_on`` and email every consulted council's
    owners and editors, one message each. Returns how many emails were queued. Commits."""
    version = lock_row(LcpfVersion, version.id) or version  # two officers opening it at once send one set of emails
    today = today_in_london()
    if closes_on is None:
        raise DomainError("Enter the closing date", field="closes_on")
    if closes_on <= today:
        raise DomainError("The closing date must be in the future", field="closes_on")
    if not is_working_day(closes_on):
        raise DomainError("The closing date must be a working day, not a weekend or bank holiday", field="closes_on")
    working_days = working_days_between(today, closes_on)
    VERSIONS.move(
        version, S.CONSULTATION, actor=actor, detail={"closes_on": closes_on.isoformat(), "working_days": working_days}
    )
    version.consultation_opens_on = today
    version.consultation_closes_on = closes_on
    sent = 0
    for council in fetch_consulted_councils():
        link = external_url("lcpf_consultation.borough_consultation", organisation_id=council.id, version_id=version.id)
        for member in council_recipients(council):
            queue_email(member.email, "lcpf_consultation_opened", version=version, council=council, link=link)
            sent += 1
    db.session.commit()
    return sent


# What the draft means for one borough


@dataclass(frozen=True)
class YearFigures:
    """One financial year for one borough under a version, with the current published amount to compare."""

    financial_year: int
    working: formula.Working
    current: int | None  # the current published allocation for the same year, if it covers that year

    @property
    def change(self) -> int | None:
        return None if self.current is None else self.working.amount - self.current


def compared_version(version: LcpfVersion) -> LcpfVersion | None:
    """What a borough compares a consulted version with: the current published version while the consulted one is
    not yet public, and afterwards the version it followed (so the comparison still makes sense once published)."""
    if version.status.is_public:
        return version.previous_version
    return fetch_current_published()


def borough_years(
    version: LcpfVersion, local_authority: LocalAuthority, compare_with: LcpfVersion | None = None
) -> list[YearFigures]:
    """Each year of ``version`` for this borough, worked out again from the version's frozen inputs, with the
    amount for the same year under ``compare_with`` if given. Empty if the borough is not funded."""
    current = {}
    if compare_with is not None and compare_with.id != version.id:
        current = dict(
            db.session.execute(
                sa.select(LcpfAllocation.financial_year, LcpfAllocation.amount_pounds).where(
                    LcpfAllocation.version_id == compare_with.id,
                    LcpfAllocation.local_authority_id == local_authority.id,
                )
            )
            .tuples()
            .all()
        )
    years = []
    for year in recompute(version).years:
        working = next((w for w in year.workings if w.gss_code == local_authority.gss_code), None)
        if working is not None:
            years.append(YearFigures(year.pot.financial_year, working, current.get(year.pot.financial_year)))
    return years


@dataclass(frozen=True)
class HistoryRow:
    version: LcpfVersion
    amounts: dict[int, int]  # financial year → pounds


def borough_history(local_authority: LocalAuthority) -> list[HistoryRow]:
    """The borough's amounts under every published (and superseded) version, newest first."""
    public_versions = list(
        db.session.scalars(
            sa.select(LcpfVersion)
            .where(LcpfVersion.status.in_([S.PUBLISHED, S.SUPERSEDED]))
            .order_by(LcpfVersion.published_at.desc(), LcpfVersion.id.desc())
        )
    )
    amounts: dict[int, dict[int, int]] = {version.id: {} for version in public_versions}
    for row in db.session.execute(
        sa.select(LcpfAllocation.version_id, LcpfAllocation.financial_year, LcpfAllocation.amount_pounds)
        .where(
            LcpfAllocation.local_authority_id == local_authority.id,
            LcpfAllocation.version_id.in_(list(amounts)),
        )
        .order_by(LcpfAllocation.financial_year)
    ):
        amounts[row.version_id][row.financial_year] = row.amount_pounds
    return [HistoryRow(version, amounts[version.id]) for version in public_versions]


def fetch_consultations_for(council: Organisation) -> list[tuple[LcpfVersion, LcpfResponse | None]]:
    """Versions out for consultation now, and earlier ones this borough responded to, with its response."""
    responses = {
        response.version_id: response
        for response in db.session.scalars(
            sa.select(LcpfResponse).where(LcpfResponse.local_authority_id == council.local_authority_id)
        )
    }
    versions = db.session.scalars(
        sa.select(LcpfVersion)
        .where(sa.or_(LcpfVersion.status == S.CONSULTATION, LcpfVersion.id.in_(list(responses))))
        .order_by(LcpfVersion.consultation_opens_on.desc(), LcpfVersion.id.desc())
    )
    return [(version, responses.get(version.id)) for version in versions]


def fetch_consultation_version(version_id: int) -> LcpfVersion | None:
    """A version a borough may look at as a consultation: one out for consultation now or put out before."""
    version = db.session.get(LcpfVersion, version_id)
    if version is None or version.consultation_opens_on is None:
        return None
    return version


# Responses


def fetch_borough_response(version: LcpfVersion, local_authority_id: int) -> LcpfResponse | None:
    return db.session.scalar(
        sa.select(LcpfResponse)
        .where(LcpfResponse.version_id == version.id, LcpfResponse.local_authority_id == local_authority_id)
        .order_by(LcpfResponse.id)
    )


def submit_response(
    council: Organisation,
    version: LcpfVersion,
    body: str,
    consent: bool | None,
    upload: Upload | None,
    actor: User,
) -> LcpfResponse:
    """Record a borough's response, once per borough, while the consultation is open; the person who sent it
    gets a confirmation. Commits."""
    version = lock_row(LcpfVersion, version.id) or version  # one response per borough, even from two people at once
    if not is_open(version):
        raise DomainError("This consultation is closed: responses can no longer be sent")
    if council.local_authority_id is None:
        raise DomainError("Only a borough council can respond to this consultation")
    if fetch_borough_response(version, council.local_authority_id) is not None:
        raise DomainError("Your borough has already responded to this consultation")
    body = (body or "").strip()
    errors = []
    if not body:
        errors.append(DomainError("Enter your borough's response", field="body"))
    elif len(body) > MAX_RESPONSE_CHARACTERS:
        errors.append(
            DomainError(f"Your response must be {MAX_RESPONSE_CHARACTERS:,} characters or fewer", field="body")
        )
    if consent is None:
        errors.append(DomainError("Select whether we may publish your response in full", field="consent"))
    problem = upload_problem(upload) if upload is not None else None
    if problem:
        errors.append(DomainError(problem, field="attachment"))
    raise_if_any(errors)
    response = LcpfResponse(
        version_id=version.id,
        local_authority_id=council.local_authority_id,
        organisation_id=council.id,
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
        body=body,
        consent_to_publish=bool(consent),
    )
    if upload is not None:
        extension = PurePosixPath(upload.filename.lower()).suffix.removeprefix(".")
        response.attachment_filename = clean_filename(upload.filename)
        response.attachment_content_type = ALLOWED_UPLOADS[extension][0]
        response.attachment = upload.data
    db.session.add(response)
    audit.record(
        "lcpf_response.submitted",
        response,
        after={"version": version.id, "consent_to_publish": response.consent_to_publish},
        organisation_id=council.id,
        actor=actor,
    )
    link = external_url("lcpf_consultation.borough_consultation", organisation_id=council.id, version_id=version.id)
    queue_email(actor.email, "lcpf_response_received", version=version, council=council, link=link)
    db.session.commit()
    return response


def fetch_versions_for_officers() -> list[LcpfVersion]:
    """Drafts that could be put out for consultation, and every version that has been, newest first."""
    return list(
        db.session.scalars(
            sa.select(LcpfVersion)
            .where(sa.or_(LcpfVersion.status == S.DRAFT, LcpfVersion.consultation_opens_on.is_not(None)))
            .order_by(LcpfVersion.id.desc())
        )
    )


def count_responses() -> dict[int, int]:
    """Version id → how many responses it has had."""
    return dict(
        db.session.execute(sa.select(LcpfResponse.version_id, sa.func.count()).group_by(LcpfResponse.version_id))
        .tuples()
        .all()
    )


@dataclass(frozen=True)
class StaffPanel:
    """What the officers' version page shows of the consultation."""

    responses: list[LcpfResponse]
    councils: int
    is_open: bool


def staff_panel(version: LcpfVersion) -> StaffPanel:
    return StaffPanel(
        responses=fetch_responses(version) if version.consultation_opens_on else [],
        councils=len(fetch_consulted_councils()),
        is_open=is_open(version),
    )


def fetch_responses(version: LcpfVersion, sort: str = "borough") -> list[LcpfResponse]:
    order = (
        (LcpfResponse.submitted_at.desc(), LcpfResponse.id.desc())
        if sort == "date"
        else (LocalAuthority.name, LcpfResponse.id)
    )
    return list(
        db.session.scalars(
            sa.select(LcpfResponse)
            .join(LocalAuthority, LcpfResponse.local_authority_id == LocalAuthority.id)
            .where(LcpfResponse.version_id == version.id)
            .order_by(*order)
        )
    )


def fetch_response(version: LcpfVersion, response_id: int) -> LcpfResponse | None:
    response = db.session.get(LcpfResponse, response_id)
    return response if response is not None and response.version_id == version.id else None


def fetch_attachment(response: LcpfResponse) -> bytes | None:
    return db.session.scalar(sa.select(LcpfResponse.attachment).where(LcpfResponse.id == response.id))


def reply_to_response(response: LcpfResponse, reply: str, summary: str, actor: User) -> bool:
    """Save the officer's reply and the one-line summary published when the borough did not consent. A new or
    changed reply is emailed to the borough's owners and editors. Nothing changes once the version is published,
    since the summary is published with it. Returns whether the reply was emailed. Commits."""
    if response.version.status.is_public:
        raise DomainError("The version has been published with this consultation summary, which cannot now change")
    reply = (reply or "").strip()
    summary = " ".join((summary or "").split())
    errors = []
    if not reply:
        errors.append(DomainError("Enter your reply to the borough", field="reply"))
    elif len(reply) > MAX_REPLY_CHARACTERS:
        errors.append(DomainError(f"Your reply must be {MAX_REPLY_CHARACTERS:,} characters or fewer", field="reply"))
    if not summary and not response.consent_to_publish:
        errors.append(
            DomainError(
                "Enter a one-line summary: the borough did not consent to its response being published in full",
                field="summary",
            )
        )
    elif len(summary) > MAX_SUMMARY_CHARACTERS:
        errors.append(DomainError(f"The summary must be {MAX_SUMMARY_CHARACTERS} characters or fewer", field="summary"))
    raise_if_any(errors)
    reply_changed = reply != (response.officer_reply or "")
    before = {"reply": response.officer_reply, "summary": response.summary}
    response.summary = summary
    if reply_changed:
        response.officer_reply = reply
        response.replied_by_id = actor.id
        response.replied_at = utcnow()
    audit.record(
        "lcpf_response.replied",
        response,
        before=before,
        after={"reply": response.officer_reply, "summary": summary},
        organisation_id=response.organisation_id,
        actor=actor,
    )
    if reply_changed:
        link = external_url(
            "lcpf_consultation.borough_consultation",
            organisation_id=response.organisation_id,
            version_id=response.version_id,
        )
        for member in council_recipients(response.organisation):
            queue_email(member.email, "lcpf_response_replied", response=response, link=link)
    db.session.commit()
    return reply_changed
