"""Our own side table `job_runs` (revision 0006): one row per run of a scheduled job (`inkverse jobs`)."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base


class JobRun(Base):
    """A run of `name` for its cron slot `scheduled_for` (the time it was started, for `jobs run`);
    `outcome` is `running` until it ends `succeeded` or `failed` (with `error`)."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("job_runs_name_scheduled_for_index", "name", "scheduled_for"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
