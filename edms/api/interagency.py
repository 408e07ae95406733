"""Interagency requests (210-ФЗ ст. 7, 7.2) in the API: the organization's outgoing or incoming requests (filters:
status, overdue), one request as either side sees it, the responder's answer or rejection.

Another organization's request is a 404; a refused answer is a 422 naming each field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, request, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object
from edms.auth.models import User
from edms.citizen_services.models.interagency import REQUEST_STATUS_LABELS, InteragencyRequest
from edms.citizen_services.operations.interagency_answers import answer_request, reject_request
from edms.citizen_services.queries.interagency import (
    InteragencyRequestNotFound,
    Side,
    get_request,
    list_requests,
    read_request_filter,
)
from edms.core.clock import local_today
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic

SIDES: tuple[Side, ...] = ('outgoing', 'incoming')


def _today() -> Any:
    return local_today(current_app.config['TIMEZONE'])


def request_json(row: InteragencyRequest, side: Side) -> dict[str, Any]:
    """The request with its answer; the XML messages stay in the browser's downloads. The requester's own comparison
    of the answer with the application (`mismatches`, the applicant's values) and its application's id are the
    requesting side's: the responding agency sees the application's number, as the request's XML names it."""
    body: dict[str, Any] = {
        'id': row.id,
        'url': url_for('api.get_interagency_request', request_id=row.id),
        'side': side,
        'application': {'number': row.application.number},
        'requesting_organization': {'id': row.requesting_organization_id, 'name': row.requesting_organization.name},
        'responding_organization': {'id': row.responding_organization_id, 'name': row.responding_organization.name},
        'service_code': row.service_code,
        'legal_basis': row.legal_basis,
        'data_kind': row.data_kind,
        'requested_data': row.requested_data,
        'subject': row.subject,
        'official': {'id': row.official_id, 'name': row.official_name, 'position': row.official_position},
        'sent_at': row.sent_at.isoformat(),
        'message_id': row.message_id,
        'status': {'code': row.status.value, 'label': REQUEST_STATUS_LABELS[row.status]},
        'due_date': row.due_date.isoformat(),
        'due_explanation': row.due_explanation,
        'overdue': row.overdue_on(_today()),
        'reply_message_id': row.reply_message_id,
        'answered_at': row.answered_at.isoformat() if row.answered_at else None,
        'answered_by': row.answered_by_name,
        'answer_text': row.answer_text,
        'answer_fields': (row.answer_data or {}).get('fields', []),
        'rejection': {'code': row.rejection_code, 'reason': row.rejection_reason} if row.rejection_code else None,
    }
    if side == 'outgoing':
        body['application']['id'] = row.application_id
        body['mismatches'] = row.mismatches
    return body


def _either_side(user: User, request_id: int) -> tuple[InteragencyRequest, Side]:
    for side in SIDES:
        try:
            return get_request(user, request_id, side), side
        except InteragencyRequestNotFound:
            continue
    raise InteragencyRequestNotFound()


@bp.get('/interagency-requests', endpoint='list_interagency_requests')
def list_view() -> Response:
    user = api_user()
    args = request.args.to_dict()
    raw_side = args.pop('side', 'outgoing')
    if raw_side not in SIDES:
        raise ValidationFailed(fields={'side': '«Направление»: допустимо outgoing или incoming.'})
    side: Side = 'incoming' if raw_side == 'incoming' else 'outgoing'
    page = list_requests(user, side, read_request_filter(args), _today())
    items = [request_json(row, side) for row in page.items]
    return jsonify({'items': items, 'page': page.page, 'has_next': page.has_next})


@bp.get('/interagency-requests/<int:request_id>', endpoint='get_interagency_request')
def get_view(request_id: int) -> Response:
    row, side = _either_side(api_user(), request_id)
    return jsonify(request_json(row, side))


@bp.post('/interagency-requests/<int:request_id>/answer', endpoint='answer_interagency_request')
def answer_view(request_id: int) -> Response:
    return _respond(request_id, answer_request)


@bp.post('/interagency-requests/<int:request_id>/rejection', endpoint='reject_interagency_request')
def reject_view(request_id: int) -> Response:
    return _respond(request_id, reject_request)


def _respond(request_id: int, step: Callable[[User, InteragencyRequest, dict[str, Any]], Any]) -> Response:
    """The responder's `step` (answer or rejection) on the locked incoming request, then the request as it stands."""
    user, body = api_user(), json_object()
    with atomic():
        step(user, get_request(user, request_id, 'incoming', lock=True), body)
    return jsonify(request_json(get_request(user, request_id, 'incoming'), 'incoming'))
