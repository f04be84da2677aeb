"""Our own side tables of revision 0007: what was delivered, and the Expo tickets still to check."""

from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base


class NotificationDelivery(Base):
    """A push or e-mail that went out, by a key naming what and to whom (e.g. the notification id and
    channel, or the digest window and recipient): a redelivered message finds it and sends nothing."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("notification_deliveries_delivered_at_index", "delivered_at"),)

    dedupe_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PushTicket(Base):
    """An Expo push ticket whose receipt has not been read yet (`push-receipts` job), with its token."""

    __tablename__ = "push_tickets"
    __table_args__ = (Index("push_tickets_created_at_index", "created_at"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
