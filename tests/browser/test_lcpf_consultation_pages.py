"""The consultation pages in a real browser, each checked with axe-core: an officer opens a draft for consultation
(with a mistake first), a borough council sees its figures and responds with a document (with mistakes first), the
officer reads it and replies, and the borough sees the reply and its formula page."""

import pytest
from playwright.sync_api import expect

from portal.lcpf import versions
from portal.models import MembershipRole
from tests.browser.conftest import sign_in_as
from tests.factories import create_member
from tests.factories_assessment import create_officer
from tests.factories_boroughs import create_council
from tests.lcpf_support import import_real_files, parameters

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.mark.long
def test_a_consultation_from_opening_to_reply(page, assert_accessible, assert_fits_a_phone):
    import_real_files()
    versions.publish(versions.create_draft("Formula 2026", parameters(13_000_000), None), None)
    draft = versions.create_draft("Draft formula 2026-28", parameters(13_500_000, years=(2026, 2027)), None)
    council, owner = create_council("Lewisham", email="lcpf@lewisham.example.org")
    create_member(council, MembershipRole.EDITOR, email="editor@lewisham.example.org")
    officer = create_officer()
    # Plain ids: reading a row again mid-test would hold an SQLite read open while the browser writes.
    draft_id, council_id = draft.id, council.id

    sign_in_as(page, officer)
    page.goto("/staff/lcpf/consultations")
    assert_accessible(page)
    page.get_by_role("link", name="Draft formula 2026-28").click()
    expect(page.get_by_role("heading", name="Open this draft for consultation")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/staff/lcpf/versions/{draft_id}")
    expect(page.get_by_role("heading", name="Consultation with the boroughs")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Open for consultation").click()
    expect(page.get_by_role("heading", name="Open this draft for consultation")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill("")
    page.get_by_role("button", name="Open for consultation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "Closing date must include a day" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.goto(f"/staff/lcpf/versions/{draft_id}/consultation")
    page.get_by_role("button", name="Open for consultation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is open for consultation until")
    assert "No borough has responded yet." in page.locator("main").inner_text()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{council_id}")
    page.get_by_role("link", name="See your borough under the funding formula").click()
    expect(page.get_by_role("heading", name="Lewisham under the funding formula")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_role("link", name="Draft formula 2026-28").click()
    expect(page.get_by_role("heading", name="Consultation: Draft formula 2026-28")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_label("Your borough's response").fill("Please keep the floor at 97%.")
    page.get_by_role("button", name="Send response").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "Select whether we may publish your response in full" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Your borough's response").input_value() == "Please keep the floor at 97%."
    assert_accessible(page)
    page.get_by_label("Supporting document (optional)").set_input_files(
        {"name": "lewisham.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("No, publish only the officer's summary of it").check()
    page.get_by_role("button", name="Send response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response sent.")
    expect(page.get_by_role("link", name="lewisham.pdf")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in_as(page, officer)
    page.goto(f"/staff/lcpf/versions/{draft_id}/consultation")
    page.get_by_role("link", name="Lewisham").click()
    expect(page.get_by_role("heading", name="Lewisham's response")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reply to the borough").fill("We will keep the floor.")
    page.get_by_role("button", name="Save reply").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("One-line summary of the response").fill("Asks to keep the floor")
    page.get_by_role("button", name="Save reply").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reply saved and emailed")
    assert "Replied" in page.get_by_role("row", name="Lewisham").inner_text()
    page.goto(f"/staff/lcpf/versions/{draft_id}")
    expect(page.get_by_text("1 of 1 borough councils have responded")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{council_id}/lcpf/consultations/{draft_id}")
    expect(page.get_by_text("We will keep the floor.")).to_be_visible()
    assert_accessible(page)
