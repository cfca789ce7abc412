"""The HTTP benchmark: ``make bench`` (London x10 on DATABASE_URL) or ``make bench-smoke`` (about a minute, CI).

Loads the bench data (:func:`bench.__main__.load`; ``--no-load`` reuses a database loaded before), then starts the
portal and a one-line Flask "hello" app (:mod:`bench.hello`, the ceiling) under the same gunicorn settings (2 sync
workers), and drives each page with ``wrk`` (Debian's package) at 1, 5 and 20 concurrent connections. For every
page and concurrency it reports requests a second, p50/p95/p99, errors and the share of the ceiling's requests a
second at the same concurrency; for every page the SQL statements of one request with the public cache empty and
of the next, and that first request's time in the process; and each web worker's peak resident memory. Results go
to ``bench/results/<label>.json`` and a table to ``bench/results/<label>.md``.

Nothing here asserts a time. The machine is shared: note what else ran, and compare runs made on the same machine.
"""

import argparse
import gc
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.__main__ import counting_queries, ids_in_database, load
from config import TestingConfig
from portal import create_app
from portal.auth.sessions import SESSION_KEY
from portal.auth.tokens import new_random_token
from portal.database import utcnow
from portal.extensions import cache, db
from portal.models import Award, UserSession

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SECRET_KEY = "bench-only-secret-key-never-used-for-anything-real"  # noqa: S105  local, throwaway

# (label, path, who): the issue's pages, public and officers'.
PAGES = [
    ("/services", "/services", None),
    ("/services with filters", "/services?postcode=SE15&area=crime_prevention", None),
    ("/services/<id>", "/services/{award_id}", None),
    ("/map", "/map", None),
    ("/dashboards", "/dashboards", None),
    ("/funding/", "/funding/", None),
    ("/boroughs/<gss>", "/boroughs/E09000028", None),
    ("/funding-formula", "/funding-formula", None),
    ("/openreferral/services", "/openreferral/services", None),
    ("/openreferral/services/<uuid>", "/openreferral/services/{oruk_id}", None),
    ("/data/360giving.json (gzip)", "/data/360giving.json", None),
    ("officer: bids in the largest round", "/staff/rounds/{round_id}/applications", "officer"),
    ("officer: returns awaiting review", "/staff/monitoring/returns?show=awaiting_review", "officer"),
    ("officer: payments", "/staff/payments?show=all", "officer"),
]
GZIP_PAGES = {"/data/360giving.json (gzip)"}

# A background script's own peak resident memory in MB. Linux carries ru_maxrss over exec, so in a process started
# by this (large) runner it would report the runner's peak; VmHWM is the new process's own. ru_maxrss only where
# there is no /proc.
OWN_PEAK = """
def own_peak_mb():
    import re, resource
    try:
        with open("/proc/self/status") as status:
            found = re.search(r"VmHWM:\\s+(\\d+) kB", status.read())
    except OSError:
        found = None
    kilobytes = int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kilobytes / 1024, 1)
"""

