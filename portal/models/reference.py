import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import enum_column
from portal.extensions import Model
from portal.scope import Scope


class InnerOuter(enum.StrEnum):
    INNER = "inner"
    OUTER = "outer"


class LocalAuthority(Model):
    """One of London's 33 local authorities: 32 boroughs in the LCPF and the City of London."""

    __tablename__ = "local_authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    gss_code: Mapped[str] = mapped_column(sa.String(9), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    official_name: Mapped[str] = mapped_column(sa.String(120))
    register_code: Mapped[str] = mapped_column(sa.String(3), unique=True)
    org_id: Mapped[str] = mapped_column(sa.String(20), unique=True)
    authority_type: Mapped[str] = mapped_column(sa.String(8))
    inner_outer: Mapped[InnerOuter] = mapped_column(enum_column(InnerOuter, 8))
    hectares: Mapped[Decimal] = mapped_column(sa.Numeric(10, 3))
    residents_2021: Mapped[int]
    police_force: Mapped[str] = mapped_column(sa.String(60))
    in_lcpf: Mapped[bool]

    def permission_scope(self) -> Scope:
        return Scope(local_authority_ids=frozenset({self.id}))

    def __repr__(self) -> str:
        return f"<LocalAuthority {self.gss_code} {self.name}>"
