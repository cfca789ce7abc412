"""Fixtures for the integration tests only."""

import pytest
from flask import g, request_started


@pytest.fixture(autouse=True)
def fresh_g_for_each_request(app):
    """Give every request an empty ``g``, as it has in production.

    The suite's ``app_context`` fixture keeps one app context pushed for the whole test, and Flask reuses a pushed
    app context for each test-client request, so ``g`` would outlive the request. Flask-Login caches the signed-in
    user in ``g`` and Flask-WTF caches the CSRF token there: without this, a second client would act as the first
    one's user, and a POST after signing in or out would fail its CSRF check.
    """

    def clear_g(_sender, **_extra):
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(clear_g, app)
    yield
    request_started.disconnect(clear_g, app)
