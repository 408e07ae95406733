"""The `Notification` model: one message for one user, read in the app and, when SMTP is configured, mailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from edms.auth.models import User
from edms.core.db import CreatedAtMixin, UTCDateTime, db, reference

TEXT_MAX = 1000
URL_MAX = 500
SOURCE_MAX = 255
KIND_MAX = 64
EMAIL_ERROR_MAX = 1000
#: Russian names of the notification kinds the modules send; an unknown kind is shown as «Уведомление».
KIND_LABELS: dict[str, str] = {
    'assignment': 'Новое поручение',
    'draft': 'Проект резолюции',
    'draft_returned': 'Проект резолюции возвращён',
    'report': 'Отчёт об исполнении',
    'report_decided': 'Решение по отчёту',
    'extension': 'Продление срока',
    'control': 'Контроль исполнения',
    'reminder': 'Напоминание о сроке',
    'overdue': 'Просрочено исполнение',
    'system': 'Системное сообщение',
    'routing': 'Документ направлен по правилам',
    'exchange_dispatch': 'Ход отправки по МЭДО',
    'exchange_delivery_failed': 'Пакет МЭДО не доставлен',
    'application': 'Заявление на услугу',
    'interagency': 'Межведомственный запрос',
    'complaint': 'Жалоба',
    'confirmation_code': 'Код подтверждения',
}
DEFAULT_KIND_LABEL = 'Уведомление'


def kind_label(kind: str) -> str:
    """The Russian name of a notification kind."""
    return KIND_LABELS.get(kind, DEFAULT_KIND_LABEL)


class Notification(CreatedAtMixin, db.Model):
    """A message to one user; `source` makes its creation idempotent per user."""

    __tablename__ = 'notifications_notifications'
    __table_args__ = (
        UniqueConstraint('user_id', 'source'),
        #: The navbar badge counts a user's unread notifications on every page: a partial index keeps it cheap.
        Index(
            'ix_notifications_notifications_user_id_unread',
            'user_id',
            postgresql_where=text('read_at IS NULL'),
            sqlite_where=text('read_at IS NULL'),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), nullable=False)
    #: The organization the notification is about (the recipient's by default).
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    #: Short code of what happened (`KIND_LABELS`).
    kind: Mapped[str] = mapped_column(String(KIND_MAX), nullable=False)
    text: Mapped[str] = mapped_column(String(TEXT_MAX), nullable=False)
    #: Relative link into the app (`/cards/12`), or '' when there is nothing to open.
    url: Mapped[str] = mapped_column(String(URL_MAX), nullable=False, default='')
    #: Idempotency key of the event that caused it, e.g. 'resolution_event:123'; unique per user.
    source: Mapped[str] = mapped_column(String(SOURCE_MAX), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last delivery error; kept when the mail could not be sent after the retries.
    email_error: Mapped[str | None] = mapped_column(String(EMAIL_ERROR_MAX))

    user: Mapped[User] = reference()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)
