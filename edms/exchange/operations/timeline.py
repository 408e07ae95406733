"""The timeline of a sent document per addressee: our own steps (the packet queued, sent, not delivered) and what the
addressee reports back — a receipt for our message (delivered or not accepted, by the message GUID), notifications
about our document (by the container GUID and the notifying participant): registered as № … on …, refused with the
reason, executor assigned, report prepared or sent, the course of execution, publication.

A step reported by a received packet is recorded once per packet (a packet received twice is folded before it gets
here). The dispatch's status follows the steps that change it; the card's author hears of registration, refusal and
non-acceptance in-app.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from edms.audit.operations import record
from edms.core.clock import utcnow
from edms.core.db import db
from edms.exchange.models import (
    DISPATCH_STEP_LABELS,
    REASON_MAX,
    Dispatch,
    DispatchEvent,
    DispatchStatus,
    DispatchStep,
    ExchangeParticipant,
    InboxPacket,
    OutboxKind,
    OutboxPacket,
)
from edms.exchange.packets.model import IncomingAcknowledgment, IncomingNotification, IncomingPacket, Party
from edms.notifications.models import TEXT_MAX
from edms.notifications.operations import notify
from edms.registry.models import Card

#: steps that set the dispatch's status (the others are progress after registration)
STATUS_OF_STEP = {
    DispatchStep.sent: DispatchStatus.sent,
    DispatchStep.delivered: DispatchStatus.delivered,
    DispatchStep.not_accepted: DispatchStatus.not_accepted,
    DispatchStep.registered: DispatchStatus.registered,
    DispatchStep.refused: DispatchStatus.refused,
    DispatchStep.failed: DispatchStatus.failed,
}
_Q, _S, _D, _N, _R, _X, _F = (
    DispatchStatus.queued,
    DispatchStatus.sent,
    DispatchStatus.delivered,
    DispatchStatus.not_accepted,
    DispatchStatus.registered,
    DispatchStatus.refused,
    DispatchStatus.failed,
)
#: new status -> the statuses it may follow: answers arrive late and out of order, and the addressee's decision
#: (registered, refused) outweighs what the transport said (a registration after a failed delivery still counts)
MAY_FOLLOW: dict[DispatchStatus, frozenset[DispatchStatus]] = {
    _S: frozenset({_Q}),
    _D: frozenset({_Q, _S, _F}),
    _N: frozenset({_Q, _S, _D, _F}),
    _R: frozenset({_Q, _S, _D, _N, _F}),
    _X: frozenset({_Q, _S, _D, _N, _F}),
    _F: frozenset({_Q, _S}),
}
#: the clerks are told of a failed delivery by the delivery itself
TOLD_TO_AUTHOR = (DispatchStep.registered, DispatchStep.refused, DispatchStep.not_accepted)
NOTICE_KIND = 'exchange_dispatch'


def note_outbox(
    row: OutboxPacket, step: DispatchStep, text: str = '', *, at: datetime | None = None
) -> DispatchEvent | None:
    """Our own step of a document's outbox row (sent, failed) on its dispatch, at `at` (default now)."""
    if row.kind != OutboxKind.document.value:  # only a document has a dispatch
        return None
    dispatch = _locked(select(Dispatch).where(Dispatch.outbox_id == row.id))
    if dispatch is None:
        return None
    return _add(dispatch, step, at or utcnow(), text, None, {'attempts': row.attempts})


def note_answer(inbox: InboxPacket, packet: IncomingPacket) -> DispatchEvent | None:
    """The step a received receipt or notification reports about one of our dispatches, if it is about one.

    Only the addressee answers for itself: when the packet came from a known system (HTTP with its token, or an
    organization served here), the sender it names must be that system, else nothing is recorded."""
    claimed = (packet.sender.participant_uid or '').lower() or None
    source = inbox.source_participant
    if source is not None and claimed is not None and claimed != source.guid:
        facts = {'claimed_sender': claimed, 'posted_by': source.guid}
        record(None, 'exchange.answer.ignored', inbox, facts, organization_id=inbox.recipient_organization_id)
        return None
    answerer = claimed or (source.guid if source is not None else None)
    if packet.acknowledgment is not None:
        return _receipt(inbox, packet.acknowledgment, answerer, trusted_path=source is None)
    if packet.notification is not None:
        return _notification(inbox, packet.notification, answerer)
    return None


def _receipt(
    inbox: InboxPacket, receipt: IncomingAcknowledgment, answerer: str | None, *, trusted_path: bool
) -> DispatchEvent | None:
    """A receipt for our message; from the addressee itself, or anyone on the МЭДО mail path (the gateway's error
    receipts come from the gateway)."""
    uid = (receipt.acknowledged_uid or '').lower()
    dispatch = _locked(select(Dispatch).where(Dispatch.message_uid == uid))
    if dispatch is None or not (trusted_path or answerer == dispatch.destination.guid):
        return None
    accepted = receipt.accepted is not False and not receipt.is_gateway_error
    step = DispatchStep.delivered if accepted else DispatchStep.not_accepted
    if step is DispatchStep.delivered and any(item.step == step.value for item in dispatch.steps):
        return None  # the same message received again is acknowledged again: once on the timeline is enough
    text = receipt.comment or ('' if accepted else 'Сообщение не принято получателем.')
    if receipt.error_code is not None:
        text = f'Ошибка шлюза МЭДО {receipt.error_code}. {text}'.strip()
    return _add(dispatch, step, receipt.time or inbox.received_at, text, inbox, {'accepted': accepted})


