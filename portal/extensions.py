"""Flask extensions, created once here and bound to the app by the factory."""

from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Constraint names are fixed so that migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PortalSession(FlaskSession):
    """A session that hands queued background jobs over once their data is committed."""

    def commit(self) -> None:
        super().commit()
        from portal import jobs

        jobs.dispatch_committed(self)

    def rollback(self) -> None:
        super().rollback()
        from portal import jobs

        jobs.discard_pending(self)


db = SQLAlchemy(
    metadata=MetaData(naming_convention=NAMING_CONVENTION),
    session_options={"class_": PortalSession},
)

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, DeclarativeBase):
        """What ``db.Model`` is at run time (a declarative base with Flask-SQLAlchemy's query and table name), spelt
        out for the type checker, which cannot follow a base class made when the extension is created."""

else:
    Model = db.Model

migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
talisman = Talisman()
# Public figures only (the directory and the map), never anything that depends on who is signed in.
cache = Cache()