# Background work, each run as the worker runs it, in a process of its own (so its peak memory is its own) and from
# the served checkout (so --app-dir compares it too). It prints one line of JSON: what it did, seconds, peak MB.
COMMITTEE_REPORT = """
import json, time
import sqlalchemy as sa
from config import TestingConfig
from portal import create_app
from portal.extensions import db
from portal.models import ReportRun, ReportStatus
from portal.reports import content, runs

app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=URL, RUN_JOBS_INLINE=True, MAIL_BACKEND="log")
with app.app_context():
    period = content.HalfYear.last_completed(runs.london_today())
    run = ReportRun(period_start=period.start, period_end=period.end, status=ReportStatus.QUEUED, progress=0)
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    started = time.perf_counter()
    status = runs.build_report(run_id)  # what the worker's job does: gather, the XLSX, the PDF, stored
    seconds = time.perf_counter() - started
    run = db.session.get(ReportRun, run_id)
    facts = {"status": str(status), "services": run.services_count, "period": period.label,
             "pdf_kb": len(run.pdf or b"") // 1024, "xlsx_kb": len(run.xlsx or b"") // 1024}
    db.session.execute(sa.delete(ReportRun).where(ReportRun.id == run_id))  # leave the bench data as it was
    db.session.commit()
print("BENCH_JSON " + json.dumps({**facts, "seconds": round(seconds, 1), "peak_mb": own_peak_mb()}))
"""
# The dashboards' figures: one choice of filters worked out from the published data (what the first visit for it
# does), then every choice kept worked out again, as the job does whenever published data changes: no filter, each
# year and each fund, kept as visitors' first requests would keep them.
DASHBOARD_FIGURES = """
import json, time
from config import TestingConfig
from portal import create_app
from portal.dashboards import choices, data, figures

app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=URL, RUN_JOBS_INLINE=True, MAIL_BACKEND="log")
with app.app_context():
    years, funds = choices.available_choices()
    started = time.perf_counter()
    figures.work_out(data.Filters())
    one = time.perf_counter() - started
    kept = [data.Filters(), *(data.Filters(year=y) for y in years), *(data.Filters(fund_id=f.id) for f in funds)]
    for filters in kept:
        figures.for_page(filters)
    started = time.perf_counter()
    count = figures.refresh()
    seconds = time.perf_counter() - started
print("BENCH_JSON " + json.dumps({"choices": count, "one_choice_ms": round(one * 1000), "seconds": round(seconds, 1),
                                  "peak_mb": own_peak_mb()}))
"""
# The open-data files: the job queued by a change, after one award changed (its part made again, the files put
# together from every grant's part), timed after a full run (the nightly one) has made every part.
OPEN_DATA = """
import json, time
import sqlalchemy as sa
from config import TestingConfig
from portal import create_app
from portal.extensions import db
from portal.models import Award, AwardStatus, OpenDataChange
from portal.opendata import files

app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=URL, RUN_JOBS_INLINE=True, MAIL_BACKEND="log")
with app.app_context():
    started = time.perf_counter()
    files.regenerate()
    full = time.perf_counter() - started
    award = db.session.scalar(sa.select(Award).where(Award.status == AwardStatus.APPROVED).order_by(Award.id))
    renamed = award.title.endswith(" (renamed)")  # back and forth, so the data stays as it was loaded
    award.title = award.title.removesuffix(" (renamed)") if renamed else award.title + " (renamed)"
    db.session.add(OpenDataChange(award_id=award.id))  # as published.changed(awards=[award.id]) records it
    db.session.commit()
    started = time.perf_counter()
    changed = files.refresh()
    seconds = time.perf_counter() - started
print("BENCH_JSON " + json.dumps({"files_made_again": len(changed), "full_run_seconds": round(full, 1),
                                  "seconds": round(seconds, 2), "peak_mb": own_peak_mb()}))
"""
BACKGROUND = [
    ("committee report (last half-year)", COMMITTEE_REPORT),
    ("dashboards' figures worked out again", DASHBOARD_FIGURES),
    ("open data after one award changed", OPEN_DATA),
]


def gunicorn_command(app_spec: str, port: int) -> list[str]:
    """The same settings for the portal and the ceiling: 2 sync workers, as production runs it here."""
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
        app_spec,
    ]


@contextmanager
def served(app_spec: str, port: int, env: dict, cwd: Path):
    process = subprocess.Popen(gunicorn_command(app_spec, port), env=env, cwd=cwd, start_new_session=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{app_spec} did not start on port {port}")
                time.sleep(0.3)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_peaks_mb(master_pid: int) -> list[float]:
    """Each gunicorn worker's peak resident memory (VmHWM), in MB."""
    peaks = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(round(int(found.group(1)) / 1024, 1))
    return peaks


def wrk(url: str, connections: int, seconds: float, headers: dict) -> dict:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    command += ["-s", str(ROOT / "bench" / "wrk_report.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout  # noqa: S603
    line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary for {url}:\n{output}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    duration = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / duration, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors": raw["socket_errors"] + raw["bad_status"],
    }


def officer_cookie(app, officer_id: int) -> str:
    """A signed-in officer's cookie, made as a real sign-in makes it: a server session and the signed cookie."""
    with app.app_context():
        token, token_hash = new_random_token()
        now = utcnow()
        db.session.add(
            UserSession(
                token_hash=token_hash, user_id=officer_id, created_at=now, last_seen_at=now, authenticated_at=now
            )
        )
        db.session.commit()
        from portal.models import User

        user_id = db.session.get(User, officer_id).get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"_user_id": user_id, "_fresh": True, SESSION_KEY: token})
    value = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def in_process(app, path: str, cookie: str | None, repeats: int = 3) -> dict:
    """SQL statements of one request with the public caches empty and of the next, and the median time of a cold
    request. The page is asked for once first, so templates are compiled and connections open as in a server
    that has been running; each timed request then starts with the caches emptied."""
    client = app.test_client()
    if cookie:
        name, _, value = cookie.partition("=")
        client.set_cookie(name, value)
    with app.app_context():
        engine = db.engine

    def timed() -> tuple[int, float]:
        with counting_queries(engine) as counter:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} {response.headers.get('Location', '')}")
        return counter["queries"], elapsed

    timed()
    cold = []
    for _ in range(repeats):
        with app.app_context():
            cache.clear()
        cold.append(timed())
    warm_queries, _ = timed()
    return {
        "queries_cold": cold[0][0],
        "queries_warm": warm_queries,
        "cold_ms": round(statistics.median(ms for _, ms in cold), 1),
    }


