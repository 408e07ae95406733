"""Statutory deadlines of citizen appeals (Федеральный закон от 02.05.2006 № 59-ФЗ) computed for a card.

- registration within 3 days of receipt (ст. 8 ч. 2);
- forwarding to the competent body within 7 days of registration, when the questions are outside the competence
  (ст. 8 ч. 3);
- the answer within 30 days of registration (ст. 12 ч. 1), extended once by up to 30 days with notice to the
  applicant (ст. 12 ч. 2; the extension is stored on the card by `operations.appeals.extend_appeal_answer`).

The law counts calendar days. A period whose last day is a day off ends on the preceding working day ('backward'):
the agency must act on a day it works and never later than the law allows. The answer counts as given on the
registration date of the earliest outgoing card linked to the appeal as «В ответ на».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from edms.core.calendar import BusinessCalendar, business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.registry.models import Card, CardKind, CardLink, CardStatus, LinkKind

REGISTRATION_DAYS, FORWARDING_DAYS, ANSWER_DAYS, MAX_EXTENSION_DAYS = 3, 7, 30, 30
MET, DUE, OVERDUE = 'met', 'due', 'overdue'
STATUS_LABELS = {MET: 'соблюдён', DUE: 'срок не истёк', OVERDUE: 'нарушен'}
ROLL_NOTE = (
    'Сроки 59-ФЗ исчисляются в календарных днях; если последний день срока нерабочий, срок — предшествующий '
    'рабочий день, чтобы не выйти за срок, установленный законом.'
)


@dataclass(frozen=True)
class StatutoryDeadline:
    """One deadline of 59-ФЗ for a card: its date, how it was computed, and whether it was kept when known."""

    key: str
    label: str
    basis: str
    due: dt.date | None
    explanation: str
    #: 'met', 'due' (not yet done, not yet expired), 'overdue' (expired, or done late) or None (not known).
    status: str | None = None
    #: When the step was done (registration date, answer date), if the system knows it.
    done_on: dt.date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or '', 'не отслеживается')


def appeal_deadlines(card: Card, today: dt.date | None = None) -> list[StatutoryDeadline]:
    """The statutory deadlines of a citizen appeal (empty for other kinds of cards)."""
    if card.kind != CardKind.citizen_appeal:
        return []
    today = today or local_today(current_app.config['TIMEZONE'])
    calendar = business_calendar()
    deadlines = [registration_deadline(calendar, card, today)]
    if card.reg_date is not None:
        deadlines.append(forwarding_deadline(calendar, card.reg_date))
        deadlines.append(answer_deadline(calendar, card, today))
    return deadlines


def registration_deadline(calendar: BusinessCalendar, card: Card, today: dt.date) -> StatutoryDeadline:
    label, basis = 'Регистрация обращения', 'ст. 8 ч. 2 59-ФЗ'
    rule = 'Письменное обращение подлежит обязательной регистрации в течение трёх дней с момента поступления.'
    if card.received_date is None:
        return StatutoryDeadline('registration', label, basis, None, f'{rule} Дата поступления не указана.')
    deadline = calendar.add_calendar_days(card.received_date, REGISTRATION_DAYS, 'backward', basis='дата поступления')
    status = _status(card, deadline.date, card.reg_date, today)
    explanation = f'{rule} {deadline.explanation} {ROLL_NOTE}{_done("Зарегистрировано", card.reg_date)}'
    return StatutoryDeadline('registration', label, basis, deadline.date, explanation, status, card.reg_date)


def forwarding_deadline(calendar: BusinessCalendar, reg_date: dt.date) -> StatutoryDeadline:
    rule = (
        'Если решение поставленных вопросов не входит в компетенцию органа, обращение направляется в течение семи '
        'дней со дня регистрации в орган или должностному лицу, к компетенции которых оно относится, '
        'с уведомлением гражданина.'
    )
    deadline = calendar.add_calendar_days(reg_date, FORWARDING_DAYS, 'backward', basis='дата регистрации')
    explanation = f'{rule} {deadline.explanation} {ROLL_NOTE} Пересылка по компетенции в системе не отмечается.'
    return StatutoryDeadline('forwarding', 'Направление по компетенции', 'ст. 8 ч. 3 59-ФЗ', deadline.date, explanation)


def answer_deadline(calendar: BusinessCalendar, card: Card, today: dt.date) -> StatutoryDeadline:
    assert card.reg_date is not None
    rule = 'Письменное обращение рассматривается в течение 30 дней со дня регистрации.'
    deadline = calendar.add_calendar_days(card.reg_date, ANSWER_DAYS, 'backward', basis='дата регистрации')
    explanation, basis = f'{rule} {deadline.explanation}', 'ст. 12 ч. 1 59-ФЗ'
    if card.appeal_extension_days:
        days = ANSWER_DAYS + card.appeal_extension_days
        basis_text = f'дата регистрации; 30 дней и продление на {card.appeal_extension_days}'
        deadline = calendar.add_calendar_days(card.reg_date, days, 'backward', basis=basis_text)
        explanation += (
            f' Срок продлён на {card.appeal_extension_days} дн. (ст. 12 ч. 2 59-ФЗ): {card.appeal_extension_reason}.'
            f' Уведомление заявителя: {card.appeal_extension_notice}. Продлённый срок: {deadline.explanation}'
        )
        basis = 'ст. 12 ч. 1 и 2 59-ФЗ'
    answered = answer_date(card)
    closed = answered is None and card.status in (CardStatus.executed, CardStatus.filed)
    status = None if closed else _status(card, deadline.date, answered, today)
    explanation += f' {ROLL_NOTE}' + (
        _done('Ответ зарегистрирован', answered) if answered else ' Ответ — исходящий документ «В ответ на».'
    )
    return StatutoryDeadline('answer', 'Ответ заявителю', basis, deadline.date, explanation, status, answered)


def original_answer_due(card: Card) -> dt.date:
    """The answer deadline without the extension (the last day on which it may still be extended)."""
    assert card.reg_date is not None
    return business_calendar().add_calendar_days(card.reg_date, ANSWER_DAYS, 'backward').date


def answer_date(card: Card) -> dt.date | None:
    """Registration date of the earliest registered outgoing card linked to the appeal as «В ответ на»."""
    query = (
        select(func.min(Card.reg_date))
        .select_from(CardLink)
        .join(Card, Card.id == CardLink.card_id)
        .where(
            CardLink.target_card_id == card.id,
            CardLink.kind == LinkKind.reply_to,
            Card.reg_date.is_not(None),
            Card.status != CardStatus.cancelled,
        )
    )
    return db.session.execute(query).scalar()


def _status(card: Card, due: dt.date, done: dt.date | None, today: dt.date) -> str | None:
    if done is not None:
        return MET if done <= due else OVERDUE
    if card.status == CardStatus.cancelled:
        return None
    return OVERDUE if today > due else DUE


def _done(what: str, day: dt.date | None) -> str:
    return f' {what} {day:%d.%m.%Y}.' if day else ''
