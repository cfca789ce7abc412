"""Flask CLI commands: ``flask --app wsgi <group> <command>``."""

from pathlib import Path

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


reference = AppGroup("reference", help="London reference data.")
staff = AppGroup("staff", help="Staff accounts.")
demo = AppGroup("demo", help="Demonstration data.")
outbox = AppGroup("outbox", help="The email outbox.")
opendata = AppGroup("opendata", help="Open-data files.")


@reference.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--postcodes",
    "postcodes_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A postcode district to borough CSV in the shipped file's layout",
)
def load_reference(path: Path | None, postcodes_path: Path | None):
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
def create_staff(email: str, name: str, role: str, password: str | None):
    """Create a staff account (grant officer, reviewer or administrator)."""
    from portal.admin.services import create_staff_user

    try:
        user = create_staff_user(email, name, StaffRole(role), created_by=None, password=password)
    except DomainError as error:
        raise click.ClickException(error.message)
    click.echo(f"Created {user.staff_role.label.lower()} {user.email}.")


@demo.command("load")
def load_demo():
    """Load demonstration organisations and users. Safe to run again."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is not allowed in this configuration")
    from portal.demo.seed import load_all_demo_data

    for summary in load_all_demo_data():
        click.echo(summary)


@demo.command("logins")
def demo_logins():
    """Print the demo accounts."""
    from portal.demo.seed import DEMO_PASSWORD, demo_logins

    click.echo("")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for role, email in demo_logins():
        click.echo(f"  {role:<38} {email}")
    click.echo("")


@outbox.command("send")
def send_outbox():
    """Send every unsent message now (after an SMTP outage, say), including any a stopped worker left sending."""
    from portal.email.outbox import send_unsent

    sent, failed = send_unsent()
    click.echo(f"{sent} sent, {failed} failed.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty")
def worker(burst: bool):
    """Start an rq worker on the portal's queues (needs REDIS_URL)."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without it, jobs run inline in the web process")
    from workers.worker import run_worker

    run_worker(burst=burst)


@click.command("cron")
@click.option("--list", "list_only", is_flag=True, help="Print the schedule and stop")
def cron(list_only: bool):
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
def regenerate_open_data():
    """Make the open-data files again from published data. Unchanged files are left as they are."""
    from portal.opendata.files import regenerate

    changed = regenerate()
    click.echo(f"Open data: {', '.join(changed)} regenerated." if changed else "Open data: already up to date.")
