"""The one way the portal reads and writes its shared cache.

The cache only saves work: every cached value can be worked out again. So a cache that cannot be reached (Redis
restarting, say) is treated as a miss on read and ignored on write, and the page is worked out as if nothing had
been cached. Each failure is logged, once per call, so an operator sees that the cache is down.
"""

import logging
from collections.abc import Callable
from typing import Any

from portal.extensions import cache

log = logging.getLogger(__name__)


def get(key: str) -> Any | None:
    try:
        return cache.get(key)
    except Exception as error:
        log.warning("cache unreachable, reading %s as a miss: %s", key, error)
        return None


def set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        log.warning("cache unreachable, %s not kept: %s", key, error)


def get_or_make(key: str, make: Callable[[], Any], timeout: int) -> Any:
    """The cached value for ``key``, or ``make()`` (kept for ``timeout`` seconds when the cache can be reached)."""
    found = get(key)
    if found is None:
        found = make()
        set(key, found, timeout)
    return found


def clear() -> None:
    """Forget every cached figure. When the cache cannot be reached it is logged; the entries expire by themselves
    within ``PUBLIC_CACHE_SECONDS``."""
    try:
        cache.clear()
    except Exception as error:
        log.warning("cache unreachable, not cleared: %s", error)
