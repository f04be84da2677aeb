"""Our own transactional outbox (revision 0003): messages to send once their transaction has committed.

A handler that must send a follow-up message (the new-episode push after `comicissue.created`) writes it
here in the same transaction as its data. After the commit the message is sent and its row deleted; if
the process dies or SQS refuses in between, the row stays and the worker's relay sends it later, so a
committed change never loses its follow-up.
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base


class QueueOutbox(Base):
    """One message waiting to be sent (`queue_outbox`)."""

    __tablename__ = "queue_outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    queue: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Revision 0005: a row is due when this is null or past (claimed rows and retries wait for it), and
    # kept with `failed_at` set once its attempts are spent.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
