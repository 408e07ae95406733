"""The one extension of a citizen appeal's answer deadline (59-ФЗ ст. 12 ч. 2): by a manager, once, by 1–30 days,
with the reason and how and when the applicant was notified; audited with the values before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import Role, User
from edms.core.access import require_role
from edms.core.clock import local_today, utcnow
from edms.core.db import db
from edms.core.validation import RawInput
from edms.registry.appeals import (
    MAX_EXTENSION_DAYS,
    appeal_deadlines,
    original_answer_due,
)
from edms.registry.errors import AppealAlreadyExtended, AppealDeadlinePassed, AppealNotApplicable
from edms.registry.models import Card, CardKind, CardStatus
from edms.registry.operations.cards import lock_card
from edms.registry.queries import get_card

EXTENSION_FIELDS = ('extension_days', 'extension_reason', 'extension_notice')
#: Columns of the extension, recorded before and after in the audit journal.
EXTENSION_COLUMNS = ('appeal_extension_days', 'appeal_extension_reason', 'appeal_extension_notice')
OPEN_STATUSES = (CardStatus.registered, CardStatus.in_work)


def extend_appeal_answer(actor: User, card: Card, raw: Mapping[str, Any]) -> Card:
    """Extend the answer deadline of a registered, unanswered citizen appeal once (managers of its organization)."""
    card = get_card(actor, card.id)
    require_role(actor, Role.manager, label='продление срока рассмотрения обращения')
    lock_card(card)
    if card.kind != CardKind.citizen_appeal or card.reg_date is None or card.status not in OPEN_STATUSES:
        raise AppealNotApplicable()
    if card.appeal_extension_days is not None:
        raise AppealAlreadyExtended()
    days, reason, notice = _read_extension(raw)
    original = original_answer_due(card)
    if local_today(current_app.config['TIMEZONE']) > original:
        raise AppealDeadlinePassed(
            f'Срок ответа на обращение истёк {original:%d.%m.%Y}: продлить его можно только до истечения.'
        )
    before = _extension(card)
    card.appeal_extension_days, card.appeal_extension_reason, card.appeal_extension_notice = days, reason, notice
    card.appeal_extended_at, card.appeal_extended_by_id = utcnow(), actor.id
    db.session.flush()
    answer = next(item for item in appeal_deadlines(card) if item.key == 'answer')
    data = {
        'before': before,
        'after': _extension(card),
        'answer_due': {'before': original.isoformat(), 'after': answer.due.isoformat() if answer.due else None},
    }
    record(actor, 'card.appeal_extend', card, data)
    return card


def _read_extension(raw: Mapping[str, Any]) -> tuple[int, str, str]:
    form = RawInput(raw, allowed=EXTENSION_FIELDS)
    label = 'Срок продления, дней'
    days = form.integer('extension_days', label, required=True, min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = form.text('extension_reason', 'Основание продления', required=True, max_length=1000)
    notice = form.text('extension_notice', 'Уведомление заявителя', required=True, max_length=1000)
    form.finish()
    assert days is not None
    return days, reason, notice


def _extension(card: Card) -> dict[str, Any]:
    return {name: getattr(card, name) for name in EXTENSION_COLUMNS}
