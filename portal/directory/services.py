"""The directory of funded services and the map's borough figures, read through :mod:`portal.directory.published`.

Everything here is built from plain values (no database objects), so a page of results and the borough figures
can be kept in the cache and shared between people: they hold nothing that differs by who is asking.

Each funded service is an approved award (from a bid or a direct award) or a project of a borough's approved LCPF
delivery plan (:mod:`portal.directory.borough_projects`); both are summarised into the same :class:`ServiceRow`.
"""

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import lazyload

from portal import caching
from portal.database import utcnow
from portal.directory import borough_funding, borough_projects, postcodes, published
from portal.directory.published import Phase
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    Fund,
    LocalAuthority,
    Measure,
    Organisation,
    PerformanceRecord,
    PostcodeDistrict,
    Rag,
    ServiceArea,
    award_borough,
)
from portal.models.funding import Round, round_borough

SERVICES_PER_PAGE = 25
# "current": what is running or about to: the default, since the directory is for finding a service now.
PHASE_CHOICES = {
    "current": "Active or starting soon",
    Phase.ACTIVE.value: "Active now",
    Phase.NOT_STARTED.value: "Not started yet",
    Phase.ENDED.value: "Ended",
    "all": "All, including ended",
}
RATING_CHOICES = {"green": "Green", "amber": "Amber", "red": "Red", "none": "Not rated yet"}
SHADE_CHOICES = {"per_resident": "Funding per resident", "services": "Number of services"}
BAND_COUNT = 5


def cache_seconds() -> int:
    seconds: int = current_app.config["PUBLIC_CACHE_SECONDS"]
    return seconds


# ---------------------------------------------------------------------------------------------------------------
# Filters, read from the query string so that a search can be shared as a link


