"""The good-practice library: case studies from returns, published by officers where the organisation agreed.

What the public may see is defined in ``portal/directory/published.py``; this module only publishes and
unpublishes, and reads through that definition for anything public.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portal import audit
from portal.database import utcnow
from portal.directory.published import is_published, public_case_studies
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    Fund,
    PublishedCaseStudy,
    Return,
    ReturnStatus,
    ServiceArea,
    User,
)

TITLE_MAX = 160
SUMMARY_MAX = 600
CASE_STUDIES_PER_PAGE = 10


@dataclass
class Publication:
    title: str
    summary: str


def may_be_published(return_: Return) -> bool:
    """The organisation agreed, wrote a case study, and the return of an approved award has been accepted."""
    return (
        return_.status is ReturnStatus.ACCEPTED
        and return_.case_study_may_publish
        and bool(return_.case_study)
        and db.session.scalar(sa.select(Award.id).where(Award.id == return_.award_id, is_published())) is not None
    )


def fetch_case_study_for(return_: Return) -> PublishedCaseStudy | None:
    return db.session.scalar(sa.select(PublishedCaseStudy).where(PublishedCaseStudy.return_id == return_.id))


def suggested_publication(return_: Return) -> Publication:
    """A starting title and summary for the officer to edit: the service's title and the story's first sentence."""
    assert return_.award is not None  # only an award's return may be published (may_be_published)
    text = (return_.case_study or "").strip()
    first = text.split(". ")[0].strip().rstrip(".")
    return Publication(title=return_.award.title[:TITLE_MAX], summary=(first + ".")[:SUMMARY_MAX] if first else "")


def publish_case_study(return_: Return, publication: Publication, actor: User) -> PublishedCaseStudy:
    """Publish (or publish again, with new words) a return's case study. One commit, with an audit event."""
    if not may_be_published(return_):
        raise DomainError(
            "Only a case study from an accepted return, that the organisation agreed may be published, can be published"
        )
    assert return_.award is not None  # may_be_published found its published award
    title, summary = publication.title.strip(), publication.summary.strip()
    errors = []
    if not title:
        errors.append(DomainError("Enter a title for the case study", "title"))
    elif len(title) > TITLE_MAX:
        errors.append(DomainError(f"The title must be {TITLE_MAX} characters or fewer", "title"))
    if not summary:
        errors.append(DomainError("Enter a short summary for the list of case studies", "summary"))
    elif len(summary) > SUMMARY_MAX:
        errors.append(DomainError(f"The summary must be {SUMMARY_MAX} characters or fewer", "summary"))
    raise_if_any(errors)

    case_study = fetch_case_study_for(return_)
    if case_study is None:
        case_study = PublishedCaseStudy(return_=return_, title=title, summary=summary)
        db.session.add(case_study)
    before = {"published": case_study.is_published, "title": case_study.title}
    case_study.title, case_study.summary = title, summary
    case_study.published_at, case_study.published_by = utcnow(), actor
    case_study.unpublished_at = case_study.unpublished_by = None
    audit.record(
        "case_study.published",
        case_study,
        before=before,
        after={"published": True, "title": title},
        organisation_id=return_.award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return case_study


def unpublish_case_study(case_study: PublishedCaseStudy, actor: User) -> None:
    if not case_study.is_published:
        raise DomainError("This case study is not published")
    award = case_study.return_.award
    assert award is not None  # a case study is only ever published from an award's return
    case_study.published_at = None
    case_study.unpublished_at, case_study.unpublished_by = utcnow(), actor
    audit.record(
        "case_study.unpublished",
        case_study,
        before={"published": True},
        after={"published": False},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    db.session.commit()


# Officers' list ----------------------------------------------------------------------------------------------------


def fetch_candidates_page(page: int, *, show: str = "all") -> Pagination:
    """Accepted returns of approved awards with an agreed case study, most recently accepted first."""
    query = (
        sa.select(Return)
        .join(Award, Award.id == Return.award_id)
        .outerjoin(PublishedCaseStudy, PublishedCaseStudy.return_id == Return.id)
        .where(
            is_published(),
            Return.status == ReturnStatus.ACCEPTED,
            Return.case_study_may_publish.is_(True),
            Return.case_study.is_not(None),
        )
    )
    if show == "published":
        query = query.where(PublishedCaseStudy.published_at.is_not(None))
    elif show == "not_published":
        query = query.where(PublishedCaseStudy.published_at.is_(None))
    query = query.order_by(Return.accepted_at.desc(), Return.id.desc())
    return db.paginate(query, page=page, per_page=CASE_STUDIES_PER_PAGE * 2, error_out=False)


def fetch_case_studies_for(returns: list[Return]) -> dict[int, PublishedCaseStudy]:
    """The publication, if any, of each of these returns, by return id."""
    ids = [return_.id for return_ in returns]
    if not ids:
        return {}
    found = db.session.scalars(sa.select(PublishedCaseStudy).where(PublishedCaseStudy.return_id.in_(ids)))
    return {case_study.return_id: case_study for case_study in found}


# Public --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    service_area: ServiceArea | None = None
    fund_id: int | None = None


def fetch_library_page(filters: LibraryFilters, page: int) -> Pagination:
    query = public_case_studies()
    if filters.service_area is not None:
        query = query.where(
            Award.id.in_(
                sa.select(AwardServiceArea.award_id).where(AwardServiceArea.service_area == filters.service_area)
            )
        )
    if filters.fund_id:
        query = query.where(Award.fund_id == filters.fund_id)
    query = query.order_by(PublishedCaseStudy.published_at.desc(), PublishedCaseStudy.id.desc())
    return db.paginate(query, page=page, per_page=CASE_STUDIES_PER_PAGE, error_out=False)


def fetch_public_case_study(case_study_id: int) -> PublishedCaseStudy | None:
    return db.session.scalar(public_case_studies().where(PublishedCaseStudy.id == case_study_id))


def fetch_library_funds() -> list[Fund]:
    """The funds with at least one public case study, for the filter."""
    fund_ids = public_case_studies().with_only_columns(Award.fund_id).distinct()
    return list(db.session.scalars(sa.select(Fund).where(Fund.id.in_(fund_ids)).order_by(Fund.name)))


def fetch_case_study(case_study_id: int) -> PublishedCaseStudy | None:
    return db.session.get(PublishedCaseStudy, case_study_id)