def _notification(inbox: InboxPacket, notice: IncomingNotification, answerer: str | None) -> DispatchEvent | None:
    dispatch = _dispatch_of(notice, answerer)
    if dispatch is None:
        return None
    step = DispatchStep(notice.event.value)
    if step is DispatchStep.registered:
        dispatch.registered_number = (notice.reg_number or '')[:64] or None
        dispatch.registered_date = notice.reg_date
    details = {'type': notice.type, 'number': notice.reg_number, 'date': _iso(notice.reg_date)}
    return _add(dispatch, step, notice.time or inbox.received_at, _describe(notice), inbox, details)


def _dispatch_of(notice: IncomingNotification, answerer: str | None) -> Dispatch | None:
    """Our dispatch the notification is about: by the message it names (@mid), else by the container GUID — always
    one whose addressee is the notifying participant; when the sender is not named at all, only an unambiguous one."""
    if notice.message_uid:
        dispatch = _locked(select(Dispatch).where(Dispatch.message_uid == notice.message_uid.lower()))
        if dispatch is not None and answerer in (None, dispatch.destination.guid):
            return dispatch
    if not notice.document_uid:
        return None
    query = select(Dispatch).join(Dispatch.destination).where(Dispatch.document_uid == notice.document_uid.lower())
    if answerer is not None:
        return _locked(query.where(ExchangeParticipant.guid == answerer).order_by(Dispatch.id.desc()).limit(1))
    ids = list(db.session.execute(query.with_only_columns(Dispatch.id).limit(2)).scalars())
    return _locked(select(Dispatch).where(Dispatch.id == ids[0])) if len(ids) == 1 else None


def _locked(query: Select[tuple[Dispatch]]) -> Dispatch | None:
    """The dispatch under a row lock, fresh: two answers processed at once must not overwrite each other's status."""
    locked = query.with_for_update(of=Dispatch).execution_options(populate_existing=True)
    return db.session.execute(locked).scalars().first()


def _describe(notice: IncomingNotification) -> str:
    """What the addressee reports, in words for the timeline."""
    parts: list[str] = []
    if notice.reg_number:
        dated = f' от {notice.reg_date:%d.%m.%Y}' if notice.reg_date else ''
        parts.append(f'№ {notice.reg_number}{dated}')
    if notice.reason:
        parts.append(f'Причина: {notice.reason}')
    for title, person in (('Исполнитель', notice.executor), ('Подписывает', notice.signatory)):
        if person is not None and _person(person):
            parts.append(f'{title}: {_person(person)}')
    if notice.report is not None and notice.report.number:
        parts.append(f'Доклад № {notice.report.number}')
    for text in (notice.course_text, notice.publication_point, notice.comment):
        if text:
            parts.append(text)
    return '. '.join(parts)[:REASON_MAX]


def _person(party: Party) -> str:
    return ', '.join(part for part in (party.person, party.post, party.organization) if part)


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, 'isoformat') else None


def _add(
    dispatch: Dispatch,
    step: DispatchStep,
    happened_at: datetime,
    text: str,
    inbox: InboxPacket | None,
    details: dict[str, object],
) -> DispatchEvent:
    now = utcnow()
    event = DispatchEvent(
        step=step.value,
        happened_at=happened_at,
        recorded_at=now,
        text=text[:REASON_MAX],
        inbox_id=inbox.id if inbox is not None else None,
        details=details,
    )
    dispatch.steps.append(event)
    status = STATUS_OF_STEP.get(step)
    if status is not None and _moves_forward(dispatch, status):
        dispatch.status = status.value
    dispatch.updated_at = now
    db.session.flush()
    facts = {'step': step.value, 'destination': dispatch.destination_id, 'text': text[:1000]}
    card = db.session.get(Card, dispatch.card_id)
    if card is not None:
        record(None, 'exchange.dispatch.step', card, facts, organization_id=dispatch.organization_id)
        if step in TOLD_TO_AUTHOR:
            _tell_author(card, dispatch, event)
    return event


def _moves_forward(dispatch: Dispatch, status: DispatchStatus) -> bool:
    return DispatchStatus(dispatch.status) in MAY_FOLLOW[status]


def _tell_author(card: Card, dispatch: Dispatch, event: DispatchEvent) -> None:
    recipients = [user_id for user_id in (dispatch.sent_by_id, card.created_by_id) if user_id is not None]
    if not recipients:
        return
    label = DISPATCH_STEP_LABELS[DispatchStep(event.step)]
    number = card.reg_number or str(card.id)
    text = f'Документ № {number} — {dispatch.addressee_name}: {label}. {event.text}'.strip()
    notify(
        sorted(set(recipients)),
        kind=NOTICE_KIND,
        text=text[:TEXT_MAX],
        url=f'/cards/{card.id}?tab=exchange',
        organization_id=card.organization_id,
        source=f'exchange-dispatch-event-{event.id}',
    )