@dataclass
class Filters:
    borough: LocalAuthority | None = None
    postcode: str = ""
    district: PostcodeDistrict | None = None
    service_area: ServiceArea | None = None
    fund: Fund | None = None
    provider: str = ""
    rating: str = ""
    phase: str = "current"
    lcpf_boroughs: bool = False  # only the boroughs' own LCPF projects
    errors: list[DomainError] = field(default_factory=list)

    @property
    def borough_ids(self) -> list[int] | None:
        """The boroughs to show services in: the one chosen, or every borough the postcode district may be in."""
        if self.borough is not None:
            return [self.borough.id]
        if self.district is not None:
            return [la.id for la in self.district.boroughs]
        return None

    @property
    def any(self) -> bool:
        return bool(
            self.borough
            or self.postcode
            or self.service_area
            or self.fund
            or self.lcpf_boroughs
            or self.provider
            or self.rating
        ) or (self.phase != "current")

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out), with ``changes`` applied."""
        args = {
            "postcode": self.postcode,
            "borough": self.borough.gss_code if self.borough else "",
            "area": self.service_area.value if self.service_area else "",
            "fund": str(self.fund.id)
            if self.fund
            else (borough_projects.FUND_FILTER_VALUE if self.lcpf_boroughs else ""),
            "provider": self.provider,
            "rating": self.rating,
            "phase": "" if self.phase == "current" else self.phase,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value}

    def cache_key(self, page: int) -> str:
        return urlencode(sorted({**self.query_args(), "page": str(page)}.items()))


def read_filters(args: Mapping[str, str]) -> Filters:
    """Filters from request arguments. Anything unrecognised is ignored, except a postcode, which is explained."""
    filters = Filters()
    gss_code = (args.get("borough") or "").strip()
    if gss_code:
        filters.borough = db.session.scalar(sa.select(LocalAuthority).where(LocalAuthority.gss_code == gss_code))
    with contextlib.suppress(ValueError):
        filters.service_area = ServiceArea(args.get("area", ""))
    fund_id = args.get("fund", "")
    if fund_id.isdecimal():
        filters.fund = db.session.get(Fund, int(fund_id))
    filters.lcpf_boroughs = fund_id == borough_projects.FUND_FILTER_VALUE
    filters.provider = (args.get("provider") or "").strip()[:160]
    rating = args.get("rating", "")
    filters.rating = rating if rating in RATING_CHOICES else ""
    phase = args.get("phase", "")
    filters.phase = phase if phase in PHASE_CHOICES else "current"
    filters.postcode = (args.get("postcode") or "").strip()[:20]
    if filters.postcode:
        try:
            filters.district = postcodes.find_district(filters.postcode)
        except DomainError as error:
            filters.errors.append(error)
        else:
            filters.postcode = filters.district.outcode
            if filters.borough is not None and filters.borough not in filters.district.boroughs:
                filters.errors.append(
                    DomainError(
                        f"{filters.district.outcode} is not in {filters.borough.name}. Choose one of the boroughs it "
                        "may be in, or clear the borough",
                        field="postcode",
                    )
                )
    return filters


# ---------------------------------------------------------------------------------------------------------------
# The list of services


def _in_boroughs(borough_ids: list[int]) -> sa.ColumnElement[bool]:
    """Services in any of these boroughs, and services that work across London (they are in every borough)."""
    listed = sa.select(award_borough.c.award_id).where(
        award_borough.c.award_id == Award.id, award_borough.c.local_authority_id.in_(borough_ids)
    )
    return sa.or_(Award.works_pan_london.is_(True), sa.exists(listed))


def filtered_awards(filters: Filters, today: date) -> sa.Select:
    query = published.published_awards()
    if filters.borough_ids is not None:
        query = query.where(_in_boroughs(filters.borough_ids))
    if filters.service_area is not None:
        query = query.where(
            sa.exists(
                sa.select(AwardServiceArea.award_id).where(
                    AwardServiceArea.award_id == Award.id, AwardServiceArea.service_area == filters.service_area
                )
            )
        )
    if filters.fund is not None:
        query = query.where(Award.fund_id == filters.fund.id)
    if filters.provider:
        pattern = "%" + filters.provider.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            Award.organisation_id.in_(sa.select(Organisation.id).where(sa.func.lower(Organisation.name).like(pattern)))
        )
    if filters.rating == "none":
        query = query.where(published.latest_rating().is_(None))
    elif filters.rating:
        query = query.where(published.latest_rating() == Rag(filters.rating))
    if filters.phase == "current":
        query = query.where(Award.end_date >= today)
    elif filters.phase != "all":
        query = query.where(published.in_phase(Phase(filters.phase), today))
    return query


@dataclass(frozen=True)
class ServiceRow:
    id: int
    reference: str
    title: str
    provider: str
    fund: str
    boroughs: tuple[str, ...]
    pan_london: bool
    service_areas: tuple[str, ...]
    total_pence: int
    start_date: date
    end_date: date
    phase: Phase
    rating: Rag | None
    overdue_returns: int
    project: bool = False  # a borough's LCPF project rather than an award


def summarise(awards: list[Award], today: date) -> list[ServiceRow]:
    ids = [award.id for award in awards]
    latest = published.latest_performance(ids)
    fresh = published.freshness(ids, today)
    return [
        ServiceRow(
            id=award.id,
            reference=award.reference,
            title=award.title,
            provider=award.organisation.name,
            fund=award.fund.name,
            boroughs=tuple(la.name for la in award.boroughs),
            pan_london=award.works_pan_london,
            service_areas=tuple(area.label for area in sorted(award.service_areas)),
            total_pence=award.total_pence,
            start_date=award.start_date,
            end_date=award.end_date,
            phase=published.phase_of(award, today),
            rating=latest[award.id].overall if award.id in latest else None,
            overdue_returns=fresh[award.id].overdue_returns,
        )
        for award in awards
    ]


class CachedPage(Pagination):
    """A page of results that was worked out earlier (and perhaps cached), for the pagination macro."""

    def _query_items(self) -> list[Any]:
        rows: list[Any] = self._query_args["rows"]
        return rows

    def _query_count(self) -> int:
        total: int = self._query_args["total"]
        return total


def filtered_projects(filters: Filters, today: date) -> list[borough_projects.PublicProject]:
    """The boroughs' public LCPF projects matching the filters, as :func:`filtered_awards` matches awards."""
    if filters.fund is not None:
        return []  # they are paid from the boroughs' allocations, not from a round's fund
    projects = borough_projects.fetch_public_projects(local_authority_ids=filters.borough_ids)
    if filters.service_area is not None:
        projects = [p for p in projects if filters.service_area in p.service_areas]
    if filters.provider:
        wanted = filters.provider.lower()
        projects = [p for p in projects if wanted in p.provider.lower()]
    if filters.rating:
        ratings = borough_projects.latest_ratings([p.id for p in projects])
        if filters.rating == "none":
            projects = [p for p in projects if p.id not in ratings]
        else:
            projects = [p for p in projects if p.id in ratings and ratings[p.id].overall == Rag(filters.rating)]
    if filters.phase == "current":
        projects = [p for p in projects if p.end_date >= today]
    elif filters.phase != "all":
        projects = [p for p in projects if p.phase(today) == Phase(filters.phase)]
    return projects


