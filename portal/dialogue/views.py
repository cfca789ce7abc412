"""Follow-ups after an award ends, the dialogue with funded organisations, the lessons-learned log and the
good-practice library.

Routes live in modules that share this blueprint and its loaders: ``organisation_views`` (the funded
organisation), ``staff_views`` (officers) and ``public_views`` (the good-practice library, open to everyone).
"""

from flask import Blueprint, abort

from portal.dialogue import queries
from portal.models import Award, AwardStatus, DialogueThread, FollowUpReturn
from portal.permissions import Permission, check

dialogue = Blueprint("dialogue", __name__)


def load_follow_up(award: Award, follow_up_id: int) -> FollowUpReturn:
    follow_up = queries.fetch_follow_up(follow_up_id)
    if follow_up is None or follow_up.award_id != award.id:
        abort(404)
    return follow_up


def load_thread(award: Award, thread_id: int) -> DialogueThread:
    """A conversation about this award. One about another award (so perhaps another organisation's) is 404."""
    thread = queries.fetch_thread(thread_id)
    if thread is None or thread.award_id != award.id:
        abort(404)
    return thread


def load_staff_follow_up(follow_up_id: int, permission: Permission) -> FollowUpReturn:
    follow_up = queries.fetch_follow_up(follow_up_id)
    if follow_up is None or follow_up.award.status is not AwardStatus.APPROVED:
        abort(404)
    check(permission, follow_up)
    return follow_up


def load_staff_thread(thread_id: int, permission: Permission) -> DialogueThread:
    thread = queries.fetch_thread(thread_id)
    if thread is None or thread.award.status is not AwardStatus.APPROVED:
        abort(404)
    check(permission, thread)
    return thread


from portal.dialogue import organisation_views, public_views, staff_views  # noqa: E402, F401  (routes)
