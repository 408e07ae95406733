"""Operations of the exchange: the participants directory, receiving packets into the inbox, processing them into
incoming drafts or the quarantine, and what goes back to the sender through the outbox (receipts, «Зарегистрирован»,
«Отказано в регистрации», the steps of execution, «Опубликование»). Each flushes only and journals in the caller's
transaction."""

from edms.exchange.operations.decisions import on_card_registered, refuse_packet
from edms.exchange.operations.intake import receive_packet, retry_packet
from edms.exchange.operations.participants import create_participant, update_participant
from edms.exchange.operations.publication import mark_published

__all__ = [
    'create_participant',
    'mark_published',
    'on_card_registered',
    'receive_packet',
    'refuse_packet',
    'retry_packet',
    'update_participant',
]
