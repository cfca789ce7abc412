"""The recurring jobs: each names a real job and a valid schedule, and rq's cron scheduler takes them all."""

import os

import pytest
from werkzeug.utils import import_string

from portal import jobs
from portal.schedule import RECURRING, Recurring, check, cron_scheduler


def test_every_recurring_job_is_a_job_in_workers_with_a_valid_schedule():
    assert RECURRING
    for recurring in RECURRING:
        check(recurring)
        assert recurring.function.startswith("workers.")
        assert recurring.queue in jobs.QUEUES


def test_a_schedule_that_is_not_cron_is_refused():
    with pytest.raises(ValueError, match="not a cron schedule"):
        check(Recurring("workers.email.send_unsent", "every morning", "Nonsense"))


def test_the_daily_reminders_are_on_the_schedule():
    daily = next(r for r in RECURRING if r.function == "workers.monitoring.send_return_reminders")
    assert daily.cron == "0 7 * * *"
    assert import_string(daily.function).__doc__


def test_flask_cron_list_prints_the_schedule(app):
    result = app.test_cli_runner().invoke(args=["cron", "--list"])
    assert result.exit_code == 0, result.output
    for recurring in RECURRING:
        assert recurring.function in result.output


def test_flask_cron_needs_redis(app):
    if app.config["REDIS_URL"]:
        pytest.skip("Redis is configured in this run")
    result = app.test_cli_runner().invoke(args=["cron"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis")
def test_rqs_cron_scheduler_registers_every_recurring_job(app):
    scheduler = cron_scheduler(jobs.redis_connection())
    registered = {(job.queue_name, job.cron) for job in scheduler.get_jobs()}
    assert registered == {(r.queue, r.cron) for r in RECURRING}
