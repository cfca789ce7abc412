"""Old addresses of pages that moved under their owner.

A page that moved (an award's return from /staff/monitoring/returns/<return> to
/staff/monitoring/awards/<award>/returns/<return>) keeps answering at its old address for bookmarks, emails already
sent and forms already open: with a permanent redirect, 308 rather than 301, so that a form's POST is sent on as a
POST. The old address loads the object it names as the new one does, so it redirects only someone who may see the
page (unknown: 404, not theirs: 403), and never reveals where another organisation's record now lives.
"""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, redirect, url_for
from flask.typing import ResponseReturnValue

from portal.permissions import Permission, permission_required


def redirect_moved(
    blueprint: Blueprint,
    old_rule: str,
    endpoint: str,
    *,
    permission: Permission,
    load: Callable[[Callable], Callable],
    address: Callable[..., dict[str, Any]],
    methods: Iterable[str] = ("GET",),
) -> None:
    """Answer ``old_rule`` with a 308 to the blueprint's ``endpoint`` for what the old address names. ``load``
    is the :func:`portal.permissions.loads` decorator (or a stack of them) that loads its objects; ``address`` is
    called with those objects and any other URL parameters, as a view would be, and gives the new address's URL
    parameters. The old address is the endpoint ``<endpoint>_moved``, under the same permission."""

    def moved(**loaded: Any) -> ResponseReturnValue:
        return redirect(url_for(f"{blueprint.name}.{endpoint}", **address(**loaded)), 308)

    blueprint.add_url_rule(
        old_rule,
        endpoint=f"{endpoint}_moved",
        view_func=permission_required(permission)(load(moved)),
        methods=list(methods),
    )