def summarise_projects(projects: list[borough_projects.PublicProject], today: date) -> list[ServiceRow]:
    ids = [project.id for project in projects]
    ratings = borough_projects.latest_ratings(ids)
    fresh = borough_projects.freshness(ids, today)
    return [
        ServiceRow(
            id=project.id,
            reference=project.reference,
            title=project.name,
            provider=project.provider,
            fund=project.funded_by,
            boroughs=(project.borough,),
            pan_london=False,
            service_areas=tuple(area.label for area in sorted(project.service_areas)),
            total_pence=project.total_pence,
            start_date=project.start_date,
            end_date=project.end_date,
            phase=project.phase(today),
            rating=ratings[project.id].overall if project.id in ratings else None,
            overdue_returns=fresh[project.id].overdue_returns,
            project=True,
        )
        for project in projects
    ]


def _sort_key(title: str, kind: int, id_: int) -> tuple:
    return (title.casefold(), title, kind, id_)


def _page_rows(filters: Filters, page: int, today: date) -> dict:
    """One page of awards and projects together, by title. Awards are paged in SQL when no project matches;
    otherwise the matching awards' titles are merged with the projects' and only the page's awards are loaded."""
    query = filtered_awards(filters, today) if not filters.lcpf_boroughs else None
    projects = filtered_projects(filters, today)
    offset = (page - 1) * SERVICES_PER_PAGE
    if not projects:
        if query is None:
            return {"rows": [], "total": 0}
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        page_of_awards = query.options(*published.directory_loading()).order_by(Award.title, Award.id)
        awards = list(db.session.scalars(page_of_awards.limit(SERVICES_PER_PAGE).offset(offset)))
        return {"rows": summarise(awards, today), "total": total}
    keys = [] if query is None else list(db.session.execute(query.with_only_columns(Award.id, Award.title)))
    merged = sorted(
        [(_sort_key(title, 0, award_id), "award", award_id) for award_id, title in keys]
        + [(_sort_key(p.name, 1, p.id), "project", p.id) for p in projects]
    )
    window = merged[offset : offset + SERVICES_PER_PAGE]
    award_ids = [id_ for _, kind, id_ in window if kind == "award"]
    in_window = published.published_awards().where(Award.id.in_(award_ids)).options(*published.directory_loading())
    found = {a.id: a for a in db.session.scalars(in_window)}
    by_id = {p.id: p for p in projects}
    award_rows = {row.id: row for row in summarise([found[i] for i in award_ids if i in found], today)}
    project_rows = {
        row.id: row for row in summarise_projects([by_id[id_] for _, kind, id_ in window if kind == "project"], today)
    }
    rows = [award_rows[id_] if kind == "award" else project_rows[id_] for _, kind, id_ in window]
    return {"rows": rows, "total": len(merged)}


def services_page(filters: Filters, page: int, *, today: date | None = None) -> CachedPage:
    """One page of services matching the filters, kept in the cache for a few minutes per query string."""
    today = today or published.london_today()
    page = max(page, 1)
    key = f"directory:services:{today.isoformat()}:{filters.cache_key(page)}"
    found = caching.get(key)
    if found is None:
        found = _page_rows(filters, page, today)
        caching.set(key, found, cache_seconds())
    return CachedPage(page=page, per_page=SERVICES_PER_PAGE, error_out=False, **found)


