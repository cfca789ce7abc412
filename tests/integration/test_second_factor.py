"""The second factor: staff give a code from an authenticator app at sign-in, set one up before any staff page,
can fall back on single-use recovery codes, and have a lost one reset by another administrator."""

import pyotp
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from config import ProductionConfig
from portal.auth.second_factor import DEMO_TOTP_SECRET, current_code
from portal.extensions import db
from portal.models import AuditEvent, RecoveryCode, StaffRole, User
from tests.client import error_messages, summary_errors
from tests.conftest import another_app
from tests.factories import PASSWORD, create_user

CODE_PAGE = "/sign-in/security-code"
WRONG_CODE = "The security code is not right, or has been used already. Enter the code your app shows now"


def give_password(client, user: User):
    return client.post_form("/sign-in", {"email": user.email, "password": PASSWORD})


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def previous_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(pyotp.utils.datetime.datetime.now()) - 1)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_staff_are_asked_for_a_code_after_their_password_and_are_not_signed_in_until_they_give_it(client):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)

    assert give_password(client, officer).headers["Location"] == CODE_PAGE
    assert not is_signed_in(client)
    page = client.get_page(CODE_PAGE)
    assert page.find("h1").get_text(strip=True) == "Enter your security code"

    response = client.post_form(CODE_PAGE, {"code": current_code(officer.totp_secret)})

    assert response.headers["Location"] == "/staff/"
    assert is_signed_in(client)
    assert "auth.signed_in" in actions()


def test_a_wrong_or_missing_code_is_explained_beside_the_field(client):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    give_password(client, officer)

    empty = client.post_form(CODE_PAGE, {"code": ""}, expected_status=200)
    wrong = client.post_form(CODE_PAGE, {"code": "000000"}, expected_status=200)

    assert error_messages(empty) == {"code": "Enter the 6-digit security code from your authenticator app"}
    assert summary_errors(wrong) == [WRONG_CODE]
    assert not is_signed_in(client)
    assert "auth.sign_in_failed" in actions()


def test_a_code_cannot_be_used_twice(client, app):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    code = current_code(officer.totp_secret)
    give_password(client, officer)
    client.post_form(CODE_PAGE, {"code": code})
    client.post_form("/sign-out")

    thief = app.test_client()
    give_password(thief, officer)
    page = thief.post_form(CODE_PAGE, {"code": code}, expected_status=200)

    assert error_messages(page) == {"code": WRONG_CODE}
    assert not is_signed_in(thief)


def test_the_code_step_cannot_be_reached_without_the_password(client):
    response = client.get(CODE_PAGE)

    assert response.headers["Location"] == "/sign-in"


def test_a_recovery_code_signs_in_once_and_the_owner_is_told(client, mailbox):
    user = create_user(staff_role=StaffRole.REVIEWER, second_factor=False)
    client.sign_in(user)
    codes = set_up_through_the_pages(client, user)
    client.post_form("/sign-out")

    give_password(client, user)
    response = client.post_form("/sign-in/recovery-code", {"code": codes[0].upper()})
    assert response.headers["Location"] == "/staff/"
    client.post_form("/sign-out")

    give_password(client, user)
    page = client.post_form("/sign-in/recovery-code", {"code": codes[0]}, expected_status=200)
    assert error_messages(page) == {"code": "The recovery code is not right, or has been used already"}
    assert mailbox.last_to(user.email)["Subject"] == "A recovery code was used to sign in"
    assert "You have 9 recovery codes left" in mailbox.last_to(user.email).get_content()
    assert "auth.recovery_code_used" in actions()


