"""Flask CLI commands: ``flask --app wsgi <group> <command>``."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.errors import DomainError
from portal.models import StaffRole


def register(app: Flask) -> None:
    app.cli.add_command(reference)
    app.cli.add_command(staff)
    app.cli.add_command(demo)
    app.cli.add_command(outbox)
    app.cli.add_command(worker)
    app.cli.add_command(cron)
    app.cli.add_command(opendata)
    app.cli.add_command(lcpf)
    app.cli.add_command(privacy)
    app.cli.add_command(value)


reference = AppGroup("reference", help="London reference data.")
staff = AppGroup("staff", help="Staff accounts.")
demo = AppGroup("demo", help="Demonstration data.")
outbox = AppGroup("outbox", help="The email outbox.")
opendata = AppGroup("opendata", help="Open-data files.")
privacy = AppGroup("privacy", help="Personal data.")


@reference.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--postcodes",
    "postcodes_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A postcode district to borough CSV in the shipped file's layout",
)
def load_reference(path: Path | None, postcodes_path: Path | None) -> None:
    """Load London's local authorities and postcode districts (the shipped CSVs unless files are given)."""
    from portal.reference.services import (
        SHIPPED_LOCAL_AUTHORITIES,
        SHIPPED_POSTCODE_DISTRICTS,
        load_local_authorities,
        load_postcode_districts,
    )

    added, updated = load_local_authorities(path or SHIPPED_LOCAL_AUTHORITIES)
    click.echo(f"Local authorities: {added} added, {updated} updated.")
    try:
        added, updated = load_postcode_districts(postcodes_path or SHIPPED_POSTCODE_DISTRICTS)
    except ValueError as error:
        raise click.ClickException(str(error))
    click.echo(f"Postcode districts: {added} added, {updated} updated.")


@staff.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name")
@click.option("--role", type=click.Choice([role.value for role in StaffRole]), required=True)
@click.option("--password", help="Set a password now instead of emailing a link to choose one")
def create_staff(email: str, name: str, role: str, password: str | None) -> None:
    """Create a staff account (grant officer, reviewer or administrator)."""
    from portal.admin.services import create_staff_user

    try:
        user = create_staff_user(email, name, StaffRole(role), created_by=None, password=password)
    except DomainError as error:
        raise click.ClickException(error.message)
    click.echo(f"Created {StaffRole(role).label.lower()} {user.email}.")


@demo.command("load")
def load_demo() -> None:
    """Load demonstration organisations and users. Safe to run again."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is not allowed in this configuration")
    from portal.demo.seed import load_all_demo_data

    for summary in load_all_demo_data():
        click.echo(summary)


@demo.command("lcpf-consultation")
def load_demo_consultation() -> None:
    """Put a demo draft formula version out for consultation (after ``lcpf load``). Safe to run again."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is not allowed in this configuration")
    from portal.demo.lcpf_consultation import load

    click.echo(load())


@demo.command("logins")
def demo_logins() -> None:
    """Print the demo accounts."""
    from portal.auth.second_factor import DEMO_TOTP_SECRET
    from portal.demo.seed import DEMO_PASSWORD, demo_logins

    click.echo("")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for role, email in demo_logins():
        click.echo(f"  {role:<38} {email}")
    click.echo("")
    click.echo(
        f"Staff accounts also ask for a code from an authenticator app set up with the demo key {DEMO_TOTP_SECRET}"
    )
    click.echo("(or print the current code with: flask --app wsgi demo totp EMAIL).")
    click.echo("")


@demo.command("totp")
@click.argument("email")
def demo_totp(email: str) -> None:
    """Print the current second-factor code of a demo account."""
    from portal.auth.second_factor import DEMO_TOTP_SECRET, current_code, secret_allowed
    from portal.auth.services import fetch_user_by_email

    user = fetch_user_by_email(email)
    if user is None or user.totp_secret != DEMO_TOTP_SECRET or not secret_allowed(user.totp_secret):
        raise click.ClickException(f"{email} is not a demo account with the demo second factor")
    click.echo(current_code(user.totp_secret))


@outbox.command("send")
def send_outbox() -> None:
    """Send every unsent message now (after an SMTP outage, say), including any a stopped worker left sending."""
    from portal.email.outbox import send_unsent

    sent, failed = send_unsent()
    click.echo(f"{sent} sent, {failed} failed.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty")
