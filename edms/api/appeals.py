"""Citizen appeals (59-ФЗ) over the API: the one extension of the answer deadline (ст. 12 ч. 2) by a manager.

The statutory deadlines themselves are part of the card (`appeal_deadlines`, `appeal_extension` in `card_json`).
"""

from __future__ import annotations

from flask import Response

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.cards import card_response
from edms.api.inputs import json_object
from edms.api.loaders import load_card
from edms.core.tx import atomic
from edms.registry.operations.appeals import extend_appeal_answer


@bp.post('/cards/<int:card_id>/appeal-extension', endpoint='extend_appeal')
def extend_appeal(card_id: int) -> tuple[Response, int, dict[str, str]]:
    """`extension_days` (1–30), `extension_reason`, `extension_notice` (how and when the applicant was told)."""
    user, body = api_user(), json_object()
    with atomic():
        extend_appeal_answer(user, load_card(user, card_id, full=False), body)
    return card_response(card_id)
