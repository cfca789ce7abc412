"""The demo shows the retention report and the erasure requests with something in them, and loading it again
changes nothing."""

import sqlalchemy as sa

from portal.demo import privacy
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import AlertSubscription, AuditEvent, OutboundMessage, StaffRole, User
from portal.privacy import enforcement


def _rows() -> tuple[int, int, int]:
    models = (OutboundMessage, AlertSubscription, AuditEvent)
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in models)


def test_the_demo_has_personal_data_past_its_period_and_a_refused_erasure_request(client):
    load_demo_data()
    assert privacy.load() == "Privacy demo: 3 records made."
    counts = {(line.kind.key, line.what): line.count for line in enforcement.report()}
    assert counts[("emails_sent", "emails")] == 1
    assert counts[("alert_subscriptions", "subscriptions")] == 1

    before = _rows()
    assert privacy.load() == "Privacy demo: 0 records made."
    assert _rows() == before

    admin = db.session.scalar(sa.select(User).where(User.staff_role == StaffRole.ADMIN))
    row = client.sign_in(admin).get_page("/staff/erasure-requests").select_one("tbody tr").get_text(" ", strip=True)
    assert "Fatima Hussein" in row and "Refused" in row and "Amara Okafor" in row
