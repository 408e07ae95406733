"""The МЭДО notifications built from the domain events of execution, so that the sender of a document received by
МЭДО learns what happens to it. `export_event` is the exchange's consumer of resolution events (registered at app
creation by `install_event_export`, called by the resolutions' delivery job in the event's transaction; the sweep
`edms.exchange.jobs.export_resolution_events` takes up events the job missed).

Only the top-level resolutions of the card matter to the sender: sub-resolutions are the internal distribution of
the work and are not reported. The mapping:

- `executor_assigned` of the responsible executor → «Назначен исполнитель»: secretary = who signed the resolution,
  manager = its author, executor = the responsible executor, the deadline in the comment (co-executors are not
  named: the sender deals with the responsible one);
- `report_prepared` (a co-executor's part goes to the responsible executor) → «Доклад подготовлен», the signatory
  being the report's addressee, signed today;
- `report_sent` (the responsible executor's report goes to the author or the controller) → «Доклад направлен»,
  referring to our reply letter (an outgoing card registered «В ответ на» this card) or else, said so in the comment,
  to our registration of the sender's document; its acceptance (`report_accepted`) is told by «Исполнение»;
- `execution_changed`, `control_closed`, `card_executed` → «Исполнение» with a Russian text; a resolution executed
  together with the whole card is told once, by «Документ исполнен».

Every event offered gets `exported_at` (also when nothing is sent), so that the sweep never revisits it; an event
already exported queues nothing, and the outbox key 'kind:<event id>' makes each notice unique per packet.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.exchange.models import OutboxPacket
from edms.exchange.operations.notices import arrival_packet, queue_notification
from edms.exchange.packets.notices import (
    CourseChanged,
    DocumentRef,
    ExecutorAssigned,
    NoticeEvent,
    Official,
    ReportPrepared,
    ReportSent,
)
from edms.exchange.packets.writer_xml import MAX_TEXT
from edms.registry.models import Card, CardKind, CardLink, CaseFile, LinkKind
from edms.resolutions import deadlines
from edms.resolutions.consumers import register_event_consumer
from edms.resolutions.models import Assignment, EventKind, ExecutionReport, Resolution, ResolutionEvent

#: what one event tells the sender: the notification and its comment
Plan = tuple[NoticeEvent, str | None]
EXPORTED_KINDS = frozenset(
    {
        EventKind.executor_assigned,
        EventKind.report_prepared,
        EventKind.report_sent,
        EventKind.execution_changed,
        EventKind.control_closed,
        EventKind.card_executed,
    }
)


def install_event_export(app: Flask) -> None:
    """Make the resolutions' delivery job offer every event to `export_event` (once per application)."""
    register_event_consumer(app, export_event)


def export_event(event: ResolutionEvent) -> OutboxPacket | None:
    """Queue the notification the event means for the sender of the card's МЭДО document, if any, and mark the
    event exported; the caller holds the event's row lock."""
    if event.exported_at is not None:
        return None
    event.exported_at = utcnow()
    if event.kind not in EXPORTED_KINDS:
        return None
    resolution = db.session.get(Resolution, event.resolution_id)
    if resolution is None or not resolution.is_top_level:
        return None
    inbox = arrival_packet(event.card_id)
    if inbox is None:
        return None
    plan = _plan(event, resolution)
    if plan is None:
        return None
    notice, comment = plan
    return queue_notification(inbox, notice, comment=comment, ref=event.id, time=event.created_at)


