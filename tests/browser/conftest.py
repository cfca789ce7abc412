"""Browser tests: Playwright drives Debian's Chromium against the app served on loopback, and axe-core checks
each page against WCAG 2.2 A and AA."""

import os
import shutil
import threading

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

# Pages are served by a threaded development server while other test workers share the machine: a check that waits
# for what a click leads to gets the time a loaded machine needs, and is never read off a page not yet replaced.
expect.set_options(timeout=15_000)

EVALUATE_TIMEOUT_MS = 60_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def assets_kept_by_the_browser(app):
    """The app, with its static files (stylesheets, scripts, fonts, images) marked as kept for a day.

    Flask asks the browser to check back for each of them on every page, which within one test made every page
    load send half a dozen requests to the threaded live server and wait for the answers. The files do not change
    while the suite runs, so the browser may keep them; the pages themselves are answered as they always are."""
    static_path = app.static_url_path + "/"

    def serve(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(static_path):
            return app(environ, start_response)

        def start(status, headers, exc_info=None):
            if status.startswith("200"):
                headers = [(name, value) for name, value in headers if name.lower() != "cache-control"]
                headers.append(("Cache-Control", "public, max-age=86400, immutable"))
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return serve


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, assets_kept_by_the_browser(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# Debian's headless shell (its command in /usr/bin is a script that runs this binary), then the full browser.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"


def chromium_executable() -> str | None:
    """The Chromium to drive: one named in ``CHROMIUM_PATH``, else the headless shell, which renders the same pages
    with the same engine for about half the processor time of the full browser, else the full browser."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    if os.access(HEADLESS_SHELL, os.X_OK):
        return HEADLESS_SHELL
    return shutil.which("chromium-headless-shell") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if not executable:
        pytest.fail("Chromium is not installed: run `make test`, which installs Debian's chromium-headless-shell")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    # Broken assets and script errors fail the accessibility check too. A page's own status (404, 403) is the
    # test's business, and Chromium reports it on the console, so documents are left out.
    problems = []
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.request.resource_type != "document"
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def assert_accessible(axe_source):
    """Run axe-core on the page as it is now and fail with a readable list of any WCAG 2.2 A/AA violation."""

    def check(page: Page) -> None:
        # Measure the page as people see it: styles applied and web fonts loaded (target sizes depend on both).
        page.wait_for_load_state("load")
        # A page's promise has no timeout of its own in Playwright, so each is raced against one: a font or a check
        # that never settles fails this test instead of holding the whole suite.
        page.evaluate(
            "async (ms) => { await Promise.race([document.fonts.ready, new Promise(r => setTimeout(r, ms))]); }",
            EVALUATE_TIMEOUT_MS,
        )
        # axe-core (650 KB of script) is handed to a document only when it is checked: set up in every document as
        # it opened, it was compiled for the pages that are never checked too (about 620 pages opened, 400 checked).
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        result = page.evaluate(
            """async ([tags, ms]) => await Promise.race([
                axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
                    .then((result) => ({violations: result.violations})),
                new Promise((_, reject) => setTimeout(() => reject(new Error('axe did not finish')), ms)),
            ])""",
            [WCAG_TAGS, EVALUATE_TIMEOUT_MS],
        )
        violations = result["violations"]
        report = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n    "
            + "\n    ".join(
                node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                for node in v["nodes"][:5]
            )
            for v in violations
        )
        assert not violations, f"{page.url} has accessibility violations:\n{report}"
        assert not page.problems, f"{page.url} had problems: {page.problems}"

    return check


PHONE_WIDTH = 375


@pytest.fixture
def assert_fits_a_phone():
    """Check that the page as it is now needs no sideways scrolling on a 375 px wide phone (WCAG 1.4.10 reflow):
    the viewport is narrowed, the page measured, and the viewport put back."""

    def check(page: Page) -> None:
        size = page.viewport_size
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        try:
            page.wait_for_load_state("load")
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{page.url} scrolls sideways at {PHONE_WIDTH} px: {widths[0]} px wide"
        finally:
            if size:
                page.set_viewport_size(size)

    return check


def second_factor_ready(email: str) -> str | None:
    """The secret of the person's authenticator app, if they have one, with the record of the last code they used
    cleared, so that a test may sign in as the same person twice within one 30-second step.

    The test's own transaction ends first and the change is a transaction of its own: on SQLite, a transaction that
    has read and then writes after one of the browser's requests has written is refused ("database is locked")."""
    import sqlalchemy as sa

    from portal.auth.services import fetch_user_by_email
    from portal.extensions import db
    from portal.models import User

    db.session.commit()
    user = fetch_user_by_email(email)
    secret = user.totp_secret if user is not None and user.has_second_factor else None
    user_id = user.id if user is not None else None
    db.session.commit()
    if secret:
        db.session.execute(sa.update(User).where(User.id == user_id).values(totp_last_step=None))
        db.session.commit()
    return secret


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the form, and give the code from the user's authenticator app when asked for it.

    A test may sign in as the same person twice within one 30-second step, so the record of the last code used is
    cleared first: using a code twice has tests of its own.
    """
    from portal.auth.second_factor import current_code

    secret = second_factor_ready(email)
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).and_(page.locator("input")).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if secret and page.url.split("?")[0].endswith("/sign-in/security-code"):
        page.get_by_label("Enter your security code").fill(current_code(secret))
        page.get_by_role("button", name="Continue").click()


def sign_in_as(page: Page, user) -> None:
    """Sign in as a user made by the factories, with the shared test password, and open the page signing in leads to.

    The sign-in form and the security code are posted by the app's test client as this browser (its user agent),
    and the browser is handed the session cookie they earned: the same sign-in, for one page in the browser instead
    of four. Tests of the sign-in pages themselves fill them in with ``sign_in``.
    """
    from flask import current_app

    from portal.auth.second_factor import current_code
    from tests.client import PortalClient
    from tests.factories import PASSWORD

    secret = second_factor_ready(user.email)
    client = PortalClient(current_app, current_app.response_class)
    client.environ_base["HTTP_USER_AGENT"] = page.evaluate("navigator.userAgent")
    landing = client.post_form("/sign-in", {"email": user.email, "password": PASSWORD}).headers["Location"]
    if secret and landing.split("?")[0].endswith("/sign-in/security-code"):
        landing = client.post_form("/sign-in/security-code", {"code": current_code(secret)}).headers["Location"]
    cookie = client.get_cookie(current_app.config["SESSION_COOKIE_NAME"])
    # Cookies are not kept per port: the live server's host is enough.
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": "/"}])
    page.goto(landing)
