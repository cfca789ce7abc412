import sqlalchemy as sa
from flask import current_app

from portal.extensions import db


def check_dependencies():
    """What a load balancer asks: can this process reach its database (and Redis, when configured)?"""
    status = {"database": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        status["database"] = "unreachable"
    if current_app.config["REDIS_URL"]:
        from portal.jobs import redis_connection

        try:
            redis_connection().ping()
            status["redis"] = "ok"
        except Exception:
            status["redis"] = "unreachable"
    healthy = all(value == "ok" for value in status.values())
    return status, 200 if healthy else 503
