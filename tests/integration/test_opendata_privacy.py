"""Nothing private ever reaches open data: draft and submitted bids, scores and reviewers' notes, awards not yet
approved, returns not accepted, and people's names, emails and addresses. Every public file and every API
response is searched for markers planted in each private place."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import (
    ApplicationStatus,
    AwardStatus,
    Decision,
    DecisionOutcome,
    Membership,
    MembershipRole,
    ReturnStatus,
)
from portal.opendata import files
from tests.factories import create_user
from tests.factories_assessment import create_assessed_round, create_bid, create_officer
from tests.factories_monitoring import award_returns, create_award, create_measure
from tests.opendata_support import london_awards

MARKERS = {
    "draft bid title": "SECRET-DRAFT-BID",
    "submitted bid title": "SECRET-SUBMITTED-BID",
    "decision feedback": "SECRET-FEEDBACK",
    "unapproved award": "SECRET-UNAPPROVED-AWARD",
    "award awaiting a second approver": "SECRET-SECOND-APPROVAL",
    "return progress": "SECRET-PROGRESS",
    "return risks": "SECRET-RISKS",
    "case study": "SECRET-CASE-STUDY",
    "officer name": "Secretia Officerson",
    "member email": "secret.member@example.org",
    "organisation address": "SECRET-ADDRESS-LINE",
    "measure name": "SECRET-MEASURE",
}
UNACCEPTED_SPEND = "6543.21"
UNACCEPTED_PEOPLE = "98765"


def plant_private_data():
    london = london_awards(with_schedule=True)
    officer = create_officer("Secretia Officerson", email="secretia@example.org")
    member = create_user("secret.member@example.org", full_name="Member Person")
    db.session.add(Membership(user=member, organisation=london.charity, role=MembershipRole.OWNER))
    london.charity.address_line_1 = MARKERS["organisation address"]
    london.charity.postcode = "SE1 7TP"

    round_ = create_assessed_round()
    create_bid(round_, title=MARKERS["draft bid title"], status=ApplicationStatus.DRAFT)
    submitted = create_bid(round_, title=MARKERS["submitted bid title"])
    db.session.add(
        Decision(
            application_id=submitted.id,
            outcome=DecisionOutcome.DECLINE,
            feedback=MARKERS["decision feedback"],
            decided_by=officer,
        )
    )
    create_award(title=MARKERS["unapproved award"], status=AwardStatus.AWAITING_APPROVAL, with_schedule=False)
    create_award(
        title=MARKERS["award awaiting a second approver"],
        status=AwardStatus.AWAITING_SECOND_APPROVAL,
        amounts_pence=(150_000_00,),
        with_schedule=False,
    )
    create_measure(london.witness_care, name=MARKERS["measure name"])
    for return_, status in zip(
        award_returns(london.witness_care)[:3],
        (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.IN_PROGRESS),
        strict=True,
    ):
        return_.status = status
        return_.spend_pence = 6_543_21
        return_.people_helped = 98765
        return_.progress = MARKERS["return progress"]
        return_.risks = MARKERS["return risks"]
        return_.case_study = MARKERS["case study"]
        return_.case_study_may_publish = True
    db.session.commit()
    return london


def everything_public(client) -> dict[str, str]:
    files.regenerate()
    published = {name: client.get(f"/data/{name}").get_data(as_text=True) for name in files.FILE_NAMES}
    published["/data"] = client.get("/data").get_data(as_text=True)
    for path in ("/openreferral/services?per_page=200", "/openreferral/organizations?per_page=200"):
        listing = client.get(path).get_json()
        published[path] = client.get(path).get_data(as_text=True)
        kind = path.split("?")[0]
        for item in listing["contents"]:
            published[f"{kind}/{item['id']}"] = client.get(f"{kind}/{item['id']}").get_data(as_text=True)
    return published


def test_private_data_never_reaches_a_public_file_or_the_api(client):
    plant_private_data()
    published = everything_public(client)
    assert len(published) > 10
    leaks = [
        f"{what} ({marker}) in {where}"
        for where, body in published.items()
        for what, marker in MARKERS.items()
        if marker.lower() in body.lower()
    ]
    assert leaks == []
    for where, body in published.items():
        assert UNACCEPTED_SPEND not in body, where
        assert UNACCEPTED_PEOPLE not in body, where
        assert "SE1 7TP" not in body, where
    # The check can fail: the approved awards it should find are there.
    assert "Witness care in south London" in published[files.THREESIXTY_JSON]


def test_the_privacy_check_would_notice_a_leak(client):
    """If an approved award's description carried a marker, the same search finds it."""
    london = plant_private_data()
    london.witness_care.description = f"Includes {MARKERS['case study']}"
    db.session.commit()
    published = everything_public(client)
    assert any(MARKERS["case study"] in body for body in published.values())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("open_data_file"))) == 3
