"""Consulting the boroughs on a draft formula: opening it, each borough's own view and response, officers' replies,
what is published, and that no borough ever sees another's response before publication."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.lcpf import consultation, versions
from portal.lcpf.consultation import default_closing_date
from portal.lcpf.public import NOT_SUMMARISED
from portal.models import (
    AuditEvent,
    LcpfAllocation,
    LcpfResponse,
    LcpfVersion,
    LcpfVersionStatus,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    StaffRole,
    User,
)
from portal.periods import working_days_between
from tests.client import error_messages
from tests.concurrency import at_once, held_after
from tests.factories import create_member, create_organisation, create_user, local_authority
from tests.factories_assessment import create_officer
from tests.factories_boroughs import create_council
from tests.lcpf_support import import_real_files, parameters

TODAY = "2026-05-12 10:00:00+00:00"  # a Tuesday; Monday 25 May is a bank holiday
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def may_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def formula():
    """A published version (2026/27) and a draft for 2026-28 that changes the pot."""
    import_real_files()
    published = versions.publish(versions.create_draft("Formula 2026", parameters(13_000_000), None), None)
    draft = versions.create_draft("Draft 2026-28", parameters(13_500_000, years=(2026, 2027)), None)
    return published, draft


@pytest.fixture
def people():
    lewisham, lewisham_owner = create_council("Lewisham", email="owner@lewisham.example.org")
    lewisham_editor = create_member(lewisham, MembershipRole.EDITOR, email="editor@lewisham.example.org")
    create_member(lewisham, MembershipRole.EDITOR, email="unconfirmed@lewisham.example.org", confirmed=False)
    bromley, bromley_owner = create_council("Bromley", email="owner@bromley.example.org")
    board = create_organisation(
        "Lewisham Safer Neighbourhood Board", organisation_type=OrganisationType.SNB, borough="Lewisham"
    )
    snb_member = create_member(board, email="board@lewisham.example.org")
    charity = create_organisation("Lewisham Youth Trust", boroughs=("Lewisham",))
    create_member(charity, email="trust@example.org")
    waiting, _ = create_council("Camden", email="owner@camden.example.org")
    waiting.status = OrganisationStatus.AWAITING_VERIFICATION
    db.session.commit()
    return {
        "lewisham": lewisham,
        "lewisham_owner": lewisham_owner,
        "lewisham_editor": lewisham_editor,
        "bromley": bromley,
        "bromley_owner": bromley_owner,
        "snb_member": snb_member,
        "officer": create_officer(email="officer@mopac.example.org"),
    }


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def open_it(client, people, draft, closes_on=date(2026, 6, 23)):
    client.sign_in(people["officer"])
    client.post_form(
        f"/staff/lcpf/versions/{draft.id}/consultation",
        {"closes_on": [str(closes_on.day), str(closes_on.month), str(closes_on.year)]},
    )
    client.sign_out()


def respond(client, council, version, body="Outer London is under-funded.", consent="yes", attachment=None, status=302):
    data = {"body": body, "consent": consent}
    if attachment is not None:
        data["attachment"] = attachment
    return client.post_form(
        f"/organisations/{council.id}/lcpf/consultations/{version.id}", data, expected_status=status
    )


def consultation_url(council, version) -> str:
    return f"/organisations/{council.id}/lcpf/consultations/{version.id}"


# Opening a consultation


def test_the_closing_date_defaults_to_30_working_days_counted_as_the_round_window_rule_counts(client, formula, people):
    _, draft = formula
    assert default_closing_date(date(2026, 5, 12)) == date(2026, 6, 23)  # skipping the spring bank holiday
    assert working_days_between(date(2026, 5, 12), date(2026, 6, 23)) == 30
    assert default_closing_date(date(2026, 5, 16)) == date(2026, 6, 29)  # a Saturday does not count
    client.sign_in(people["officer"])
    page = client.get_page(f"/staff/lcpf/versions/{draft.id}/consultation")
    boxes = [page.find("input", id=f"closes_on-{part}")["value"] for part in ("day", "month", "year")]
    assert boxes == ["23", "06", "2026"]


def test_opening_a_draft_emails_each_borough_councils_owners_and_editors_once(client, formula, people, mailbox):
    _, draft = formula
    open_it(client, people, draft)
    db.session.refresh(draft)
    assert draft.status is LcpfVersionStatus.CONSULTATION
    assert (draft.consultation_opens_on, draft.consultation_closes_on) == (date(2026, 5, 12), date(2026, 6, 23))
    assert "lcpf_version.consultation_opened" in actions()
    recipients = sorted(message["To"] for message in mailbox.messages)
    assert recipients == ["editor@lewisham.example.org", "owner@bromley.example.org", "owner@lewisham.example.org"]
    message = mailbox.last_to("owner@lewisham.example.org")
    assert "23 June 2026" in message["Subject"]
    assert f"/organisations/{people['lewisham'].id}/lcpf/consultations/{draft.id}" in message.get_content()
    assert f"/organisations/{people['bromley'].id}/" in mailbox.last_to("owner@bromley.example.org").get_content()

    # Opening it again is refused and sends nothing more.
    client.sign_in(people["officer"])
    page = client.post_form(
        f"/staff/lcpf/versions/{draft.id}/consultation", {"closes_on": ["30", "6", "2026"]}, expected_status=400
    )
    assert "cannot become open for consultation" in page.get_text()
    assert len(mailbox.messages) == 3


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["", "", ""], "Enter the closing date"),
        (["11", "5", "2026"], "The closing date must be in the future"),
        (["12", "5", "2026"], "The closing date must be in the future"),
        (["20", "6", "2026"], "The closing date must be a working day, not a weekend or bank holiday"),
        (["31", "2", "2026"], "Closing date must be a real date, like 27 3 2027"),
    ],
)
def test_a_closing_date_that_cannot_be_used_is_refused_beside_the_field(
    client, formula, people, mailbox, parts, message
):
    _, draft = formula
    client.sign_in(people["officer"])
    page = client.post_form(f"/staff/lcpf/versions/{draft.id}/consultation", {"closes_on": parts}, expected_status=400)
    assert error_messages(page)["closes_on"] == message
    assert [page.find("input", id=f"closes_on-{part}")["value"] or "" for part in ("day", "month", "year")] == parts
    db.session.refresh(draft)
    assert draft.status is LcpfVersionStatus.DRAFT
    assert mailbox.messages == []


# The borough's own view and response


def _amount(version, borough, year) -> int:
    return db.session.scalar(
        sa.select(LcpfAllocation.amount_pounds).where(
            LcpfAllocation.version_id == version.id,
            LcpfAllocation.local_authority_id == local_authority(borough).id,
            LcpfAllocation.financial_year == year,
        )
    )


def test_a_borough_sees_what_the_draft_means_for_it_against_its_current_allocation(client, formula, people):
    published, draft = formula
    open_it(client, people, draft)
    client.sign_in(people["lewisham_editor"])
    page = client.get_page(consultation_url(people["lewisham"], draft))
    table = page.find("caption", string=lambda text: text and "under the draft" in text).parent
    rows = {
        row.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in table.tbody.select("tr")
    }
    draft_2026, draft_2027 = _amount(draft, "Lewisham", 2026), _amount(draft, "Lewisham", 2027)
    current = _amount(published, "Lewisham", 2026)
    assert rows["This draft"] == [f"£{draft_2026:,}", f"£{draft_2027:,}"]
    assert rows["Current allocation (Formula 2026)"] == [f"£{current:,}", "None for this year"]
    assert rows["Difference"][0] == f"+£{draft_2026 - current:,}"
    assert "Share of London's crime" in rows and "Weighted share" in rows
    assert "Bromley" not in table.get_text()

    # Once published, the comparison is still with the version it replaced.
    versions.publish(draft, None)
    page = client.get_page(consultation_url(people["lewisham"], draft))
    table = page.find("caption", string=lambda text: text and "under the draft" in text).parent
    assert f"£{current:,}" in table.get_text()


def test_a_borough_responds_once_with_an_attachment_and_gets_a_confirmation(client, formula, people, mailbox):
    _, draft = formula
    open_it(client, people, draft)
    mailbox.clear()
    client.sign_in(people["lewisham_owner"])
    respond(client, people["lewisham"], draft, consent="no", attachment=(io.BytesIO(PDF), "our letter.pdf"))
    response = db.session.scalar(sa.select(LcpfResponse))
    assert (response.local_authority.name, response.organisation_id, response.consent_to_publish) == (
        "Lewisham",
        people["lewisham"].id,
        False,
    )
    assert (response.attachment_filename, response.attachment_content_type) == ("our letter.pdf", "application/pdf")
    assert "lcpf_response.submitted" in actions()
    assert [m["To"] for m in mailbox.messages] == ["owner@lewisham.example.org"]

    page = client.get_page(consultation_url(people["lewisham"], draft))
    assert "Outer London is under-funded." in page.get_text()
    assert page.find("form", attrs={"enctype": "multipart/form-data"}) is None
    download = client.get(consultation_url(people["lewisham"], draft) + "/attachment")
    assert (download.status_code, download.data) == (200, PDF)

    # Another member of the same council sees it, and cannot send a second one.
    client.sign_in(people["lewisham_editor"])
    assert "Outer London is under-funded." in client.get_page(consultation_url(people["lewisham"], draft)).get_text()
    page = respond(client, people["lewisham"], draft, body="A second thought", status=400)
    assert "Your borough has already responded" in page.get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LcpfResponse)) == 1


def test_a_response_with_problems_keeps_what_was_typed_and_says_what_is_wrong(client, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    client.sign_in(people["lewisham_owner"])
    page = respond(
        client,
        people["lewisham"],
        draft,
        body="Please keep the floor",
        consent="",
        attachment=(io.BytesIO(b"MZ"), "x.exe"),
        status=400,
    )
    errors = error_messages(page)
    assert errors["consent"] == "Select whether we may publish your response in full"
    assert errors["attachment"].startswith("The selected file must be a PDF")
    assert page.find("textarea", attrs={"name": "body"}).get_text() == "Please keep the floor"
    page = respond(
        client, people["lewisham"], draft, body="   ", attachment=(io.BytesIO(b"not a pdf"), "letter.pdf"), status=400
    )
    errors = error_messages(page)
    assert errors["body"] == "Enter your borough's response"
    assert errors["attachment"].startswith("The selected file is not a real PDF file")
    assert page.find("input", attrs={"name": "consent", "value": "yes"}).has_attr("checked")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LcpfResponse)) == 0


def test_responses_are_accepted_until_the_end_of_the_closing_date_only(client, formula, people):
    _, draft = formula
    open_it(client, people, draft, closes_on=date(2026, 5, 14))
    with time_machine.travel("2026-05-14 22:30:00+00:00", tick=False):  # 11:30pm in London, still the 14th
        client.sign_in(people["lewisham_owner"])
        respond(client, people["lewisham"], draft)
    with time_machine.travel("2026-05-14 23:30:00+00:00", tick=False):  # 12:30am on the 15th in London
        client.sign_in(people["bromley_owner"])
        page = client.get_page(consultation_url(people["bromley"], draft))
        assert page.find("textarea") is None
        assert "Your borough did not respond" in page.get_text()
        page = respond(client, people["bromley"], draft, status=400)
        assert "This consultation is closed" in page.get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LcpfResponse)) == 1


def test_a_councils_page_lists_an_open_consultation_under_what_needs_you_until_it_responds(client, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    client.sign_in(people["lewisham_editor"])
    lewisham = people["lewisham"]

    def waiting() -> list[str]:
        page = client.get_page(f"/organisations/{lewisham.id}")
        return [item.get_text(" ", strip=True) for item in page.select(".portal-work__item")]

    assert "1 funding formula consultation to respond to" in waiting()
    links = client.get_page(f"/organisations/{lewisham.id}").select(".portal-work__item a")
    assert [a["href"] for a in links if "consultation" in a.get_text()] == [f"/organisations/{lewisham.id}/lcpf"]
    respond(client, lewisham, draft)
    assert not any("consultation" in item for item in waiting())
    client.sign_in(people["bromley_owner"])
    page = client.get_page(f"/organisations/{people['bromley'].id}")
    assert "1 funding formula consultation to respond to" in page.get_text(" ", strip=True)


# Privacy


def test_no_borough_reaches_another_boroughs_consultation_pages_or_response(client, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    lewisham = people["lewisham"]
    client.sign_in(people["lewisham_owner"])
    respond(client, lewisham, draft, body="Lewisham's private view", attachment=(io.BytesIO(PDF), "lewisham.pdf"))
    response = db.session.scalar(sa.select(LcpfResponse))
    lewisham_urls = [
        f"/organisations/{lewisham.id}/lcpf",
        consultation_url(lewisham, draft),
        consultation_url(lewisham, draft) + "/attachment",
    ]
    staff_urls = [
        "/staff/lcpf/consultations",
        f"/staff/lcpf/versions/{draft.id}/consultation",
        f"/staff/lcpf/versions/{draft.id}/consultation/responses/{response.id}",
        f"/staff/lcpf/versions/{draft.id}/consultation/responses/{response.id}/attachment",
    ]
    for person in ("bromley_owner", "snb_member"):
        client.sign_in(people[person])
        for url in lewisham_urls + staff_urls:
            status = client.get(url).status_code
            assert status in (403, 404), f"{person} got {status} from {url}"
        client.post_form(consultation_url(lewisham, draft), {"body": "x", "consent": "yes"}, expected_status=403)
        assert client.post(staff_urls[2], data={"reply": "x", "csrf_token": client.csrf_token()}).status_code == 403
    # Bromley's own page for the same consultation says nothing of Lewisham's response.
    client.sign_in(people["bromley_owner"])
    page = client.get_page(consultation_url(people["bromley"], draft))
    assert "Lewisham's private view" not in page.get_text() and "lewisham.pdf" not in page.get_text()
    # Nor does the public: the draft is not public, and the published version shows no response before publication.
    client.sign_out()
    client.get_page(f"/funding-formula/versions/{draft.id}", expected_status=404)
    assert "Lewisham's private view" not in client.get_page("/funding-formula").get_text()


def test_a_draft_not_out_for_consultation_is_not_found_by_a_borough(client, formula, people):
    _, draft = formula
    client.sign_in(people["lewisham_owner"])
    client.get_page(consultation_url(people["lewisham"], draft), expected_status=404)
    client.get_page(f"/organisations/{people['lewisham'].id}/lcpf/consultations/999999", expected_status=404)


def test_each_persona_reaches_only_its_own_consultation_pages(client, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    others = {
        "reviewer": create_user(staff_role=StaffRole.REVIEWER),
        "admin": create_user(staff_role=StaffRole.ADMIN),
        "charity owner": create_member(create_organisation("Bromley Mentors", boroughs=("Bromley",))),
    }
    council_pages = [f"/organisations/{people['lewisham'].id}/lcpf", consultation_url(people["lewisham"], draft)]
    staff_pages = ["/staff/lcpf/consultations", f"/staff/lcpf/versions/{draft.id}/consultation"]
    for name, user in others.items():
        client.sign_in(user)
        for url in council_pages + staff_pages:
            assert client.get(url).status_code in (403, 404), f"{name}: {url}"
    client.sign_out()
    for url in council_pages + staff_pages:
        assert client.get(url).headers["Location"].startswith("/sign-in?next=")
    client.sign_in(people["officer"])
    for url in staff_pages:
        client.get_page(url)
    client.get_page(council_pages[0])  # officers may look at a council's formula page, not respond for it
    client.get_page(council_pages[1], expected_status=403)
    client.sign_in(people["lewisham_editor"])
    for url in council_pages:
        client.get_page(url)


# Officers: responses and replies


def test_an_officer_reads_each_response_and_replies_and_the_borough_is_emailed_once_each(
    client, formula, people, mailbox
):
    _, draft = formula
    open_it(client, people, draft)
    client.sign_in(people["lewisham_owner"])
    respond(client, people["lewisham"], draft, consent="no", attachment=(io.BytesIO(PDF), "analysis.pdf"))
    client.sign_in(people["bromley_owner"])
    respond(client, people["bromley"], draft, body="Bromley supports the floor.", consent="yes")
    lewisham_response = db.session.scalar(
        sa.select(LcpfResponse).where(LcpfResponse.organisation_id == people["lewisham"].id)
    )
    mailbox.clear()

    client.sign_in(people["officer"])
    page = client.get_page(f"/staff/lcpf/versions/{draft.id}/consultation")
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in page.select("tbody tr")]
    assert rows == [
        ["Bromley", "Outer", "12 May 2026", "Yes", "To reply"],
        ["Lewisham", "Inner", "12 May 2026", "No", "To reply"],
    ]
    url = f"/staff/lcpf/versions/{draft.id}/consultation/responses/{lewisham_response.id}"
    page = client.get_page(url)
    assert "Outer London is under-funded." in page.get_text()
    assert client.get(url + "/attachment").data == PDF

    # No consent, so a summary is needed.
    page = client.post_form(url, {"reply": "We have kept the floor at 97%.", "summary": ""}, expected_status=400)
    assert error_messages(page)["summary"].startswith("Enter a one-line summary")
    assert page.find("textarea", attrs={"name": "reply"}).get_text() == "We have kept the floor at 97%."
    client.post_form(url, {"reply": "We have kept the floor at 97%.", "summary": "Asks for more for outer London"})
    db.session.refresh(lewisham_response)
    assert (lewisham_response.officer_reply, lewisham_response.summary) == (
        "We have kept the floor at 97%.",
        "Asks for more for outer London",
    )
    assert lewisham_response.replied_by_id == people["officer"].id
    assert sorted(m["To"] for m in mailbox.messages) == ["editor@lewisham.example.org", "owner@lewisham.example.org"]
    assert "We have kept the floor at 97%." in mailbox.last_to("editor@lewisham.example.org").get_content()

    # Changing only the summary sends nothing more.
    client.post_form(
        url, {"reply": "We have kept the floor at 97%.", "summary": "Asks for more money for outer London"}
    )
    assert len(mailbox.messages) == 2
    assert actions().count("lcpf_response.replied") == 2

    client.sign_in(people["lewisham_editor"])
    assert "We have kept the floor at 97%." in client.get_page(consultation_url(people["lewisham"], draft)).get_text()


def test_the_officers_version_page_opens_a_draft_for_consultation_and_then_lists_the_responses(client, formula, people):
    _, draft = formula
    client.sign_in(people["officer"])
    page = client.get_page(f"/staff/lcpf/versions/{draft.id}")
    button = page.find("a", string=lambda text: text and "Open for consultation" in text)
    assert button["href"] == f"/staff/lcpf/versions/{draft.id}/consultation"
    open_it(client, people, draft)
    client.sign_in(people["bromley_owner"])
    respond(client, people["bromley"], draft, body="Bromley supports the floor.")
    client.sign_in(people["officer"])
    page = client.get_page(f"/staff/lcpf/versions/{draft.id}")
    section = page.find("h2", id="consultation").find_parent("div").get_text(" ", strip=True)
    assert "Open for responses until the end of 23 June 2026. 1 of 2 borough councils have responded." in section
    assert "Bromley Outer 12 May 2026 Yes To reply" in section
    assert not page.find("a", string=lambda text: text and "Open for consultation" in text)


# What is published


def test_publishing_publishes_the_summary_with_consent_respected(client, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    client.sign_in(people["lewisham_owner"])
    respond(client, people["lewisham"], draft, body="Lewisham's confidential analysis", consent="no")
    client.sign_in(people["bromley_owner"])
    respond(client, people["bromley"], draft, body="Bromley supports the floor.", consent="yes")
    client.sign_in(people["officer"])
    for response in db.session.scalars(sa.select(LcpfResponse)):
        client.post_form(
            f"/staff/lcpf/versions/{draft.id}/consultation/responses/{response.id}",
            {"reply": f"Thank you, {response.local_authority.name}.", "summary": "Wants a different crime window"},
        )
    versions.publish(draft, people["officer"])

    client.sign_out()
    page = client.get_page("/funding-formula")
    section = page.find("h2", string="What the boroughs said").find_parent("div")
    text = section.get_text(" ", strip=True)
    assert "2 boroughs responded: 1 in inner London and 1 in outer London" in text
    assert "Bromley supports the floor." in text
    assert "Lewisham (summarised)" in text and "Wants a different crime window" in text
    assert "Lewisham's confidential analysis" not in page.get_text()
    assert "Thank you, Lewisham." in text and "Thank you, Bromley." in text

    # The summary is published with the version, so replies no longer change.
    client.sign_in(people["officer"])
    response = db.session.scalar(sa.select(LcpfResponse).where(LcpfResponse.organisation_id == people["bromley"].id))
    page = client.get_page(f"/staff/lcpf/versions/{draft.id}/consultation/responses/{response.id}")
    assert page.find("textarea") is None
    page = client.post_form(
        f"/staff/lcpf/versions/{draft.id}/consultation/responses/{response.id}",
        {"reply": "Changed", "summary": "x"},
        expected_status=400,
    )
    assert "cannot now change" in page.get_text()


def test_a_response_published_without_consent_or_summary_is_never_shown_in_full(client, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    client.sign_in(people["lewisham_owner"])
    respond(client, people["lewisham"], draft, body="Lewisham's confidential analysis", consent="no")
    versions.publish(draft, None)
    client.sign_out()
    text = client.get_page("/funding-formula").get_text(" ", strip=True)
    assert "1 borough responded: 1 in inner London and 0 in outer London" in text
    assert NOT_SUMMARISED in text
    assert "Lewisham's confidential analysis" not in text


# The borough's formula page


def test_a_borough_sees_its_allocation_workings_and_history(client, formula, people):
    published, draft = formula
    versions.publish(draft, None)
    client.sign_in(people["lewisham_editor"])
    page = client.get_page(f"/organisations/{people['lewisham'].id}/lcpf")
    workings = page.find("caption", string=lambda text: text and "allocation and workings" in text).parent
    allocation = [td.get_text(strip=True) for td in workings.find("th", string="Allocation").parent.select("td")]
    assert allocation == [f"£{_amount(draft, 'Lewisham', 2026):,}", f"£{_amount(draft, 'Lewisham', 2027):,}"]
    history = page.find("caption", string=lambda text: text and "under every published version" in text).parent
    rows = [row.get_text(" ", strip=True) for row in history.tbody.select("tr")]
    assert rows[0].startswith("Draft 2026-28") and "Published" in rows[0]
    assert rows[1].startswith("Formula 2026") and "Superseded" in rows[1]
    assert f"£{_amount(published, 'Lewisham', 2026):,}" in rows[1]
    assert "Bromley" not in page.get_text()
    overview = client.get_page(f"/organisations/{people['lewisham'].id}")
    assert overview.find("a", href=f"/organisations/{people['lewisham'].id}/lcpf")


def test_a_boroughs_formula_page_before_anything_is_published_says_so(client, people):
    client.sign_in(people["lewisham_owner"])
    page = client.get_page(f"/organisations/{people['lewisham'].id}/lcpf")
    assert "No formula version has been published yet." in page.get_text()
    assert "No draft formula is out for consultation." in page.get_text()


# Demo


def test_the_demo_puts_a_draft_out_for_consultation_that_lewishams_borough_user_can_answer(client, mailbox):
    from portal.demo import lcpf_consultation
    from portal.demo.seed import load_demo_data
    from portal.lcpf.shipped import load_example_version, load_shipped_data
    from portal.models import Organisation, User

    load_demo_data()
    assert lcpf_consultation.load().startswith("Formula consultation: skipped")
    load_shipped_data()
    load_example_version()
    assert "open until 23 June 2026" in lcpf_consultation.load()
    assert "already" in lcpf_consultation.load()
    draft = db.session.scalar(sa.select(LcpfVersion).where(LcpfVersion.title == lcpf_consultation.TITLE))
    assert draft.status is LcpfVersionStatus.CONSULTATION
    council = db.session.scalar(sa.select(Organisation).where(Organisation.name == "London Borough of Lewisham"))
    client.sign_in(db.session.scalar(sa.select(User).where(User.email == "borough@demo.example.org")))
    page = client.get_page(f"/organisations/{council.id}/lcpf")
    assert page.find("a", href=consultation_url(council, draft))
    page = client.get_page(consultation_url(council, draft))
    assert page.find("textarea", attrs={"name": "body"}) is not None
    assert mailbox.messages == []


# Two at the same moment are taken one after the other (lock_row), each held after its checks


@pytest.mark.commits
def test_two_officers_opening_a_draft_at_once_open_it_once_and_send_one_set_of_emails(
    app, monkeypatch, formula, people, mailbox
):
    draft_id, officer_ids = formula[1].id, (people["officer"].id, create_officer(email="second@mopac.test").id)
    db.session.commit()
    held_after(monkeypatch, consultation, "is_working_day")
    mailbox.clear()

    def open_as(officer_id: int):
        return lambda: consultation.open_consultation(
            db.session.get(LcpfVersion, draft_id), date(2026, 6, 23), db.session.get(User, officer_id)
        )

    outcomes = at_once(app, *(open_as(officer_id) for officer_id in officer_ids))

    sent = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(sent) == 1 and sent[0] > 0, outcomes
    refused = [outcome for outcome in outcomes if isinstance(outcome, str)]
    assert len(refused) == 1 and "cannot become" in refused[0], outcomes  # the second found it already open
    db.session.rollback()  # read afresh, past what this session saw before
    opened = sa.select(sa.func.count()).where(AuditEvent.action == "lcpf_version.consultation_opened")
    assert db.session.scalar(opened) == 1
    assert len(mailbox.messages) == sent[0]


@pytest.mark.commits
def test_two_people_of_one_borough_responding_at_once_record_one_response(app, client, monkeypatch, formula, people):
    _, draft = formula
    open_it(client, people, draft)
    draft_id, council_id = draft.id, people["lewisham"].id
    member_ids = people["lewisham_owner"].id, people["lewisham_editor"].id
    db.session.commit()
    held_after(monkeypatch, consultation, "fetch_borough_response")

    def respond_as(member_id: int):  # each reads what it needs in its own thread's session
        get, body = db.session.get, f"Outer London is under-funded, says person {member_id}."
        return lambda: (
            consultation.submit_response(
                get(Organisation, council_id), get(LcpfVersion, draft_id), body, True, None, get(User, member_id)
            ).id
        )

    outcomes = at_once(app, *(respond_as(member_id) for member_id in member_ids))

    assert sorted(map(str, outcomes))[-1] == "Your borough has already responded to this consultation", outcomes
    assert isinstance(min(outcomes, key=str), int), outcomes
    db.session.rollback()  # read afresh, past what this session saw before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LcpfResponse)) == 1
