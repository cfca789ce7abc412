"""Funding in a borough for a financial year: the one definition used by the map, the dashboards, the borough pages
and every file made from them, so that no two of them can give a borough different figures.

- A service's funding for a year is the amount its award holds for that financial year (April to March): the
  award's ``AwardYear`` row. A service running across two financial years counts in each with that year's amount;
  an award that has ended counts in the years it ran; a withdrawn award, never published, counts nowhere.
- A service is shared among the boroughs it serves in proportion to their residents (2021 Census), in whole pence.
  The pence left over go one each to the boroughs with the largest fractions, ties to the first alphabetically,
  so a service's shares always add up to its funding and the same figures come out every time.
- A London-wide service (or one naming no borough) serves the 32 boroughs in the London Crime Prevention Fund, and
  the City of London as well when the service names it.

- A borough's own LCPF project (a project of its approved delivery plan, see
  :mod:`portal.directory.borough_projects`) counts in its borough alone, with the amount the plan gives it for
  the year. Projects are paid from the boroughs' allocations, not from a round's fund, so a figure for one fund
  leaves them out.
"""

import enum
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa

from portal.directory import borough_projects, published
from portal.extensions import db
from portal.models import Award, AwardServiceArea, AwardYear, LocalAuthority, ServiceArea
from portal.periods import financial_year_label, financial_year_start


def current_year() -> int:
    """The financial year (by the calendar year it starts in) that it is now in London."""
    return financial_year_start(published.london_today())


def available_years() -> list[int]:
    """The financial years with published funding, and the current one."""
    years = published.published_award_years().with_only_columns(AwardYear.financial_year).distinct()
    return sorted({current_year(), *db.session.scalars(years), *borough_projects.years_with_funding()})


def year_label(year: int) -> str:
    """How every heading and file names the period: ``2026`` → ``'2026/27'``."""
    return financial_year_label(year)


@dataclass(frozen=True)
class Borough:
    id: int
    gss_code: str
    name: str
    residents: int
    in_lcpf: bool


def share_by_residents(pence: int, boroughs: list[Borough]) -> dict[int, int]:
    """Share ``pence`` among ``boroughs`` (in name order) by residents, in whole pence that add up to ``pence``."""
    if not boroughs:
        return {}
    return dict(zip((b.id for b in boroughs), _shares(pence, _residents(boroughs)), strict=True))


def _residents(boroughs: list[Borough]) -> tuple[int, ...]:
    """The boroughs' residents to share by: with no census figure at all, one each, sharing equally rather than
    losing the money."""
    residents = tuple(b.residents for b in boroughs)
    return residents if sum(residents) else (1,) * len(residents)


