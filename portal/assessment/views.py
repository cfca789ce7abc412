"""Officers screen, assign reviewers, moderate and decide; reviewers declare conflicts and score.

Routes live in three modules that share this blueprint and its loaders: ``officer_views`` (rounds, bids,
screening and reviewers), ``decision_views`` (scores, moderation and decisions) and ``reviewer_views``.
"""

from io import BytesIO

from flask import Blueprint, abort, send_file
from flask_login import current_user

from portal.assessment import queries
from portal.assessment.scoring import tenths_to_percentage
from portal.models import Application, ApplicationStatus, ReviewAssignment, Round
from portal.periods import financial_year_label
from portal.permissions import Permission, check

assessment = Blueprint("assessment", __name__, url_prefix="/staff")


def load_round(round_id: int) -> Round:
    return queries.fetch_round(round_id) or abort(404)


def load_bid(round_id: int, application_id: int, permission: Permission) -> Application:
    """A submitted bid in this round: 404 for a draft, another round's bid or no bid at all."""
    application = queries.fetch_application(application_id)
    if application is None or application.round_id != round_id or application.status is ApplicationStatus.DRAFT:
        abort(404)
    check(permission, application)
    return application


def load_assignment(assignment_id: int) -> ReviewAssignment:
    """The current user's own review assignment. A bid they declared a conflict on, or were taken off by an officer,
    is closed to them for good."""
    assignment = queries.fetch_assignment(assignment_id) or abort(404)
    check(Permission.SCORE_APPLICATIONS, assignment)
    if assignment.has_conflict or assignment.removed:
        abort(403)
    return assignment


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


def send_uploaded_file(application: Application, file_id: int):
    uploaded = queries.fetch_uploaded_file(application, file_id) or abort(404)
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
