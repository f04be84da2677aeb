"""Our own bookkeeping for Taddy webhooks (not part of the original schema; revision 0002).

`taddy_entity_state` keeps, per Taddy object, the timestamp of the newest webhook applied to it and
whether that event was a delete (a tombstone). Webhooks arrive unordered and may be redelivered; the
writers consult this row so that a duplicate is harmless, an older event never overwrites newer data,
and a stale created/updated arriving after a delete does not bring the object back.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, String, Uuid, false, func
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base


class TaddyEntityState(Base):
    """The last webhook applied to one Taddy object (`taddy_entity_state`)."""

    __tablename__ = "taddy_entity_state"

    # The webhook's lower-case `taddyType`: comicseries, comicissue, creator, creatorcontent.
    taddy_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    # The webhook `timestamp` (epoch seconds) of the newest event applied.
    last_timestamp: Mapped[int] = mapped_column(BigInteger)
    # True once the newest event is a delete: older or simultaneous creates/updates are then ignored.
    deleted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
