"""Sending an outgoing card by МЭДО through the API and reading where it stands with each addressee.

POST `/cards/{id}/dispatches` with `{"addressees": [card addressee ids]}` (optional: every addressee that is an МЭДО
participant and not sent yet) builds and queues one packet per addressee; GET lists the dispatches with their
timelines. Another organization's card is not found, as everywhere.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, refuse_unknown
from edms.api.loaders import load_card
from edms.core.tx import atomic
from edms.exchange.models import Dispatch, DispatchEvent
from edms.exchange.operations.sending import send_card
from edms.exchange.queries import card_dispatches

SEND_FIELDS = ('addressees',)


@bp.post('/cards/<int:card_id>/dispatches')
def send_dispatches(card_id: int) -> tuple[Response, int]:
    """Send the card to its МЭДО addressees (all not sent yet, or the chosen ones)."""
    user, body = api_user(), json_object(optional=True)
    refuse_unknown(body, SEND_FIELDS)
    with atomic():
        ids = [dispatch.id for dispatch in send_card(user, load_card(user, card_id, full=False), body)]
    with atomic():
        card = load_card(user, card_id, full=False)
        dispatches = [dispatch for dispatch in card_dispatches(card) if dispatch.id in ids]
        return jsonify({'dispatches': [dispatch_json(dispatch) for dispatch in dispatches]}), 201


@bp.get('/cards/<int:card_id>/dispatches')
def list_dispatches(card_id: int) -> Response:
    """Every dispatch of the card with its timeline: "where is my letter"."""
    user = api_user()
    card = load_card(user, card_id, full=False)
    return jsonify({'dispatches': [dispatch_json(dispatch) for dispatch in card_dispatches(card)]})


def dispatch_json(dispatch: Dispatch) -> dict[str, Any]:
    registered = dispatch.registered_date
    return {
        'id': dispatch.id,
        'addressee': dispatch.addressee_name,
        'destination': {'guid': dispatch.destination.guid, 'name': dispatch.destination.name},
        'status': dispatch.status,
        'status_label': dispatch.status_label,
        'registered_number': dispatch.registered_number,
        'registered_date': registered.isoformat() if registered else None,
        'document_uid': dispatch.document_uid,
        'message_uid': dispatch.message_uid,
        'events': [_event_json(step) for step in dispatch.steps],
    }


def _event_json(step: DispatchEvent) -> dict[str, Any]:
    return {'kind': step.step, 'label': step.label, 'at': step.happened_at.isoformat(), 'text': step.text}
