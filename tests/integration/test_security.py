import re

import pytest

from config import ProductionConfig
from tests.conftest import another_app

PAGES = ["/", "/sign-in", "/register", "/cookies"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_content_security_policy_that_forbids_inline_scripts(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "'self'" in script_src
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_scripts_or_event_handlers(client, path):
    page = client.get_page(path)
    for script in page.find_all("script"):
        assert script.get("src"), f"inline script on {path}: {script}"
    for element in page.find_all(True):
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert not handlers, f"inline event handler on {path}: {element.name} {handlers}"


def test_pages_send_the_other_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_form_carries_a_csrf_token(client):
    page = client.get_page("/register")
    for form in page.find_all("form", method=re.compile("post", re.I)):
        assert form.find("input", attrs={"name": "csrf_token"}), form


def test_a_post_without_a_csrf_token_is_refused_and_saves_nothing(client):
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "whatever"})
    assert response.status_code == 400
    assert "Your form could not be sent" in response.text


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1/none")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.check()


def test_production_session_cookies_are_secure_and_http_only(monkeypatch, app):
    with another_app(
        app, ProductionConfig, SECRET_KEY="a-long-random-secret-for-this-test-only", FORCE_HTTPS=False
    ) as production:
        assert production.config["SESSION_COOKIE_SECURE"] is True
        assert production.config["SESSION_COOKIE_HTTPONLY"] is True
        assert production.config["REMEMBER_COOKIE_SECURE"] is True
        with production.test_client() as client:
            response = client.get("/sign-in")
            cookie = response.headers.get("Set-Cookie", "")
            assert "Secure" in cookie and "HttpOnly" in cookie


def test_outside_production_the_key_is_random_and_kept_in_the_instance_folder(app):
    from config import INSTANCE_DIR

    assert app.config["SECRET_KEY"] == (INSTANCE_DIR / "secret_key").read_text().strip()
    assert len(app.config["SECRET_KEY"]) == 64 and "development" not in app.config["SECRET_KEY"]


def test_processes_starting_together_all_read_the_one_kept_key(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    from portal import kept_secret_key

    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(kept_secret_key, [path] * 64))
    assert keys == {path.read_text().strip()}
    assert len(path.read_text()) == 64
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_cookie_forged_with_the_formerly_published_key_opens_nothing(app, client):
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    from portal.models import StaffRole
    from tests.factories import create_user

    admin = create_user(staff_role=StaffRole.ADMIN)
    forger = Flask("forger")
    forger.secret_key = "development-only-secret-key-change-me"
    forged = (
        SecureCookieSessionInterface()
        .get_signing_serializer(forger)
        .dumps({"_user_id": admin.get_id(), "_fresh": True})
    )
    client.set_cookie("session", forged)

    assert client.get("/staff/").headers["Location"].startswith("/sign-in")
