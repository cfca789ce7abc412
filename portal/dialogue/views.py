"""Follow-ups after an award ends, the dialogue with funded organisations, the lessons-learned log and the
good-practice library.

Routes live in modules that share this blueprint and its loaders: ``organisation_views`` (the funded
organisation), ``staff_views`` (officers) and ``public_views`` (the good-practice library, open to everyone).
"""

from flask import Blueprint

from portal.dialogue import queries
from portal.models import AwardStatus
from portal.permissions import loads

dialogue = Blueprint("dialogue", __name__)


# A follow-up or a conversation about the organisation's award loaded above. One about another award (so perhaps
# another organisation's) is 404.
with_award_follow_up = loads("follow_up", queries.fetch_follow_up, within="award")
with_award_thread = loads("thread", queries.fetch_thread, within="award")
# For officers: a conversation about an approved award.
with_staff_thread = loads(
    "thread", queries.fetch_thread, where=lambda thread: thread.award.status is AwardStatus.APPROVED
)


from portal.dialogue import organisation_views, public_views, staff_views  # noqa: E402, F401  (routes)
