"""After the retention job has run over everything, the public pages and files still work and still show nothing
private: the privacy crawl finds no person's name or email address and none of the planted private markers."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import User
from portal.opendata import files
from portal.privacy import enforcement
from tests.integration.test_public_privacy import PRIVATE, crawl, plant_everything
from tests.privacy_support import plant_on_both_sides


@pytest.mark.long
def test_the_privacy_crawl_finds_no_personal_data_after_the_retention_job(client, app):
    plant_everything()
    plant_on_both_sides()
    # Ten years on, every period has passed: the job handles everything it ever would.
    done = enforcement.enforce(utcnow() + timedelta(days=3653))
    assert {line.kind.key for line in done if line.count} >= {"funded_bids", "unsuccessful_bids", "emails_sent"}
    files.regenerate()
    people = [(user.full_name, user.email) for user in db.session.scalars(sa.select(User))]
    assert people

    bodies = crawl(client, app)
    assert len(bodies) > 30
    leaks = [
        f"{what} ({marker}) at {where}"
        for where, body in bodies.items()
        for what, marker in PRIVATE.items()
        if marker.lower() in body.lower()
    ]
    leaks += [
        f"{text} at {where}"
        for where, body in bodies.items()
        for name, email in people
        for text in (name, email)
        if text != enforcement.REPLACED_NAME and text.lower() in body.lower()
    ]
    assert leaks == []
    # The public record of what was funded is still there.
    assert any("Witness care in south London" in body for body in bodies.values())
    assert any(where.startswith("/data/360giving") for where in bodies)
