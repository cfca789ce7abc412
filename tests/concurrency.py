"""Two requests at the same moment, as two web processes would make them: each action runs in a thread of its own
with its own app context, so its own database session and connection."""

import contextlib
import threading
from collections.abc import Callable

from portal.errors import DomainError
from portal.extensions import db


def held_after(monkeypatch, module, name: str) -> None:
    """Make ``module.name`` wait for the other thread: both get past it together only if nothing holds one back."""
    both_there = threading.Barrier(2, timeout=2)
    original = getattr(module, name)

    def wait_for_the_other(*args, **kwargs):
        result = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_there.wait()
        return result

    monkeypatch.setattr(module, name, wait_for_the_other)


def at_once(app, *actions: Callable[[], object]) -> list[object]:
    """Run each action in a thread of its own and return what each returned, or the message of its DomainError."""
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        with app.app_context():
            try:
                outcomes[index] = action()
            except DomainError as error:
                outcomes[index] = error.message
            except Exception as error:
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
