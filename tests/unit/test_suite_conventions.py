"""How the suite itself is written, where a slip would make other tests fail at random."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_a_second_app_is_started_only_through_another_app():
    """Each app that starts points the one sign-in limiter in the process at its own storage. ``another_app`` (in
    the suite's conftest) starts a second app on this worker's Redis and points the limiter back afterwards; an app
    started any other way left this worker counting in, and emptying, another worker's Redis database."""
    started_elsewhere = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if path not in (TESTS / "conftest.py", Path(__file__).resolve())
        and "create_app(" in path.read_text(encoding="utf-8")
    ]
    assert started_elsewhere == []
