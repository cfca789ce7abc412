"""Formula versions: drafting one from the latest imports, publishing it, and working it out again.

A version freezes the exact inputs it used (each borough's crime in the window, residents, deprivation and previous
allocation) when it is drafted. Its allocations are worked out from that frozen copy, so newer imports never
change a version, and a published version never changes at all: a later one supersedes it.
"""

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal import audit
from portal.database import lock_row, utcnow
from portal.directory import published
from portal.errors import DomainError
from portal.extensions import db
from portal.lcpf import formula
from portal.models import (
    LcpfAllocation,
    LcpfBoroughFigure,
    LcpfCrimeCount,
    LcpfImport,
    LcpfImportKind,
    LcpfVersion,
    LcpfVersionStatus,
    LocalAuthority,
    User,
)
from portal.workflow import Workflow

# Every move of a formula version's status, each with the audit event it writes.
VERSIONS = Workflow(
    {
        (LcpfVersionStatus.DRAFT, LcpfVersionStatus.CONSULTATION): "lcpf_version.consultation_opened",
        (LcpfVersionStatus.DRAFT, LcpfVersionStatus.PUBLISHED): "lcpf_version_published",
        (LcpfVersionStatus.CONSULTATION, LcpfVersionStatus.PUBLISHED): "lcpf_version_published",
        (LcpfVersionStatus.PUBLISHED, LcpfVersionStatus.SUPERSEDED): "lcpf_version_superseded",
    },
    noun="formula version",
    organisation_of=lambda version: None,
)


class MissingInputs(DomainError):
    """The imported data does not cover what the parameters ask for (a month of crime, a borough's residents…)."""


def fetch_funded_boroughs() -> list[LocalAuthority]:
    return list(
        db.session.scalars(
            sa.select(LocalAuthority).where(LocalAuthority.in_lcpf.is_(True)).order_by(LocalAuthority.gss_code)
        )
    )


def fetch_current_published() -> LcpfVersion | None:
    return db.session.scalar(
        sa.select(LcpfVersion).where(LcpfVersion.status == LcpfVersionStatus.PUBLISHED).order_by(LcpfVersion.id.desc())
    )


def fetch_current_published_with_allocations() -> LcpfVersion | None:
    """The current published version with its allocations (and their boroughs) read in the same statement."""
    current = (
        sa.select(sa.func.max(LcpfVersion.id))
        .where(LcpfVersion.status == LcpfVersionStatus.PUBLISHED)
        .scalar_subquery()
    )
    query = sa.select(LcpfVersion).where(LcpfVersion.id == current).options(joinedload(LcpfVersion.allocations))
    return db.session.scalars(query).unique().first()


def gather_inputs(
    parameters: formula.Parameters, previous: LcpfVersion | None
) -> tuple[list[formula.BoroughInputs], list[int]]:
    """Each funded borough's figures from the latest imports, and the ids of the imports they came from.

    Crime: each month of the window is taken from the latest import that covers it (a later MPS file revises
    earlier months). Raises MissingInputs naming every gap.
    """
    boroughs = fetch_funded_boroughs()
    crime, crime_imports, missing_months = _crime_in_window(parameters.crime_from_month, parameters.crime_to_month)
    residents, population_import = _latest_figures(LcpfImportKind.POPULATION)
    deprivation, deprivation_import = _latest_figures(LcpfImportKind.DEPRIVATION)
    problems = []
    if missing_months:
        problems.append(f"No recorded crime has been imported for {', '.join(map(str, missing_months[:12]))}")
    if population_import is None:
        problems.append("No population figures have been imported")
    if deprivation_import is None:
        problems.append("No deprivation figures have been imported")
    previous_amounts: dict[int, dict[int, int]] = defaultdict(dict)
    if previous is not None:
        for allocation in previous.allocations:
            previous_amounts[allocation.local_authority_id][allocation.financial_year] = allocation.amount_pounds
    inputs = []
    for borough in boroughs:
        if population_import is not None and "residents" not in residents.get(borough.id, {}):
            problems.append(f"No residents for {borough.name}")
        inputs.append(
            formula.BoroughInputs(
                gss_code=borough.gss_code,
                name=borough.name,
                inner_outer=borough.inner_outer.value,
                crime=dict(sorted(crime.get(borough.id, {}).items())),
                residents=int(residents.get(borough.id, {}).get("residents", 0)),
                deprivation=deprivation.get(borough.id, {}),
                previous=previous_amounts.get(borough.id, {}),
            )
        )
    if problems:
        raise MissingInputs("; ".join(problems))
    assert population_import is not None and deprivation_import is not None  # missing ones are problems above
    used = sorted(crime_imports | {population_import, deprivation_import})
    return inputs, used


