"""Citizen appeals on the card page: the statutory deadlines of 59-ФЗ (shown by `registry/_appeal_deadlines.html`
through the template helpers below) and the form extending the answer deadline once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from werkzeug.wrappers import Response

from edms.auth.models import Role, User
from edms.registry.appeals import StatutoryDeadline, appeal_deadlines
from edms.registry.models import Card, CardKind
from edms.registry.operations.appeals import EXTENSION_FIELDS, OPEN_STATUSES, extend_appeal_answer
from edms.web.session import current_user, login_required
from edms.web.views.cards import card_action

bp = Blueprint('appeals', __name__, url_prefix='/cards')
STATUS_COLOURS = {'met': 'success', 'due': 'primary', 'overdue': 'danger'}


@bp.app_context_processor
def _appeal_helpers() -> dict[str, Any]:
    return {
        'appeal_deadlines': _deadlines,
        'can_extend_appeal': _can_extend,
        'appeal_status_colours': STATUS_COLOURS,
    }


def _deadlines(card: Card) -> list[StatutoryDeadline]:
    return appeal_deadlines(card)


def _can_extend(card: Card) -> bool:
    """Whether the extension form is shown: a manager, an open registered appeal not extended yet."""
    user: User = current_user()
    return (
        user is not None
        and user.has_role(Role.manager)
        and card.kind == CardKind.citizen_appeal
        and card.reg_date is not None
        and card.status in OPEN_STATUSES
        and card.appeal_extension_days is None
    )


@bp.post('/<int:card_id>/appeal-extension')
@login_required
def extend(card_id: int) -> str | tuple[str, int] | Response:
    """Extend the answer deadline; a refusal shows the card page with the messages next to the fields."""

    def run(user: User, card: Card) -> str:
        raw = {name: request.form.get(name, '') for name in EXTENSION_FIELDS}
        extend_appeal_answer(user, card, raw)
        answer = next(item for item in appeal_deadlines(card) if item.key == 'answer')
        return f'Срок ответа на обращение продлён до {answer.due:%d.%m.%Y}.'

    return card_action(card_id, run)