def unexported_events(before: datetime, limit: int) -> list[int]:
    """Ids of events written before `before` that no consumer has exported yet, oldest first."""
    query = (
        select(ResolutionEvent.id)
        .where(ResolutionEvent.exported_at.is_(None), ResolutionEvent.created_at <= before)
        .order_by(ResolutionEvent.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def export_event_by_id(event_id: int) -> bool:
    """Export one event under its row lock (skipped while another transaction holds it); True when it was due."""
    query = select(ResolutionEvent).where(ResolutionEvent.id == event_id).with_for_update(skip_locked=True)
    event = db.session.execute(query).scalar_one_or_none()
    if event is None or event.exported_at is not None:
        return False
    export_event(event)
    return True


def give_up_event(event_id: int, error: Exception) -> None:
    """An event whose export failed in the sweep too: marked exported with the failure journaled, so that it never
    holds back the newer ones (the sweep takes the oldest first)."""
    event = db.session.get(ResolutionEvent, event_id)
    if event is None or event.exported_at is not None:
        return
    event.exported_at = utcnow()
    facts = {'event_id': event_id, 'kind': event.kind.value, 'error': f'{type(error).__name__}: {error}'[:1000]}
    record(None, 'exchange.export.failed', event, facts, organization_id=event.organization_id)


def _plan(event: ResolutionEvent, resolution: Resolution) -> Plan | None:
    assignment = db.session.get(Assignment, event.assignment_id) if event.assignment_id else None
    if event.kind == EventKind.executor_assigned:
        responsible = assignment is not None and assignment.is_responsible
        return _executor_assigned(event, resolution, assignment) if assignment and responsible else None
    if event.kind in (EventKind.report_prepared, EventKind.report_sent):
        report = _report(event)
        if report is None:
            return None
        if event.kind == EventKind.report_prepared:
            return ReportPrepared(official(report.addressee), deadlines.today()), None
        return _report_sent(resolution.card, report)
    text = _course_text(event, resolution)
    return (CourseChanged(text[:MAX_TEXT]), None) if text else None


def _executor_assigned(event: ResolutionEvent, resolution: Resolution, assignment: Assignment) -> Plan:
    secretary = db.session.get(User, event.actor_id) if event.actor_id else None
    notice = ExecutorAssigned(
        secretary=official(secretary or resolution.author),
        manager=official(resolution.author),
        executor=official(assignment.executor),
    )
    return notice, f'Срок исполнения — {deadlines.ru(assignment.deadline)}.'


def _report_sent(card: Card, report: ExecutionReport) -> Plan:
    """Our reply letter when one is registered «В ответ на» the card; else our registration of the document."""
    reply = _reply_letter(card)
    if reply is not None and reply.reg_number:
        ref = DocumentRef(reply.reg_number, reply.reg_date, card.organization.name, reply.signer or None)
        return ReportSent(ref), None
    ref = DocumentRef(card.reg_number or 'б/н', card.reg_date, card.organization.name, report.author.full_name)
    comment = (
        f'Отчёт об исполнении направлен на рассмотрение ({official_label(report.addressee)}); ответное письмо '
        'не зарегистрировано, указан наш регистрационный номер вашего документа.'
    )
    return ReportSent(ref), comment


def _reply_letter(card: Card) -> Card | None:
    query = (
        select(Card)
        .join(CardLink, CardLink.card_id == Card.id)
        .where(
            CardLink.target_card_id == card.id,
            CardLink.kind == LinkKind.reply_to,
            Card.kind == CardKind.outgoing,
            Card.reg_number.is_not(None),
        )
        .order_by(Card.id.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def _course_text(event: ResolutionEvent, resolution: Resolution) -> str | None:
    data, author = event.data or {}, official_label(resolution.author)
    if event.kind == EventKind.execution_changed and data.get('status') == 'cancelled':
        return f'Поручение отменено: {author}.'
    if event.kind == EventKind.execution_changed:
        return None if _card_executed_with(event) else f'Исполнено поручение: {author}.'
    if event.kind == EventKind.control_closed:
        case = _case_index(data.get('case_file_id'))
        mark = ' '.join(str(data.get('execution_mark') or '').split())
        return 'Снято с контроля' + (f': {mark}' if mark else '') + (f'; в дело № {case}' if case else '') + '.'
    if event.kind == EventKind.card_executed:
        case_file = resolution.card.case_file
        return 'Документ исполнен' + (f', в дело № {case_file.index}' if case_file else '') + '.'
    return None


def _card_executed_with(event: ResolutionEvent) -> bool:
    """The card was executed by the same step (its event follows this one on the same resolution)."""
    query = select(ResolutionEvent.id).where(
        ResolutionEvent.resolution_id == event.resolution_id,
        ResolutionEvent.kind == EventKind.card_executed,
        ResolutionEvent.id > event.id,
    )
    return db.session.execute(query.limit(1)).first() is not None


def _case_index(case_file_id: object) -> str | None:
    case_file = db.session.get(CaseFile, case_file_id) if isinstance(case_file_id, int) else None
    return case_file.index if case_file is not None else None


def _report(event: ResolutionEvent) -> ExecutionReport | None:
    report_id = (event.data or {}).get('report_id')
    return db.session.get(ExecutionReport, report_id) if isinstance(report_id, int) else None


def official(user: User) -> Official:
    """A person of ours in a notification: full name, post and department."""
    return Official(
        name=user.full_name,
        post=user.position.title if user.position is not None else None,
        department=user.department.name if user.department is not None else None,
    )


def official_label(user: User) -> str:
    return ', '.join(part for part in (user.short_name, user.position.title if user.position else None) if part)