def _crime_in_window(first: int, last: int) -> tuple[dict[int, dict[str, int]], set[int], list[int]]:
    from portal.lcpf.imports import _month_range

    wanted = set(_month_range(first, last))
    covered: set[int] = set()
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    used: set[int] = set()
    imports = db.session.scalars(
        sa.select(LcpfImport).where(LcpfImport.kind == LcpfImportKind.CRIME).order_by(LcpfImport.id.desc())
    )
    for record in imports:
        if not wanted - covered:
            break
        rows = db.session.execute(
            sa.select(
                LcpfCrimeCount.local_authority_id,
                LcpfCrimeCount.category,
                LcpfCrimeCount.first_month,
                LcpfCrimeCount.last_month,
                LcpfCrimeCount.count,
            ).where(
                LcpfCrimeCount.import_id == record.id,
                LcpfCrimeCount.first_month >= first,
                LcpfCrimeCount.last_month <= last,
            )
        ).all()
        periods = {(row.first_month, row.last_month) for row in rows}
        taken = {period for period in periods if not set(_month_range(*period)) & covered}
        for local_authority_id, category, first_month, last_month, count in rows:
            if (first_month, last_month) in taken:
                totals[local_authority_id][category] += count
        for period in taken:
            covered |= set(_month_range(*period))
        if taken:
            used.add(record.id)
    return {la_id: dict(categories) for la_id, categories in totals.items()}, used, sorted(wanted - covered)


def _latest_figures(kind: LcpfImportKind) -> tuple[dict[int, dict[str, Decimal]], int | None]:
    record = db.session.scalar(sa.select(LcpfImport).where(LcpfImport.kind == kind).order_by(LcpfImport.id.desc()))
    if record is None:
        return {}, None
    figures: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for figure in db.session.scalars(sa.select(LcpfBoroughFigure).where(LcpfBoroughFigure.import_id == record.id)):
        figures[figure.local_authority_id][figure.measure] = Decimal(figure.value).normalize()
    return dict(figures), record.id


def compute_live(parameters: formula.Parameters) -> formula.Result:
    """Work out the formula on the latest imports against the current published version (for the calculator)."""
    inputs, _ = gather_inputs(parameters, fetch_current_published())
    return formula.compute(parameters, inputs)


def create_draft(
    title: str, parameters: formula.Parameters, created_by: User | None, explanation: str = ""
) -> LcpfVersion:
    """A draft version with its inputs frozen from the latest imports and its allocations worked out. Commits."""
    previous = fetch_current_published()
    inputs, import_ids = gather_inputs(parameters, previous)
    result = formula.compute(parameters, inputs)
    years = [pot.financial_year for pot in parameters.pots]
    version = LcpfVersion(
        title=title,
        status=LcpfVersionStatus.DRAFT,
        first_year=min(years),
        last_year=max(years),
        explanation=explanation,
        parameters=parameters.to_json(),
        inputs=formula.inputs_to_json(inputs),
        import_ids=import_ids,
        previous_version=previous,
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(version)
    _store_allocations(version, result)
    db.session.flush()
    audit.record("lcpf_version_drafted", version, after={"title": title}, actor=created_by)
    db.session.commit()
    return version


def _store_allocations(version: LcpfVersion, result: formula.Result) -> None:
    by_code = {borough.gss_code: borough for borough in fetch_funded_boroughs()}
    for year in result.years:
        for working in year.workings:
            version.allocations.append(
                LcpfAllocation(
                    local_authority_id=by_code[working.gss_code].id,
                    financial_year=year.pot.financial_year,
                    amount_pounds=working.amount,
                    workings=working_to_json(working),
                )
            )


def working_to_json(working: formula.Working) -> dict:
    return {
        "values": {name: str(value) for name, value in working.values.items()},
        "shares": {name: str(value) for name, value in working.shares.items()},
        "weighted_share": str(working.weighted_share),
        "before_damping": str(working.before_damping),
        "limit": working.limit,
        "after_damping": str(working.after_damping),
        "remainder_pound": working.remainder_pound,
        "previous": working.previous,
    }


def recompute(version: LcpfVersion) -> formula.Result:
    """Work a version out again from its frozen inputs: the same pounds as when it was made, whatever has changed."""
    return formula.compute(formula.Parameters.from_json(version.parameters), formula.inputs_from_json(version.inputs))


def publish(version: LcpfVersion, published_by: User | None) -> LcpfVersion:
    """Publish a draft (or a version out for consultation); the version published before is superseded. Commits.
    The version is locked first, so a second click on Publish finds it published rather than publishing it twice."""
    version = lock_row(LcpfVersion, version.id) or version
    if version.status not in (LcpfVersionStatus.DRAFT, LcpfVersionStatus.CONSULTATION):
        raise DomainError("Only a draft or a version out for consultation can be published")
    now = utcnow()
    earlier = fetch_current_published()
    if earlier is not None:
        earlier.superseded_at = now  # set before the move, which writes its audit event (a flush)
        VERSIONS.move(earlier, LcpfVersionStatus.SUPERSEDED, actor=published_by, detail={"by": version.id})
    version.published_at = now
    version.published_by_id = published_by.id if published_by else None
    VERSIONS.move(version, LcpfVersionStatus.PUBLISHED, actor=published_by)
    published.changed(open_data=False)  # the dashboards show the published allocations
    db.session.commit()
    return version
