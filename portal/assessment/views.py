"""Officers screen, assign reviewers, moderate and decide; reviewers declare conflicts and score.

Routes live in three modules that share this blueprint and its loaders: ``officer_views`` (rounds, bids,
screening and reviewers), ``decision_views`` (scores, moderation and decisions) and ``reviewer_views``.
"""

from io import BytesIO

from flask import Blueprint, send_file
from flask_login import current_user

from portal.assessment import queries
from portal.assessment.scoring import tenths_to_percentage
from portal.models import ApplicationStatus, UploadedFile
from portal.periods import financial_year_label
from portal.permissions import loads

assessment = Blueprint("assessment", __name__, url_prefix="/staff")


with_round = loads("round_", queries.fetch_round, parameter="round_id")
# The same round for a list of its bids, which shows only its title and fund: boroughs and service areas unloaded.
with_round_for_list = loads("round_", queries.fetch_round_for_list, parameter="round_id")
# A submitted bid in the round in the URL: 404 for a draft, another round's bid or no bid at all.
with_bid = loads(
    "application",
    queries.fetch_application,
    within="round",
    checked=True,
    where=lambda application: application.status is not ApplicationStatus.DRAFT,
)
# The current user's own review assignment. A bid they declared a conflict on, or were taken off by an officer, is
# closed to them for good (403).
with_assignment = loads(
    "assignment",
    queries.fetch_assignment,
    allowed=lambda assignment: not (assignment.has_conflict or assignment.removed),
)
# A file uploaded with the bid loaded above.
with_bid_file = loads("uploaded", UploadedFile, parameter="file_id", within="application")


@assessment.app_context_processor
def _decision_helpers():
    """``decision_for(application)`` lets the applicant's bid page include ``applications/_decision.html``."""
    return {"decision_for": queries.fetch_decision}


@assessment.app_template_filter("financial_year_label")
def _financial_year(start_year: int) -> str:
    return financial_year_label(start_year)


@assessment.app_template_filter("tenths_as_percentage")
def _tenths_as_percentage(tenths: int | None):
    return tenths_to_percentage(tenths)


def send_uploaded_file(uploaded: UploadedFile):
    return send_file(
        BytesIO(uploaded.content),
        mimetype=uploaded.content_type,
        as_attachment=True,
        download_name=uploaded.filename,
        max_age=0,
    )


def acting_user():
    return current_user._get_current_object()


from portal.assessment import decision_views, officer_views, reviewer_views  # noqa: E402, F401