def set_up_through_the_pages(client, user: User) -> list[str]:
    page = client.get_page("/account/second-factor/set-up")
    assert page.find("img", alt="QR code to scan with your authenticator app")["src"].startswith("data:image/svg+xml")
    with client.session_transaction() as session:
        secret = session["new_totp_secret"]
    assert secret.replace(" ", "")[:8] in page.get_text().replace(" ", "")  # the key in text, for those who cannot scan

    wrong = client.post_form("/account/second-factor/set-up", {"code": "123456"}, expected_status=200)
    assert error_messages(wrong) == {
        "code": "The code is not right. Check your app and enter the 6-digit code it shows now"
    }
    response = client.post_form("/account/second-factor/set-up", {"code": current_code(secret)})
    assert response.headers["Location"] == "/account/second-factor/recovery-codes"
    shown = client.get_page("/account/second-factor/recovery-codes")
    codes = [code.get_text(strip=True) for code in shown.select(".app-recovery-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once only, and kept only as hashes.
    assert client.get("/account/second-factor/recovery-codes").headers["Location"] == "/account"
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)
    return codes


@pytest.mark.parametrize("role", list(StaffRole))
def test_staff_without_a_second_factor_reach_no_staff_page_until_they_set_one_up(client, app, role):
    user = create_user(staff_role=role, second_factor=False)
    client.sign_in(user)
    staff_pages = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and getattr(app.view_functions[rule.endpoint], "permission_policy", "public") != "public"
        and rule.endpoint not in {"auth.set_up_second_factor", "auth.new_recovery_codes"}
    )
    assert "/staff/" in staff_pages and "/account" in staff_pages

    for url in staff_pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/account/second-factor/set-up", url
    # A form posted to a staff page is stopped too.
    assert client.post_form("/staff/users/new", {}).headers["Location"] == "/account/second-factor/set-up"

    set_up_through_the_pages(client, user)
    assert client.get("/staff/").status_code == 200


def test_someone_who_is_not_staff_may_turn_on_a_second_factor_and_is_then_asked_for_it(client):
    user = create_user()
    client.sign_in(user)
    assert client.get("/account").status_code == 200

    set_up_through_the_pages(client, user)
    client.post_form("/sign-out")

    assert give_password(client, user).headers["Location"] == CODE_PAGE


def test_an_administrator_resets_a_lost_second_factor_which_signs_its_owner_out(client, app, mailbox):
    admin = create_user(staff_role=StaffRole.ADMIN)
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    officers_browser = app.test_client().sign_in(officer)
    client.sign_in(admin)

    response = client.post_form(f"/staff/users/{officer.id}/second-factor/reset")

    assert response.headers["Location"] == f"/staff/users/{officer.id}"
    db.session.refresh(officer)
    assert officer.totp_secret is None and not officer.has_second_factor
    assert officers_browser.get("/staff/").headers["Location"].startswith("/sign-in")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "auth.second_factor_reset"))
    assert (event.subject_id, event.actor_id) == (officer.id, admin.id)
    assert mailbox.last_to(officer.email)["Subject"] == "Your second factor has been reset"


def test_an_administrator_cannot_reset_their_own_second_factor(client):
    admin = create_user(staff_role=StaffRole.ADMIN)
    client.sign_in(admin)

    client.post_form(f"/staff/users/{admin.id}/second-factor/reset")

    db.session.refresh(admin)
    assert admin.has_second_factor
    assert "auth.second_factor_reset" not in actions()


def test_the_demo_secret_works_outside_production_and_the_cli_prints_its_code(client, app):
    officer = create_user("officer@example.org", staff_role=StaffRole.GRANT_OFFICER)
    officer.totp_secret = DEMO_TOTP_SECRET
    db.session.commit()

    result = CliRunner().invoke(app.cli, ["demo", "totp", "officer@example.org"], obj=None, catch_exceptions=False)
    code = result.output.strip()
    assert code == current_code(DEMO_TOTP_SECRET)

    give_password(client, officer)
    assert client.post_form(CODE_PAGE, {"code": code}).headers["Location"] == "/staff/"


def test_production_never_accepts_the_demo_secret(app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    officer.totp_secret = DEMO_TOTP_SECRET
    db.session.commit()
    from portal.auth.second_factor import check_code

    with (
        another_app(app, ProductionConfig, SECRET_KEY="x" * 40, FORCE_HTTPS=False) as production,
        production.app_context(),
    ):
        user = db.session.get(User, officer.id)
        assert not check_code(user, current_code(DEMO_TOTP_SECRET))
