"""Operations of the exchange: the participants directory, receiving packets into the inbox, processing them into
incoming drafts or the quarantine, and what goes back to the sender through the outbox (receipts, «Зарегистрирован»,
«Отказано в регистрации»). Each flushes only and journals in the caller's transaction."""

from edms.exchange.operations.decisions import install_registration_hook, on_card_registered, refuse_packet
from edms.exchange.operations.intake import receive_packet, retry_packet
from edms.exchange.operations.participants import create_participant, update_participant

__all__ = [
    'create_participant',
    'install_registration_hook',
    'on_card_registered',
    'receive_packet',
    'refuse_packet',
    'retry_packet',
    'update_participant',
]
