"""Starting a bid: the round must be open, eligibility comes first, and the draft is filled in from what the
organisation has already told us. Also the bid's copy of the organisation's details and who the contact is."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.applications.questions import fetch_eligibility_questions, fetch_form_questions, is_answered, matches_value
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationStatus,
    LocalAuthority,
    Organisation,
    Question,
    QuestionKind,
    Round,
    User,
)
from portal.template_helpers import format_datetime
from portal.validation import normalise_email

# Bids that are still alive: an organisation that has one of these for a round does not start another.
ACTIVE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.MODERATED,
    ApplicationStatus.DECIDED,
)

SNAPSHOT_LABELS = {
    "name": "Organisation name",
    "organisation_type": "Type",
    "charity_number": "Charity number",
    "company_number": "Company number",
    "address": "Address",
    "where_it_works": "Where it works",
}


class Ineligible(DomainError):
    """The organisation cannot apply. ``reasons`` says why, one line for each question that ruled it out."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Your organisation cannot apply to this round")
        self.reasons = reasons


# Rounds and bids


def fetch_round(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


def fetch_application(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def fetch_active_application(round_: Round, organisation: Organisation) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(
            Application.round_id == round_.id,
            Application.organisation_id == organisation.id,
            Application.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(1)
    )


def fetch_organisation_applications_page(organisation: Organisation, page: int, per_page: int = 20) -> Pagination:
    return db.paginate(
        sa.select(Application)
        .where(Application.organisation_id == organisation.id)
        .order_by(Application.updated_at.desc(), Application.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def round_refusal(round_: Round, now: datetime) -> str | None:
    """Why no one can start or change a bid in this round now, or ``None`` if they can."""
    if round_.published_at is None or now < round_.opens_at:
        return f"This round is not open yet. It opens on {format_datetime(round_.opens_at)}."
    if round_.has_closed(now):
        return f"This round closed on {format_datetime(round_.closes_at)}."
    return None


def edit_refusal(application: Application, now: datetime | None = None) -> str | None:
    """Why this bid cannot be changed now, or ``None`` if it can. Every edit page and every save asks this."""
    now = now or utcnow()
    if application.status is ApplicationStatus.WITHDRAWN:
        return "This bid has been withdrawn, so it can no longer be changed."
    if application.status is not ApplicationStatus.DRAFT:
        return "This bid has been submitted, so it can no longer be changed."
    if application.round.has_closed(now):
        return closed_refusal(application.round, "changed or submitted")
    return None


def closed_refusal(round_: Round, what: str) -> str:
    return f"This round closed on {format_datetime(round_.closes_at)}, so this bid can no longer be {what}."


def ensure_editable(application: Application, now: datetime | None = None) -> None:
    refusal = edit_refusal(application, now)
    if refusal:
        raise DomainError(refusal)


# Eligibility and starting


def eligibility_reasons(questions: list[Question], values: dict[int, Any]) -> list[str]:
    """One reason for each eligibility question whose answer rules the organisation out."""
    reasons = []
    for question in questions:
        allowed = question.eligible_values or []
        given = values.get(question.id)
        if allowed and not any(matches_value(given, value) for value in allowed):
            reasons.append(question.ineligible_reason or f"Your answer to “{question.text}” means you cannot apply.")
    return reasons


def start_application(round_: Round, organisation: Organisation, user: User, values: dict[int, Any]) -> Application:
    """Check eligibility and, if the organisation passes, create its draft filled in from its profile.

    An organisation that fails is told why (:class:`Ineligible`) and nothing is written. If it already has a
    draft for this round, that draft is returned instead of a second one.
    """
    now = utcnow()
    refusal = round_refusal(round_, now)
    if refusal:
        raise DomainError(refusal)
    existing = fetch_active_application(round_, organisation)
    if existing is not None:
        return existing
    questions = fetch_eligibility_questions(round_)
    for question in questions:
        if not is_answered(values.get(question.id)):
            raise DomainError(f"Answer “{question.text}”", field=f"q{question.id}")
    reasons = eligibility_reasons(questions, values)
    if reasons:
        raise Ineligible(reasons)

    application = Application(
        round=round_,
        organisation=organisation,
        status=ApplicationStatus.DRAFT,
        contact_name=user.full_name,
        contact_email=user.email,
        organisation_snapshot=organisation_snapshot(organisation),
        works_pan_london=organisation.works_pan_london,
        boroughs=_default_boroughs(round_, organisation),
        eligibility_passed_at=now,
        created_by_id=user.id,
    )
    try:
        db.session.add(application)
        for question in questions:
            application.answers.append(
                Answer(question_id=question.id, value=values[question.id], updated_by_id=user.id)
            )
        prefilled = _prefill_standard_answers(application, round_, organisation, user)
        audit.record(
            "application.started",
            application,
            after={"round": round_.title, "status": application.status, "prefilled_answers": prefilled},
            organisation_id=organisation.id,
            actor=user,
        )
        db.session.commit()
    except IntegrityError:
        # Someone in the organisation started this round's bid a moment ago (one draft per round): use theirs.
        db.session.rollback()
        existing = fetch_active_application(round_, organisation)
        if existing is None:
            raise
        return existing
    return application


def _default_boroughs(round_: Round, organisation: Organisation) -> list[LocalAuthority]:
    limited_to = getattr(round_, "boroughs", None) or []
    if not limited_to:
        return list(organisation.boroughs_served)
    allowed = {la.id for la in limited_to}
    return [la for la in organisation.boroughs_served if la.id in allowed]


def _prefill_standard_answers(application: Application, round_: Round, organisation: Organisation, user: User) -> int:
    """Copy the organisation's latest answer to each standard question from its earlier bids ("tell us once").

    Files are not copied: a document can go out of date, so the applicant uploads the current one.
    """
    standard = [q for q in fetch_form_questions(round_) if q.round_id is None and q.kind is not QuestionKind.FILE]
    if not standard:
        return 0
    earlier = db.session.execute(
        sa.select(Answer.question_id, Answer.value, Answer.application_id)
        .join(Application, Answer.application_id == Application.id)
        .where(
            Application.organisation_id == organisation.id,
            Answer.question_id.in_([q.id for q in standard]),
        )
        .order_by(Application.created_at.desc(), Application.id.desc(), Answer.updated_at.desc())
    ).all()
    latest: dict[int, tuple[Any, int]] = {}
    for question_id, value, source_id in earlier:
        if question_id not in latest and is_answered(value):
            latest[question_id] = (value, source_id)
    for question_id, (value, source_id) in latest.items():
        application.answers.append(
            Answer(
                question_id=question_id,
                value=value,
                updated_by_id=user.id,
                prefilled_from_application_id=source_id,
            )
        )
    return len(latest)


# The bid's copy of the organisation's details


def organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "organisation_type": organisation.organisation_type.label,
        "charity_number": organisation.charity_number,
        "company_number": organisation.company_number,
        "org_id": organisation.org_id,
        "address_line_1": organisation.address_line_1,
        "address_line_2": organisation.address_line_2,
        "town": organisation.town,
        "postcode": organisation.postcode,
        "works_pan_london": organisation.works_pan_london,
        "boroughs_served": [la.name for la in organisation.boroughs_served],
    }


def snapshot_rows(snapshot: dict[str, Any] | None) -> dict[str, str]:
    """The snapshot as the lines people read, keyed like :data:`SNAPSHOT_LABELS`."""
    snapshot = snapshot or {}
    address = [snapshot.get(k) for k in ("address_line_1", "address_line_2", "town", "postcode")]
    if snapshot.get("works_pan_london"):
        where = "London-wide"
    else:
        where = ", ".join(snapshot.get("boroughs_served") or []) or "Not given"
    return {
        "name": snapshot.get("name") or "",
        "organisation_type": snapshot.get("organisation_type") or "",
        "charity_number": snapshot.get("charity_number") or "Not given",
        "company_number": snapshot.get("company_number") or "Not given",
        "address": ", ".join(line for line in address if line),
        "where_it_works": where,
    }


@dataclass(frozen=True)
class ProfileChange:
    label: str
    in_bid: str
    in_profile: str


def profile_changes(application: Application) -> list[ProfileChange]:
    """What differs between the bid's copy of the organisation's details and the profile as it is now."""
    in_bid = snapshot_rows(application.organisation_snapshot)
    now = snapshot_rows(organisation_snapshot(application.organisation))
    return [
        ProfileChange(SNAPSHOT_LABELS[key], in_bid[key], now[key]) for key in SNAPSHOT_LABELS if in_bid[key] != now[key]
    ]


def snapshot_fingerprint(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()[:16]


def current_profile_fingerprint(application: Application) -> str:
    return snapshot_fingerprint(organisation_snapshot(application.organisation))


def apply_profile_changes(application: Application, fingerprint: str, user: User) -> None:
    """Replace the bid's copy of the organisation's details with the profile, as the applicant saw it.

    ``fingerprint`` identifies the profile the applicant was shown: if it has changed again since, nothing is
    changed and they are asked to look again, so that no detail reaches the bid without being seen.
    """
    ensure_editable(application)
    current = organisation_snapshot(application.organisation)
    if snapshot_fingerprint(current) != fingerprint:
        raise DomainError("Your organisation's details have changed again. Check the changes and try again")
    before = snapshot_rows(application.organisation_snapshot)
    application.organisation_snapshot = current
    application.updated_at = utcnow()
    after = snapshot_rows(current)
    changed = [key for key in after if after[key] != before[key]]
    audit.record(
        "application.organisation_details_updated",
        application,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
        organisation_id=application.organisation_id,
        actor=user,
    )
    db.session.commit()


# Who to contact about the bid


def contact_fingerprint(application: Application) -> str:
    return snapshot_fingerprint({"name": application.contact_name, "email": application.contact_email})


@dataclass
class ContactDetails:
    name: str
    email: str
    loaded_fingerprint: str
    confirm: bool


def save_organisation_details(application: Application, details: ContactDetails, user: User) -> None:
    """Save the bid's contact and, with ``confirm``, record that the organisation's details are right."""
    ensure_editable(application)
    name = (details.name or "").strip()
    email = normalise_email(details.email)
    changed = (name, email) != (application.contact_name or "", application.contact_email or "")
    if changed and contact_fingerprint(application) != details.loaded_fingerprint:
        raise DomainError(
            f"Someone else changed the contact details at {format_datetime(application.updated_at)}, after you "
            f"opened this page: they are now {application.contact_name} ({application.contact_email}). "
            "Save again to use yours instead",
            field="contact_name",
        )
    if details.confirm:
        if not name:
            raise DomainError("Enter the name of the person we should contact about this bid", field="contact_name")
        if not email:
            raise DomainError("Enter their email address", field="contact_email")
    application.contact_name = name or None
    application.contact_email = email or None
    if details.confirm and application.organisation_confirmed_at is None:
        application.organisation_confirmed_at = utcnow()
    application.updated_at = utcnow()
    db.session.commit()


def organisation_details_complete(application: Application) -> bool:
    return bool(application.organisation_confirmed_at and application.contact_name and application.contact_email)