def background(script: str, url: str, env: dict, cwd: Path) -> dict:
    """One background job's seconds and its process's own peak resident memory (VmHWM), from the served checkout."""
    code = f"URL = {url!r}\n{OWN_PEAK}\n{script}"
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=1800
    )
    line = next((line for line in output.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"a background job failed:\n{output.stdout}\n{output.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


def table(results: dict) -> str:
    concurrencies = results["concurrency"]
    lines = [
        f"Machine: {results['machine']}; data: scale {results['scale']} ({results['rows']}); "
        f"{results['seconds']} s a measurement; {results['started']}; load average "
        f"{results.get('load_average', {}).get('start', '?')} at the start, "
        f"{results.get('load_average', {}).get('end', '?')} at the end",
        "",
        "| page | c | req/s | p50 ms | p95 ms | p99 ms | errors | share of ceiling | queries cold / warm | cold ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for page in results["pages"]:
        for c in concurrencies:
            run = page["runs"][str(c)]
            queries = f"{page['queries_cold']} / {page['queries_warm']}" if "queries_cold" in page else "—"
            cold = page.get("cold_ms", "—")
            lines.append(
                f"| {page['label']} | {c} | {run['rps']} | {run['p50_ms']} | {run['p95_ms']} | {run['p99_ms']} | "
                f"{run['errors']} | {run.get('share', 100.0)} % | {queries} | {cold} |"
            )
    lines += ["", f"Web workers' peak resident memory (MB): {results['worker_peak_mb']}"]
    if results.get("background"):
        lines += ["", "| background job | seconds | peak MB | what |", "| --- | --- | --- | --- |"]
        for job in results["background"]:
            shown = {key: value for key, value in job.items() if key not in {"label", "seconds", "peak_mb"}}
            what = ", ".join(f"{key} {value}" for key, value in shown.items())
            lines.append(f"| {job['label']} | {job['seconds']} | {job['peak_mb']} | {what} |")
    return "\n".join(lines) + "\n"


def measure_pages(results: dict, pages: list, args, app, ids: dict, cookie: str, env: dict) -> None:
    """The ceiling, then each page at each concurrency, and the web workers' peak memory, into ``results``."""
    concurrencies = results["concurrency"]
    ceiling_port, portal_port = args.port, args.port + 1
    with served("bench.hello:app", ceiling_port, {**env, "PYTHONPATH": str(ROOT)}, ROOT):
        ceiling = {str(c): wrk(f"http://127.0.0.1:{ceiling_port}/", c, args.seconds, {}) for c in concurrencies}
    results["pages"].append({"label": "hello ceiling", "path": "/", "runs": ceiling})
    with served("wsgi:app", portal_port, env, Path(args.app_dir)) as portal:
        for label, path, who in pages:
            path = path.format(**ids)
            headers = {"Cookie": cookie} if who else {}
            if label in GZIP_PAGES:
                headers["Accept-Encoding"] = "gzip"
            page = {"label": label, "path": path, "runs": {}}
            if Path(args.app_dir) == ROOT:  # the queries are counted by this checkout's code
                page.update(in_process(app, path, cookie if who else None))
            urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{portal_port}{path}", headers=headers), timeout=120
            ).read()  # one request first, as a visitor before the measurement would have
            for c in concurrencies:
                run = wrk(f"http://127.0.0.1:{portal_port}{path}", c, args.seconds, headers)
                run["share"] = round(100 * run["rps"] / ceiling[str(c)]["rps"], 1)
                page["runs"][str(c)] = run
            results["pages"].append(page)
            print(f"{label}: " + ", ".join(f"c{c} {page['runs'][str(c)]['rps']} req/s" for c in concurrencies))
        results["worker_peak_mb"] = worker_peaks_mb(portal.pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", default="1,5,20")
    parser.add_argument("--no-load", action="store_true", help="use the data a run loaded before")
    parser.add_argument("--smoke", action="store_true", help="scale 1 on SQLite, 2 s a measurement, 1 and 5")
    parser.add_argument("--label", default="latest", help="the results' file name")
    parser.add_argument("--app-dir", default=str(ROOT), help="serve the portal from this checkout (before/after)")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--no-pages", action="store_true", help="only the background timings")
    parser.add_argument("--only", default="", help="only the pages whose label contains one of these (commas)")
    parser.add_argument("--no-background", action="store_true", help="only the pages")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    url = TestingConfig.SQLALCHEMY_DATABASE_URI if os.environ.get("DATABASE_URL") else ""  # the driver named
    if args.smoke:
        args.scale, args.seconds, args.concurrency = 1, 2, "1,5"
        url = url if args.no_load else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    if not url:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) for the benchmark, or use --smoke")
    redis_url = os.environ.get("REDIS_URL") or None
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        REDIS_URL=redis_url,
        RUN_JOBS_INLINE=redis_url is None,
        RATELIMIT_ENABLED=False,
        MAIL_BACKEND="log",
        SECRET_KEY=SECRET_KEY,
    )
    started = time.monotonic()
    ids = ids_in_database(app) if args.no_load else load(app, args.scale, args.seed)
    load_seconds = round(time.monotonic() - started, 1)
    with app.app_context():
        ids["oruk_id"] = db.session.scalar(sa.select(Award.oruk_id).where(Award.id == ids["award_id"]))
        from portal.opendata import files

        if not files.fetch_files():
            files.regenerate()  # as the job would have, before anyone asks
        rows = {
            name: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for name, table in (("awards", "award"), ("bids", "application"), ("returns", "monitoring_return"))
        }
        db.session.remove()
    cookie = officer_cookie(app, ids["officer"])
    # As wsgi.py leaves a web process: what exists now is left out of the collector's full passes, so a page timed
    # in process is not charged for walking the runner's own objects (the loaded data among them).
    gc.freeze()

    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "FORCE_HTTPS": "0",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url,
        "MAIL_BACKEND": "log",
        "PYTHONPATH": args.app_dir,
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    results = {
        "label": args.label,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()}: {os.cpu_count()} cores shared, {platform.python_implementation()} "
        f"{platform.python_version()}, {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}"
        f"{', Redis' if redis_url else ''}, gunicorn 2 sync workers, wrk",
        "scale": args.scale,
        "seed": args.seed,
        "rows": ", ".join(f"{count:,} {name}" for name, count in rows.items()),
        "load_seconds": load_seconds,
        "seconds": args.seconds,
        "concurrency": concurrencies,
        "pages": [],
        "load_average": {"start": round(os.getloadavg()[0], 1)},  # the machine is shared: how busy it was
    }
    results["background"] = []
    for label, script in [] if args.no_background else BACKGROUND:
        results["background"].append({"label": label, **background(script, url, env, Path(args.app_dir))})
        print(f"{label}: {results['background'][-1]}")
    pages = [page for page in PAGES if not args.only or any(part in page[0] for part in args.only.split(","))]
    results["worker_peak_mb"] = []
    if pages and not args.no_pages:
        measure_pages(results, pages, args, app, ids, cookie, env)
    results["load_average"]["end"] = round(os.getloadavg()[0], 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.label}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{args.label}.md").write_text(table(results))
    print(table(results))
    errors = sum(run["errors"] for page in results["pages"] for run in page["runs"].values())
    if args.smoke and errors:
        raise SystemExit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
