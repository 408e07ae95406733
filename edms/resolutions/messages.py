"""What each domain event tells whom: the recipients, the notification kind, the Russian text and the link.

The actor of an event is never notified of his own step. Links point to the card page at the resolution's anchor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from edms.core.db import db
from edms.registry.models import Card
from edms.resolutions import deadlines
from edms.resolutions.models import (
    Assignment,
    EventKind,
    ExecutionReport,
    Resolution,
    ResolutionEvent,
    ResolutionStatus,
)

SNIPPET = 120


@dataclass(frozen=True)
class Message:
    recipient_ids: tuple[int, ...]
    kind: str
    text: str
    url: str


def messages_for(event: ResolutionEvent) -> list[Message]:
    """The notifications an event produces (empty when nobody but the actor is concerned)."""
    resolution = db.session.get(Resolution, event.resolution_id)
    card = db.session.get(Card, event.card_id)
    if resolution is None or card is None:
        return []
    assignment = db.session.get(Assignment, event.assignment_id) if event.assignment_id else None
    url = f'/cards/{card.id}#resolution-{resolution.id}'
    about = f'{_card_label(card)}: «{_snippet(resolution.text)}»'
    result = [
        Message(tuple(_without(recipients, event.actor_id)), kind, text, url)
        for recipients, kind, text in _plan(event, resolution, assignment, card, about)
    ]
    return [message for message in result if message.recipient_ids]


def _plan(
    event: ResolutionEvent, resolution: Resolution, assignment: Assignment | None, card: Card, about: str
) -> list[tuple[list[int], str, str]]:
    kind, data = event.kind, event.data or {}
    if kind == EventKind.resolution_drafted:
        return [([resolution.author_id], 'draft', f'Проект резолюции ожидает вашего утверждения. {about}')]
    if kind == EventKind.draft_returned:
        comment = data.get('comment', '')
        return [(_ids(resolution.prepared_by_id), 'draft_returned', f'Проект возвращён: {comment}. {about}')]
    if kind == EventKind.resolution_approved:
        plan = [(_ids(resolution.prepared_by_id), 'draft', f'Проект резолюции утверждён. {about}')]
        if resolution.is_controlled and resolution.controller_id != resolution.author_id:
            plan.append((_ids(resolution.controller_id), 'control', f'Резолюция поставлена на контроль. {about}'))
        return plan
    if kind == EventKind.executor_assigned and assignment is not None:
        role = 'ответственный исполнитель' if assignment.is_responsible else 'соисполнитель'
        text = f'Вам поручено ({role}), срок — {deadlines.ru(assignment.deadline)}. {about}'
        return [([assignment.executor_id], 'assignment', text)]
    if kind in (EventKind.report_prepared, EventKind.report_sent):
        report = _report(data)
        if report is not None:
            return [([report.addressee_id], 'report', f'Поступил отчёт об исполнении на рассмотрение. {about}')]
    if kind in (EventKind.report_accepted, EventKind.report_returned):
        return _report_decided(kind, _report(data), about)
    if kind == EventKind.extension_requested:
        text = f'Исполнитель просит продлить срок до {_ru_iso(data.get("requested_deadline"))}. {about}'
        return [([resolution.author_id], 'extension', text)]
    if kind == EventKind.extension_decided and assignment is not None:
        verdict = f'продлён до {deadlines.ru(assignment.deadline)}' if data.get('granted') else 'не продлён'
        return [([assignment.executor_id], 'extension', f'Срок исполнения {verdict}. {about}')]
    if kind == EventKind.execution_changed:
        return _execution_changed(resolution, data, about)
    if kind == EventKind.control_closed:
        text = f'Резолюция снята с контроля: {data.get("execution_mark", "")}. {about}'
        return [([resolution.author_id, *_responsible(resolution)], 'control', text)]
    if kind == EventKind.card_executed:
        return [(_card_people(card.id), 'control', f'Документ {_card_label(card)} исполнен.')]
    return []


def _report_decided(kind: EventKind, report: ExecutionReport | None, about: str) -> list[tuple[list[int], str, str]]:
    if report is None:
        return []
    if kind == EventKind.report_accepted:
        return [([report.author_id], 'report_decided', f'Ваш отчёт принят, поручение исполнено. {about}')]
    comment = report.decision_comment or ''
    return [([report.author_id], 'report_decided', f'Ваш отчёт возвращён на доработку: {comment}. {about}')]


def _execution_changed(resolution: Resolution, data: dict, about: str) -> list[tuple[list[int], str, str]]:
    if data.get('status') == 'cancelled':
        executors = [item.executor_id for item in resolution.assignments]
        return [(executors, 'control', f'Резолюция отменена: {data.get("reason", "")}. {about}')]
    return [([resolution.author_id], 'control', f'Резолюция исполнена. {about}')]


def _card_people(card_id: int) -> list[int]:
    """Authors and responsible executors of the card's top-level resolutions that were not cancelled."""
    query = (
        select(Resolution.author_id, Assignment.executor_id)
        .join(Assignment, Assignment.resolution_id == Resolution.id)
        .where(
            Resolution.card_id == card_id,
            Resolution.parent_assignment_id.is_(None),
            Resolution.status != ResolutionStatus.cancelled,
            Assignment.is_responsible.is_(True),
        )
    )
    people: list[int] = []
    for author_id, executor_id in db.session.execute(query):
        people += [author_id, executor_id]
    return people


def _responsible(resolution: Resolution) -> list[int]:
    responsible = resolution.responsible
    return [responsible.executor_id] if responsible is not None else []


def _report(data: dict) -> ExecutionReport | None:
    report_id = data.get('report_id')
    return db.session.get(ExecutionReport, report_id) if isinstance(report_id, int) else None


def _ids(*ids: int | None) -> list[int]:
    return [item for item in ids if item is not None]


def _without(ids: Iterable[int], actor_id: int | None) -> list[int]:
    return [item for item in dict.fromkeys(ids) if item != actor_id]


def _card_label(card: Card) -> str:
    if card.reg_number and card.reg_date:
        return f'№ {card.reg_number} от {deadlines.ru(card.reg_date)}'
    return f'карточка #{card.id}'


def _snippet(text: str) -> str:
    text = ' '.join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + '…'


def _ru_iso(value: object) -> str:
    try:
        return deadlines.ru(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)
