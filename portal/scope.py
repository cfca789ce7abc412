from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """Who a record belongs to: the organisations that own it and the boroughs it is about.

    Every model that permission checks cover returns one from ``permission_scope()``. ``user_ids`` names the
    people a record is personally assigned to, such as the reviewer of a review assignment.
    """

    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    local_authority_ids: frozenset[int] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)