def _shares(pence: int, residents: tuple[int, ...]) -> list[int]:
    """:func:`share_by_residents` for boroughs with these residents, in the same order: each gets its whole pence,
    and what is left goes a penny each to the largest fractions, ties to the first."""
    people = sum(residents)
    products = [pence * count for count in residents]
    shares = [product // people for product in products]
    left = pence - sum(shares)
    if left:
        fractions = [product % people for product in products]
        # A stable sort, largest first, keeps tied boroughs in name order.
        for position in sorted(range(len(fractions)), key=fractions.__getitem__, reverse=True)[:left]:
            shares[position] += 1
    return shares


class Reach(enum.StrEnum):
    """Whom one service serves: its own borough, several, or London as a whole."""

    OWN = "own"
    MULTI = "multi"
    LONDON_WIDE = "london_wide"

    @property
    def label(self) -> str:
        return {"own": "This borough only", "multi": "Several boroughs", "london_wide": "London-wide"}[self.value]


@dataclass
class ServiceShares:
    award_id: int | None  # None for a borough's LCPF project
    title: str
    reach: Reach
    pence: int  # the service's funding for the year
    shares: dict[int, int] = field(default_factory=dict)  # local authority id → pence
    project_id: int | None = None


@dataclass
class BoroughFunding:
    """Every published service's funding for one financial year and its share in each borough."""

    year: int
    boroughs: list[Borough]  # in name order
    services: list[ServiceShares]  # by title

    @property
    def label(self) -> str:
        return year_label(self.year)

    @cached_property
    def by_borough(self) -> dict[int, int]:
        totals: dict[int, int] = defaultdict(int)
        for service in self.services:
            for borough_id, pence in service.shares.items():
                totals[borough_id] += pence
        return dict(totals)

    def pence(self, borough_id: int) -> int:
        return self.by_borough.get(borough_id, 0)

    def services_in(self, borough_id: int) -> list[ServiceShares]:
        return [service for service in self.services if borough_id in service.shares]

    @property
    def total_pence(self) -> int:
        return sum(service.pence for service in self.services)

    @property
    def residents(self) -> int:
        return sum(b.residents for b in self.boroughs)


class Sharing:
    """Which boroughs each published award serves, and how an amount per award is shared among them.

    A caller that has already read the local authorities, or which awards are London-wide, hands them over
    rather than having them read again."""

    def __init__(self, boroughs: list[Borough] | None = None, london_wide: set[int] | None = None):
        if boroughs is not None:
            self.boroughs = boroughs
        if london_wide is not None:
            self._london_wide = london_wide
        self._served: dict[tuple[bool, frozenset[int]], tuple[list[Borough], frozenset[int]]] = {}

    @cached_property
    def boroughs(self) -> list[Borough]:
        query = sa.select(
            LocalAuthority.id,
            LocalAuthority.gss_code,
            LocalAuthority.name,
            LocalAuthority.residents_2021,
            LocalAuthority.in_lcpf,
        ).order_by(LocalAuthority.name)
        return [Borough(*row) for row in db.session.execute(query)]

    def named(self, award_id: int) -> set[int]:
        """The ids of the boroughs an award names (none for one that names none)."""
        return self._named.get(award_id, set())

    @cached_property
    def _named(self) -> dict[int, set[int]]:
        named: dict[int, set[int]] = defaultdict(set)
        for award_id, borough_id in db.session.execute(published.published_award_boroughs()):
            named[award_id].add(borough_id)
        return named

    @cached_property
    def _london_wide(self) -> set[int]:
        london_wide = published.published_awards().where(Award.works_pan_london.is_(True))
        return set(db.session.scalars(london_wide.with_only_columns(Award.id)))

    def reach(self, award_id: int) -> Reach:
        named = self._named.get(award_id, set())
        if award_id in self._london_wide or not named:
            return Reach.LONDON_WIDE
        return Reach.OWN if len(named) == 1 else Reach.MULTI

    def served(self, award_id: int) -> list[Borough]:
        """The boroughs an award serves, in name order (one list for all the awards that serve the same ones: not
        to be changed)."""
        return self._served_and_ids(award_id)[0]

    def serves(self, award_id: int, borough_id: int) -> bool:
        return borough_id in self._served_and_ids(award_id)[1]

    def _served_and_ids(self, award_id: int) -> tuple[list[Borough], frozenset[int]]:
        named = self._named.get(award_id, set())
        london_wide = award_id in self._london_wide or not named
        key = (london_wide, frozenset(named))
        found = self._served.get(key)
        if found is None:
            if london_wide:
                boroughs = [b for b in self.boroughs if b.in_lcpf or b.id in named]
            else:
                boroughs = [b for b in self.boroughs if b.id in named]
            found = self._served[key] = (boroughs, frozenset(b.id for b in boroughs))
        return found

    def apportion(self, amounts: dict[int, int]) -> dict[int, int]:
        """Pence per local authority from pence per award."""
        # Awards serving the same boroughs (the same list from :meth:`served`) are added up together: the boroughs,
        # their residents and a list of totals in the boroughs' order.
        groups: dict[int, tuple[list[Borough], tuple[int, ...], list[int]]] = {}
        for award_id, pence in amounts.items():
            served = self.served(award_id)
            if not served:
                continue
            group = groups.get(id(served))
            if group is None:
                group = groups[id(served)] = (served, _residents(served), [0] * len(served))
            _, residents, totals = group
            totals[:] = map(operator.add, totals, _shares(pence, residents))
        by_borough: dict[int, int] = defaultdict(int)
        for served, _, totals in groups.values():
            for borough, pence in zip(served, totals, strict=True):
                by_borough[borough.id] += pence
        return dict(by_borough)


def funding_for_year(
    year: int, *, fund_id: int | None = None, service_area: ServiceArea | None = None, borough_id: int | None = None
) -> BoroughFunding:
    """Each published service's funding in financial year ``year``, shared among the boroughs it serves.

    With ``borough_id``, only the services serving that borough are shared out (the others keep no shares): enough
    for that borough's figures and London's total, which is all its page shows, for a fraction of the work."""
    query = (
        published.published_award_years()
        .with_only_columns(AwardYear.award_id, Award.title, AwardYear.amount_pence)
        .where(AwardYear.financial_year == year, AwardYear.amount_pence > 0)
        .order_by(Award.title, Award.id)
    )
    if fund_id is not None:
        query = query.where(Award.fund_id == fund_id)
    if service_area is not None:
        query = query.where(
            sa.exists(
                sa.select(AwardServiceArea.award_id).where(
                    AwardServiceArea.award_id == Award.id, AwardServiceArea.service_area == service_area
                )
            )
        )
    sharing = Sharing()
    services = [
        ServiceShares(
            award_id=award_id,
            title=title,
            reach=sharing.reach(award_id),
            pence=int(pence),
            shares=share_by_residents(int(pence), sharing.served(award_id))
            if borough_id is None or sharing.serves(award_id, borough_id)
            else {},
        )
        for award_id, title, pence in db.session.execute(query)
    ]
    projects = project_shares(year, service_area=service_area) if fund_id is None else []
    if projects:
        services = sorted(
            services + projects,
            key=lambda s: (s.title.casefold(), s.title, s.project_id is not None, s.award_id or s.project_id),
        )
    return BoroughFunding(year=year, boroughs=sharing.boroughs, services=services)


def project_shares(year: int, *, service_area: ServiceArea | None = None) -> list[ServiceShares]:
    """The boroughs' public LCPF projects with funding in ``year``, each wholly in its own borough."""
    return [
        ServiceShares(
            award_id=None,
            project_id=project.id,
            title=project.name,
            reach=Reach.OWN,
            pence=project.amount_for(year),
            shares={project.local_authority_id: project.amount_for(year)},
        )
        for project in borough_projects.all_public_projects()
        if project.amount_for(year) > 0 and (service_area is None or service_area in project.service_areas)
    ]
