"""The rq worker: ``flask --app wsgi worker``. It runs inside the app context that the CLI pushes."""

from rq import SimpleWorker

from portal import jobs
from portal.extensions import db


class PortalWorker(SimpleWorker):
    """Runs each job in the worker process and gives every job a fresh database session.

    Jobs are short and take ids, so running them without a fork is safe and keeps one database
    connection pool per worker; start several workers for more throughput.
    """

    def perform_job(self, job, queue, execution):
        try:
            return super().perform_job(job, queue, execution)
        finally:
            db.session.remove()


def run_worker(burst: bool = False, with_scheduler: bool = True) -> bool:
    connection = jobs.redis_connection()
    worker = PortalWorker([jobs.queue(name) for name in jobs.QUEUES], connection=connection)
    return worker.work(burst=burst, with_scheduler=with_scheduler)
