"""«Опубликование»: the clerk marks the act a card received by МЭДО holds as officially published (the publication
number, the date and time, the source) and the notification goes to the sender of the document.

One publication is noted once: the same number, moment and source again is refused; another source (the act was
published on the portal and in the gazette) is a notification of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import local_today
from edms.core.validation import RawInput
from edms.exchange.errors import PacketStateConflict
from edms.exchange.models import OutboxPacket
from edms.exchange.operations.notices import arrival_packet, notice_key, notice_queued, queue_notification
from edms.exchange.packets.notices import Published
from edms.exchange.packets.writer_xml import MAX_NUMBER, MAX_VALUE
from edms.registry.models import Card, CardStatus
from edms.registry.permissions import require_registrar

PUBLICATION_FIELDS = ('number', 'date', 'time', 'point')
_CLOCK = re.compile(r'^(\d{1,2}):(\d{2})$')
NOT_FROM_MEDO = 'Документ получен не по МЭДО (или в его регистрации отказано): сообщать об опубликовании некому.'
NOT_REGISTERED = 'Отметить опубликование можно только у зарегистрированного документа.'
ALREADY_NOTED = 'Это опубликование уже отмечено: уведомление отправителю поставлено в очередь ранее.'


def mark_published(user: User, card: Card, raw: Mapping[str, Any]) -> OutboxPacket | None:
    """Note the publication of the card's act and queue «Опубликование» for the sender of its МЭДО document; None
    when the sender is not a participant of the directory (nothing can be sent)."""
    require_registrar(user)
    number, published, point = read_publication(raw)
    if card.status in (CardStatus.draft, CardStatus.cancelled) or card.reg_number is None:
        raise PacketStateConflict(NOT_REGISTERED)
    inbox = arrival_packet(card.id, lock=True)
    if inbox is None:
        raise PacketStateConflict(NOT_FROM_MEDO)
    event = Published(number=number, published=published, point=point)
    ref = _occasion(number, published, point)
    if notice_queued(inbox, notice_key(event, ref)):
        raise PacketStateConflict(ALREADY_NOTED)
    notice = queue_notification(inbox, event, ref=ref)
    facts = {'number': number, 'published': published.isoformat(), 'point': point, 'notified': notice is not None}
    record(user, 'exchange.card.published', card, facts, organization_id=card.organization_id)
    return notice


def read_publication(raw: Mapping[str, Any]) -> tuple[str, datetime, str]:
    """The publication number, its moment (local time of the agency; midnight when no time is given), the source."""
    form = RawInput(raw, PUBLICATION_FIELDS)
    number = form.text('number', 'Номер опубликования', required=True, max_length=MAX_NUMBER)
    day = form.date('date', 'Дата опубликования', required=True)
    clock = _clock(form)
    point = ' '.join(form.text('point', 'Источник опубликования', required=True, max_length=MAX_VALUE).split())
    zone = ZoneInfo(current_app.config['TIMEZONE'])
    if day is not None and day > local_today(current_app.config['TIMEZONE']):
        form.errors.add('date', '«Дата опубликования»: не может быть позже сегодняшнего дня.')
    form.finish()
    assert day is not None  # required: finish() refused its absence
    return ' '.join(number.split()), datetime.combine(day, clock or time(0), tzinfo=zone), point


def _clock(form: RawInput) -> time | None:
    value = form.text('time', 'Время опубликования')
    if not value:
        return None
    match = _CLOCK.match(value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        form.errors.add('time', '«Время опубликования»: время в формате ЧЧ:ММ.')
        return None
    return time(int(match[1]), int(match[2]))


def _occasion(number: str, published: datetime, point: str) -> str:
    """A short stable reference of one publication for the outbox key."""
    digest = hashlib.sha256(f'{number}\n{published.isoformat()}\n{point}'.encode()).hexdigest()
    return digest[:16]
