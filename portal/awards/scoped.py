"""Awards as the URLs of other areas name them: an organisation's own award, under the organisation."""

from portal.models import Award, AwardStatus
from portal.permissions import loads

# An organisation sees its approved awards, and keeps seeing them once withdrawn, so what was returned on them can
# still be read.
ORGANISATION_SEES = (AwardStatus.APPROVED, AwardStatus.WITHDRAWN)

# An award of the organisation in the URL: another organisation's award is 404, since its existence is private.
with_organisation_award = loads(
    "award",
    Award,
    within="organisation",
    checked=True,
    where=lambda award: award.status in ORGANISATION_SEES,
)