def worker(burst: bool) -> None:
    """Start an rq worker on the portal's queues (needs REDIS_URL)."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without it, jobs run inline in the web process")
    from workers.worker import run_worker

    run_worker(burst=burst)


@click.command("cron")
@click.option("--list", "list_only", is_flag=True, help="Print the schedule and stop")
def cron(list_only: bool) -> None:
    """Queue recurring jobs (daily reminders, email retries) at their times; needs REDIS_URL and a worker."""
    from portal.schedule import RECURRING, cron_scheduler

    if list_only:
        for recurring in RECURRING:
            click.echo(f"{recurring.cron:<16} {recurring.function:<45} {recurring.description}")
        return
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: run the recurring commands from the system's cron instead")
    from portal import jobs

    cron_scheduler(jobs.redis_connection()).start()


@opendata.command("regenerate")
def regenerate_open_data() -> None:
    """Make the open-data files again from published data. Unchanged files are left as they are."""
    from portal.opendata.files import regenerate

    changed = regenerate()
    click.echo(f"Open data: {', '.join(changed)} regenerated." if changed else "Open data: already up to date.")


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Print what would be deleted or anonymised, and change nothing")
def enforce_retention(dry_run: bool) -> None:
    """Delete or anonymise the personal data kept for its whole retention period (portal/privacy/retention.py)."""
    from portal.privacy import enforcement

    lines = enforcement.report() if dry_run else enforcement.enforce()
    verb = "would be handled" if dry_run else "handled"
    for line in lines:
        click.echo(f"{line.kind.title} ({line.what}, {line.kind.period.label.lower()}): {line.count} {verb}")
    click.echo(f"{sum(line.count for line in lines)} records {verb}{' (dry run: nothing changed)' if dry_run else ''}.")


lcpf = AppGroup("lcpf", help="The London Crime Prevention Fund formula.")


@lcpf.command("load")
def load_lcpf() -> None:
    """Import the shipped crime, population and deprivation files and publish the example version (idempotent)."""
    from portal.lcpf.imports import ImportRefused
    from portal.lcpf.shipped import load_example_version, load_shipped_data

    try:
        for summary in load_shipped_data():
            click.echo(summary)
    except ImportRefused as refused:
        problems = "\n  ".join(str(problem) for problem in refused.report.problems[:20])
        raise click.ClickException(f"{refused.message}. Load the reference data first?\n  {problems}")
    click.echo(load_example_version())


def _import_lcpf_file(path: Path, importer: Callable[..., Any]) -> None:
    from portal.lcpf.imports import ImportRefused

    try:
        report = importer(path.read_bytes(), path.name)
    except ImportRefused as refused:
        click.echo(f"{path.name} was not imported. Nothing was changed. Problems:", err=True)
        for problem in refused.report.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"Imported {path.name} ({report.layout}): {report.rows_read} rows, {report.boroughs} boroughs.")
    if report.first_month:
        click.echo(f"Months {report.first_month} to {report.last_month}.")
    for note in report.left_out:
        click.echo(f"Left out: {note}")


FILE_ARGUMENT = click.Path(exists=True, dir_okay=False, path_type=Path)


@lcpf.command("import-crime")
@click.argument("path", type=FILE_ARGUMENT)
def import_crime_file(path: Path) -> None:
    """Import recorded crime in the MPS layout (MajorText, MinorText, BoroughName, YYYYMM…) or the tidy one."""
    from portal.lcpf.imports import import_crime

    _import_lcpf_file(path, import_crime)


@lcpf.command("import-population")
@click.argument("path", type=FILE_ARGUMENT)
def import_population_file(path: Path) -> None:
    """Import residents by borough (gss_code and census_2021_usual_residents columns)."""
    from portal.lcpf.imports import import_population

    _import_lcpf_file(path, import_population)


@lcpf.command("import-deprivation")
@click.argument("path", type=FILE_ARGUMENT)
def import_deprivation_file(path: Path) -> None:
    """Import an Indices of Deprivation local-authority summary (2025 or 2019 layout)."""
    from portal.lcpf.imports import import_deprivation

    _import_lcpf_file(path, import_deprivation)


value = AppGroup("value", help="Value for money: the deflator series behind cost-benefit analyses.")


@value.command("import-deflators")
@click.argument("path", type=FILE_ARGUMENT)
@click.option("--source", required=True, help="Where the series comes from, such as HM Treasury's GDP deflators")
def import_deflators_file(path: Path, source: str) -> None:
    """Import a GDP deflator series (a CSV with year and index columns). Nothing is imported if any row is wrong."""
    from portal.value.deflators import ImportRefused, import_series

    try:
        report = import_series(path.read_bytes(), path.name, source)
    except ImportRefused as refused:
        click.echo(f"{path.name} was not imported. Nothing was changed. Problems:", err=True)
        for problem in refused.report.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    years = sorted(report.indices)
    click.echo(f"Imported {path.name}: {len(years)} years, {years[0]} to {years[-1]}. It is now the series in use.")
