"""Jobs waiting to be handed to the queue: the job outbox, like the email outbox."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import Model


class JobHandover(Model):
    """A job whose data was committed but which could not be handed to Redis at the time (Redis down, say).

    It is handed over, and the row deleted, by the scheduler or the next web request once Redis answers again.
    """

    __tablename__ = "job_handover"

    id: Mapped[int] = mapped_column(primary_key=True)
    function: Mapped[str] = mapped_column(sa.String(200))
    args: Mapped[list[Any]] = mapped_column(sa.JSON)
    queue: Mapped[str] = mapped_column(sa.String(40))
    timeout: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set while one process hands it over, so that two processes never hand the same row over together.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
