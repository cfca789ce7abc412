"""Your data and subject access in a real browser, each page checked with axe-core."""

from datetime import timedelta

from playwright.sync_api import expect

from portal.database import utcnow
from portal.extensions import db
from portal.models import AlertSubscription, ExportStatus, PersonalDataExport, StaffRole
from tests.browser.conftest import sign_in_as
from tests.factories import create_member, create_organisation, create_user


def test_a_person_asks_for_their_data_and_sees_it_ready_to_download(page, assert_accessible, run_jobs):
    user = create_member(create_organisation("Peckham Women's Aid"), email="owner@example.org", full_name="Priya Shah")
    sign_in_as(page, user)
    page.goto("/account")
    page.get_by_role("link", name="Download your data").click()
    expect(page.locator("h1")).to_have_text("Your data")
    assert_accessible(page)

    page.get_by_role("button", name="Ask for a download of your data").click()
    expect(page.locator("h1")).to_have_text("Download of your data")
    run_jobs()
    # The page's own script reloads it when the export is ready.
    expect(page.get_by_role("button", name="Download your data (ZIP", exact=False)).to_be_visible()
    expect(page.get_by_text("Ready to download")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data (ZIP", exact=False).click()
    assert download.value.suggested_filename.startswith("your-data-")

    page.goto("/account/your-data")
    expect(page.get_by_role("table")).to_contain_text("Ready to download")
    assert_accessible(page)


def test_the_progress_bar_follows_the_download_being_prepared_and_an_expired_one_says_so(page, assert_accessible):
    user = create_user(email="waiting@example.org", full_name="Wes Waiting")
    export = PersonalDataExport(
        subject_user=user,
        subject_email=user.email,
        requested_by=user,
        status=ExportStatus.PREPARING,
        progress=45,
        message="Reading your records (20 of 40)",
        claimed_at=utcnow(),
    )
    db.session.add(export)
    db.session.commit()
    sign_in_as(page, user)
    page.goto(f"/account/your-data/{export.id}")
    expect(page.get_by_text("45% done: Reading your records (20 of 40)")).to_be_visible()
    assert page.get_by_role("progressbar", name="Progress").get_attribute("value") == "45"
    assert_accessible(page)

    export.status, export.progress, export.data = ExportStatus.READY, 100, b"PK"
    export.ready_at, export.expires_at, export.file_size = utcnow(), utcnow() - timedelta(minutes=1), 2
    db.session.commit()
    page.get_by_text("This download has expired").wait_for()
    expect(page.get_by_role("link", name="Ask for a new download of your data")).to_be_visible()
    assert_accessible(page)


def test_an_administrator_finds_a_person_and_exports_their_data_for_a_request(page, assert_accessible, run_jobs):
    admin = create_user(email="admin@example.org", full_name="Ada Admin", staff_role=StaffRole.ADMIN)
    db.session.add(AlertSubscription(email="walk.in@example.org", created_at=utcnow(), confirmed_at=utcnow()))
    db.session.commit()
    sign_in_as(page, admin)
    page.goto("/staff/")
    page.get_by_role("link", name="Subject access requests").click()
    expect(page.locator("h1")).to_have_text("Subject access requests")
    assert_accessible(page)

    page.get_by_label("Their email address").fill("not an email")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Their email address").fill("walk.in@example.org")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("No account has this email address")).to_be_visible()
    expect(page.get_by_role("heading", name="Email alerts")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Prepare the export").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the request's reference")
    assert_accessible(page)

    page.get_by_label("Request reference").fill("SAR-2026-014")
    page.get_by_label("Why the data is being exported").fill("Letter received 3 December, identity checked")
    page.get_by_role("button", name="Prepare the export").click()
    expect(page.locator("h1")).to_have_text("SAR-2026-014")
    run_jobs()
    # The page's own script reloads it when the export is ready.
    expect(page.get_by_role("button", name="Download the export (ZIP", exact=False)).to_be_visible()
    assert_accessible(page)

    page.goto("/staff/subject-access")
    expect(page.get_by_role("link", name="SAR-2026-014")).to_be_visible()
    assert_accessible(page)
