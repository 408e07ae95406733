"""Domain errors of the exchange: missing participants and inbox items (404 across organizations), packets too large
for the intake, actions the packet's state does not allow. Refusals of packet reading are `packets.errors`."""

from __future__ import annotations

from edms.core.errors import Conflict, DomainError, NotFound


class ParticipantNotFound(NotFound):
    code = 'participant_not_found'
    message = 'Участник обмена не найден.'


class InboxPacketNotFound(NotFound):
    code = 'inbox_packet_not_found'
    message = 'Пакет не найден.'


class PacketTooLarge(DomainError):
    """The body of a posted packet is over the intake's limit; nothing is kept."""

    code = 'packet_too_large'
    status = 413

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        super().__init__(f'Пакет больше допустимого размера ({max_size} байт): он не принят.')


class PacketStateConflict(Conflict):
    code = 'packet_state_conflict'
    message = 'Действие невозможно в текущем состоянии пакета.'
