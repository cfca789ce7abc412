"""Comparing formula versions side by side, on screen and as a CSV."""

from flask import Response, abort, render_template, request

from portal.lcpf import comparison, staff
from portal.lcpf.staff_views import lcpf_staff
from portal.permissions import Permission, permission_required


def _chosen():
    """The versions and year in the query string, and what is wrong with them (if anything)."""
    versions = comparison.fetch_versions(request.args.getlist("version", type=int))
    error = None
    if "version" in request.args and len(versions) < 2:
        error = "Choose at least two versions to compare"
    elif len(request.args.getlist("version")) > comparison.MOST_VERSIONS:
        error = f"Choose at most {comparison.MOST_VERSIONS} versions to compare"
    year = None
    if len(versions) >= 2 and not error:
        asked = request.args.get("year", type=int)
        year = asked if asked in comparison.years_of(versions) else comparison.default_year(versions)
    return versions, year, error


@lcpf_staff.route("/compare")
@permission_required(Permission.MANAGE_LCPF_FORMULA)
def compare():
    versions, year, error = _chosen()
    return render_template(
        "lcpf/staff/compare.html",
        all_versions=staff.fetch_all_versions(),
        chosen_ids=[v.id for v in versions],
        error=error,
        years=comparison.years_of(versions) if year else [],
        result=comparison.compare(versions, year) if year else None,
    ), (400 if error else 200)


@lcpf_staff.route("/compare.csv")
@permission_required(Permission.MANAGE_LCPF_FORMULA)
def compare_csv():
    versions, year, error = _chosen()
    if error or year is None:
        abort(404)
    ids = "-".join(str(v.id) for v in versions)
    return Response(
        comparison.comparison_csv(comparison.compare(versions, year)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="lcpf-versions-{ids}-{year}.csv"'},
    )