def filter_choices() -> dict:
    """The lists the filter form offers: every borough, and the funds that have published services."""
    funds = db.session.scalars(
        sa.select(Fund)
        .options(lazyload(Fund.service_area_links))  # not shown in the form
        .where(Fund.id.in_(published.published_awards().with_only_columns(Award.fund_id)))
        .order_by(Fund.name)
    )
    return {
        "boroughs": list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name))),
        "funds": list(funds),
        "lcpf_boroughs": borough_projects.FUND_FILTER_LABEL
        if db.session.scalar(sa.select(sa.exists(borough_projects.public_project_ids())))
        else None,
        "service_areas": list(ServiceArea),
        "ratings": RATING_CHOICES,
        "phases": PHASE_CHOICES,
    }


# ---------------------------------------------------------------------------------------------------------------
# One service


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    target: int
    actual: int | None

    @property
    def percent(self) -> int | None:
        if self.actual is None or not self.target:
            return None
        return round(self.actual * 100 / self.target)


@dataclass(frozen=True)
class ServiceDetail:
    award: Award
    phase: Phase
    history: list  # performance records from accepted returns, oldest first
    outcomes: list[Outcome]
    outcomes_period: str | None
    freshness: published.Freshness

    @property
    def latest(self) -> PerformanceRecord | None:
        return self.history[-1] if self.history else None

    @property
    def trend(self) -> str | None:
        """How the latest overall rating compares with the one before, in words."""
        if len(self.history) < 2:
            return None
        before, now = self.history[-2].overall.severity, self.history[-1].overall.severity
        if now < before:
            return "Better than the period before"
        if now > before:
            return "Worse than the period before"
        return "The same as the period before"


def service_detail(award_id: int, *, today: date | None = None) -> ServiceDetail | None:
    today = today or published.london_today()
    award = published.public_award(award_id)
    if award is None:
        return None
    latest_return = published.latest_accepted_return(award.id)
    outcomes = []
    if latest_return is not None:
        measures = db.session.scalars(sa.select(Measure).where(Measure.award_id == award.id).order_by(Measure.id))
        quarters = latest_return.frequency.quarters
        outcomes = [Outcome(m.name, m.unit, m.target_for(quarters), latest_return.actual_for(m.id)) for m in measures]
    return ServiceDetail(
        award=award,
        phase=published.phase_of(award, today),
        history=published.performance_history([award.id])[award.id],
        outcomes=outcomes,
        outcomes_period=latest_return.label if latest_return else None,
        freshness=published.freshness([award.id], today)[award.id],
    )


@dataclass(frozen=True)
class ProjectDetail:
    project: borough_projects.PublicProject
    phase: Phase
    history: list  # performance records from accepted returns, oldest first
    outcomes: list[Outcome]
    outcomes_period: str | None
    freshness: published.Freshness

    latest = ServiceDetail.latest
    trend = ServiceDetail.trend


def project_detail(project_id: int, *, today: date | None = None) -> ProjectDetail | None:
    """A borough's LCPF project as the public sees it, or None if its plan is not approved."""
    today = today or published.london_today()
    project = borough_projects.public_project(project_id)
    if project is None:
        return None
    latest_return = borough_projects.latest_accepted_return(project.id)
    outcomes = [
        Outcome(
            m.name,
            m.unit,
            m.target_for(latest_return.frequency.quarters if latest_return else 1),
            latest_return.actual_for(m.id) if latest_return else None,
        )
        for m in borough_projects.measures(project.id)
    ]
    return ProjectDetail(
        project=project,
        phase=project.phase(today),
        history=borough_projects.performance_history([project.id])[project.id],
        outcomes=outcomes,
        outcomes_period=latest_return.label if latest_return else None,
        freshness=borough_projects.freshness([project.id], today)[project.id],
    )


# ---------------------------------------------------------------------------------------------------------------
# The map: figures per borough


