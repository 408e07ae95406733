"""The clerk's decisions about a draft that arrived by МЭДО, and what they send back: registering it with the usual
registration flow queues «Зарегистрирован» (our number and date); «Отказать в регистрации» with a reason from the
IEDMS 2.6 list cancels the draft and queues «Отказано в регистрации».

The registry knows nothing of the exchange (it is a lower layer), so every entry point that registers a card (the
card page, the API) calls `on_card_registered(card)` right after `register_card`, in the same transaction. It is
idempotent: one notification per packet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.validation import RawInput
from edms.exchange.errors import PacketStateConflict
from edms.exchange.models import InboxPacket, InboxStatus, OutboxPacket
from edms.exchange.operations.notices import arrival_packet, queue_notification
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
    inbox = arrival_packet(card.id, lock=True)
    if inbox is None:
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
