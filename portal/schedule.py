"""Recurring work, in one place: what runs and when.

``flask --app wsgi cron`` hands this list to rq's cron scheduler, which queues each job at its time for the workers
to run; run one scheduler beside the workers. Every job here is safe to run twice, so a scheduler restarted at the
wrong moment does no harm. Times are UTC.
"""

from dataclasses import dataclass

from croniter import croniter
from redis import Redis
from rq.cron import CronScheduler
from werkzeug.utils import import_string

from portal.jobs import QUEUE_DEFAULT, QUEUE_EMAIL


@dataclass(frozen=True)
class Recurring:
    function: str  # dotted path of a job in workers/
    cron: str
    description: str
    queue: str = QUEUE_DEFAULT
    timeout: int = 600


RECURRING = (
    Recurring(
        "workers.maintenance.recover",
        "* * * * *",
        "Hand over jobs kept while Redis was down; start again emails, reports and downloads a stopped worker left"
        " half done",
        timeout=120,
    ),
    Recurring(
        "workers.monitoring.send_return_reminders",
        "0 7 * * *",
        "Reminders of returns coming up, due today and overdue, and escalations to officers",
    ),
    Recurring(
        "workers.opendata.regenerate_all",
        "30 2 * * *",
        "Make every grant's part of the open-data files again and check it, mending anything a change did not record"
        " (the files are also brought up to date on every change)",
    ),
    Recurring(
        "workers.dashboards.refresh_figures_if_changed",
        "*/5 * * * *",
        "Work out the dashboards' figures again if anything public changed that did not have them worked out then",
    ),
    Recurring(
        "workers.dashboards.refresh_figures",
        "5 0,23 * * *",
        "Work out the dashboards' figures again after midnight in London (23:00 UTC in summer, 00:00 in winter): "
        "returns overdue move with the date (they are also worked out on every change)",
    ),
    Recurring(
        "workers.reports.six_monthly_committee_report",
        "0 6 15 5,11 *",
        "The committee report for the half-year last ended, six weeks on, once its last returns are in",
    ),
    Recurring(
        "workers.privacy.enforce_retention",
        "15 3 * * *",
        "Delete or anonymise personal data kept for its whole retention period (portal/privacy/retention.py)",
        timeout=1800,
    ),
    Recurring(
        "workers.your_data.expire_exports",
        "15 * * * *",
        "Remove the files of downloads of personal data past their time (they are refused from that moment anyway)",
    ),
    Recurring(
        "workers.email.send_unsent",
        "*/15 * * * *",
        "Send email that failed or was interrupted, up to the attempt limit",
        queue=QUEUE_EMAIL,
    ),
)


def check(recurring: Recurring) -> None:
    if not croniter.is_valid(recurring.cron):
        raise ValueError(f"{recurring.function}: {recurring.cron!r} is not a cron schedule")
    if not callable(import_string(recurring.function)):
        raise ValueError(f"{recurring.function} is not a function")


def cron_scheduler(connection: Redis) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, name="portal")
    for recurring in RECURRING:
        check(recurring)
        scheduler.register(
            import_string(recurring.function),
            queue_name=recurring.queue,
            cron=recurring.cron,
            job_timeout=recurring.timeout,
            name=recurring.function,
        )
    return scheduler