@dataclass(frozen=True)
class BoroughFigures:
    gss_code: str
    name: str
    residents: int
    services: int
    funding_pence: int
    rounds: int
    band: int = 0
    band_label: str = ""
    titles: tuple[tuple[int | None, int | None, str], ...] = ()  # (award id, project id, title)

    @property
    def per_resident_pence(self) -> int:
        return self.funding_pence // self.residents if self.residents else 0


@dataclass(frozen=True)
class MapFigures:
    shade: str
    service_area: str
    year: int
    boroughs: list[BoroughFigures]
    legend: list[str]
    pan_london_services: int
    pan_london_funding_pence: int


def _bands(values: list[int], describe: Callable[[int], str]) -> tuple[list[int], list[str]]:
    """Equal-width bands from zero to the largest value; band 0 is "none"."""
    top = max(values, default=0)
    step = max(1, -(-top // (BAND_COUNT - 1)))  # ceiling division: the top value falls in the last band
    bands = [0 if value == 0 else min(BAND_COUNT - 1, 1 + (value - 1) // step) for value in values]
    labels = ["None"] + [f"{describe(step * (b - 1) + 1)} to {describe(step * b)}" for b in range(1, BAND_COUNT)]
    return bands, labels


def map_figures(
    shade: str = "per_resident", service_area: ServiceArea | None = None, year: int | None = None
) -> MapFigures:
    """Each borough's services and funding in one financial year (the current one unless told), as
    :mod:`portal.directory.borough_funding` defines them, and its open and upcoming rounds. Cached."""
    shade = shade if shade in SHADE_CHOICES else "per_resident"
    year = year if year is not None else borough_funding.current_year()
    today = published.london_today()
    key = f"directory:map:{today.isoformat()}:{year}:{shade}:{service_area.value if service_area else ''}"
    found = caching.get(key)
    if found is None:
        found = _compute_map_figures(shade, service_area, year)
        caching.set(key, found, cache_seconds())
    return found


def _compute_map_figures(shade: str, service_area: ServiceArea | None, year: int) -> MapFigures:
    funding = borough_funding.funding_for_year(year, service_area=service_area)
    london_wide = [s for s in funding.services if s.reach is borough_funding.Reach.LONDON_WIDE]
    rounds = _open_rounds_by_borough()
    plain = []
    for borough in funding.boroughs:
        serving = funding.services_in(borough.id)
        plain.append(
            BoroughFigures(
                gss_code=borough.gss_code,
                name=borough.name,
                residents=borough.residents,
                services=len(serving),
                funding_pence=funding.pence(borough.id),
                rounds=rounds["london_wide"] + rounds["by_borough"].get(borough.id, 0),
                titles=tuple((s.award_id, s.project_id, s.title) for s in serving)[:10],
            )
        )
    if shade == "services":
        bands, legend = _bands([b.services for b in plain], lambda n: f"{n:,}")
    else:
        from portal.template_helpers import format_pence

        bands, legend = _bands([b.per_resident_pence for b in plain], format_pence)
    figures = [
        BoroughFigures(**{**vars(b), "band": band, "band_label": legend[band]})
        for b, band in zip(plain, bands, strict=True)
    ]
    return MapFigures(
        shade=shade,
        service_area=service_area.value if service_area else "",
        year=year,
        boroughs=figures,
        legend=legend,
        pan_london_services=len(london_wide),
        pan_london_funding_pence=sum(s.pence for s in london_wide),
    )


def _open_rounds_by_borough() -> dict:
    """Published rounds open now or opening later: how many are London-wide, and how many name each borough."""
    now = utcnow()
    live = sa.select(Round.id).where(Round.published_at.is_not(None), Round.closes_at > now)
    listed = sa.select(round_borough.c.round_id)
    london_wide = db.session.scalar(
        sa.select(sa.func.count()).select_from(live.where(Round.id.not_in(listed)).subquery())
    )
    by_borough = dict(
        db.session.execute(
            sa.select(round_borough.c.local_authority_id, sa.func.count())
            .where(round_borough.c.round_id.in_(live))
            .group_by(round_borough.c.local_authority_id)
        )
        .tuples()
        .all()
    )
    return {"london_wide": london_wide or 0, "by_borough": by_borough}
