"""The clerk's decisions about a draft that arrived by МЭДО, and what they send back: registering it with the usual
registration flow queues «Зарегистрирован» (our number and date); «Отказать в регистрации» with a reason from the
IEDMS 2.6 list cancels the draft and queues «Отказано в регистрации».

The registry knows nothing of the exchange (it is a lower layer), so registration is noticed here: either an entry
point calls `on_card_registered(card)` after `register_card`, or `install_registration_hook()` (called once when
the web blueprint is registered) watches every flush for an МЭДО card turning from draft to registered. Both are
idempotent: one notification per packet and event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.validation import RawInput
from edms.exchange.errors import PacketStateConflict
from edms.exchange.models import InboxPacket, InboxStatus, OutboxPacket
from edms.exchange.operations.notices import queue_notification
from edms.exchange.packets.notices import REFUSAL_REASONS, Refused, Registered
from edms.exchange.packets.writer_xml import MAX_COMMENT
from edms.registry.models import Card, CardStatus, DeliveryMethod
from edms.registry.operations import cancel_card
from edms.registry.queries import get_card

REFUSAL_FIELDS = ('reason', 'comment')
CANCEL_REASON_MAX = 1000


def on_card_registered(card: Card) -> OutboxPacket | None:
    """Queue «Зарегистрирован» for a registered card that arrived by МЭДО (nothing for any other card)."""
    if card.delivery_method != DeliveryMethod.medo or card.reg_number is None or card.reg_date is None:
        return None
    inbox = db.session.execute(
        select(InboxPacket)
        .where(InboxPacket.card_id == card.id, InboxPacket.duplicate_of_id.is_(None))
        .order_by(InboxPacket.id)
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if inbox is None or inbox.status != InboxStatus.accepted.value:
        return None
    return queue_notification(inbox, Registered(number=card.reg_number, date=card.reg_date))


def refuse_packet(user: User, inbox: InboxPacket, raw: Mapping[str, Any]) -> OutboxPacket | None:
    """Refuse registration of the packet's draft: the card is cancelled with the reason, the packet marked refused
    and «Отказано в регистрации» queued for the sender (None when the sender is not a participant)."""
    form = RawInput(raw, REFUSAL_FIELDS)
    reason = form.text('reason', 'Причина отказа', required=True)
    comment = form.text('comment', 'Комментарий', max_length=MAX_COMMENT)
    if reason and reason not in REFUSAL_REASONS:
        form.errors.add('reason', '«Причина отказа»: выберите причину из перечня МЭДО.')
    form.finish()
    db.session.execute(select(InboxPacket.id).where(InboxPacket.id == inbox.id).with_for_update())
    db.session.refresh(inbox)
    if inbox.status != InboxStatus.accepted.value or inbox.card_id is None or inbox.duplicate_of_id is not None:
        raise PacketStateConflict('Отказать можно только в регистрации принятого пакета, пока он не зарегистрирован.')
    card = get_card(user, inbox.card_id)
    if card.status != CardStatus.draft:
        raise PacketStateConflict('Документ уже зарегистрирован или аннулирован: отказ в регистрации невозможен.')
    cancel_card(user, card, f'Отказано в регистрации: {reason}. {comment}'.strip()[:CANCEL_REASON_MAX])
    inbox.status, inbox.reason, inbox.updated_at = InboxStatus.refused.value, reason, utcnow()
    notice = queue_notification(inbox, Refused(reason=reason), comment=comment or None)
    facts = {'card_id': card.id, 'reason': reason, 'comment': comment, 'notified': notice is not None}
    record(user, 'exchange.packet.refuse', inbox, facts, organization_id=inbox.recipient_organization_id)
    return notice


def install_registration_hook() -> None:
    """Watch flushes for МЭДО drafts being registered (once per process)."""
    if not event.contains(Session, 'before_flush', _before_flush):
        event.listen(Session, 'before_flush', _before_flush)


def _before_flush(session: Session, flush_context: object, instances: object) -> None:
    registered = [obj for obj in session.dirty if isinstance(obj, Card) and _just_registered(obj)]
    if not registered:
        return
    with session.no_autoflush:
        for card in registered:
            on_card_registered(card)


def _just_registered(card: Card) -> bool:
    if card.delivery_method != DeliveryMethod.medo or card.id is None:
        return False
    history = inspect(card).attrs.status.history
    return CardStatus.registered in (history.added or ()) and CardStatus.draft in (history.deleted or ())
