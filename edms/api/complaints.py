"""Complaints (210-ФЗ ст. 11.1) in the API: the missed deadlines of an application, filing a complaint about it (the
applicant's account or the MFC it came through), the lists, one complaint, the agency's decision.

Another applicant's or organization's application or complaint is a 404; a refused complaint or decision is a 422
naming each field.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object
from edms.auth.models import User
from edms.citizen_services.models.complaints import COMPLAINT_ITEMS, COMPLAINT_KIND_LABELS, Complaint
from edms.citizen_services.operations.complaints import decide_complaint, file_complaint
from edms.citizen_services.permissions import is_staff
from edms.citizen_services.queries import get_application
from edms.citizen_services.queries.complaints import get_complaint, is_overdue, list_complaints
from edms.citizen_services.queries.missed_deadlines import Violation, application_violations
from edms.core.tx import atomic


def violation_json(item: Violation) -> dict[str, Any]:
    return {
        'term': item.key,
        'title': item.title,
        'complaint_kind': item.complaint_kind.value,
        'due': item.due.isoformat(),
        'done_on': item.done_on.isoformat() if item.done_on else None,
        'missed_working_days': item.missed_days,
        'explanation': item.explanation,
    }


def complaint_json(user: User, complaint: Complaint) -> dict[str, Any]:
    """The complaint as its reader sees it; the agency's card only for the agency's staff."""
    application = complaint.application
    own_staff = is_staff(user) and complaint.organization_id == user.organization_id
    return {
        'id': complaint.id,
        'url': url_for('api.get_complaint', complaint_id=complaint.id),
        'number': complaint.number,
        'application': {'id': application.id, 'number': application.number} if application else None,
        'organization': {'id': complaint.organization_id, 'short_name': complaint.organization.short_name},
        'kind': {
            'code': complaint.kind.value,
            'label': COMPLAINT_KIND_LABELS[complaint.kind],
            'item': COMPLAINT_ITEMS[complaint.kind],
        },
        'text': complaint.text,
        'applicant_name': complaint.applicant_name,
        'filed_via_organization_id': complaint.filed_via_organization_id,
        'card_id': complaint.card_id if own_staff else None,
        'registered_on': complaint.registered_on.isoformat(),
        'deadline': complaint.deadline.isoformat(),
        'deadline_explanation': complaint.deadline_explanation,
        'overdue': is_overdue(complaint),
        'status': {'code': complaint.status.value, 'label': complaint.status_label},
        'decision_text': complaint.decision_text,
        'decided_at': complaint.decided_at.isoformat() if complaint.decided_at else None,
    }


@bp.get('/applications/<int:application_id>/missed-deadlines', endpoint='application_missed_deadlines')
def missed_deadlines(application_id: int) -> Response:
    application = get_application(api_user(), application_id)
    return jsonify({'items': [violation_json(item) for item in application_violations(application)]})


@bp.post('/applications/<int:application_id>/complaints', endpoint='create_complaint')
def create_complaint(application_id: int) -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    with atomic():
        complaint_id = file_complaint(user, get_application(user, application_id), body).id
    complaint = get_complaint(user, complaint_id)
    headers = {'Location': url_for('api.get_complaint', complaint_id=complaint_id)}
    return jsonify(complaint_json(user, complaint)), 201, headers


@bp.get('/complaints', endpoint='list_complaints')
def list_complaints_view() -> Response:
    user = api_user()
    return jsonify({'items': [complaint_json(user, complaint) for complaint in list_complaints(user)]})


@bp.get('/complaints/<int:complaint_id>', endpoint='get_complaint')
def get_complaint_view(complaint_id: int) -> Response:
    user = api_user()
    return jsonify(complaint_json(user, get_complaint(user, complaint_id)))


@bp.post('/complaints/<int:complaint_id>/decision', endpoint='decide_complaint')
def decide(complaint_id: int) -> Response:
    user, body = api_user(), json_object()
    with atomic():
        decide_complaint(user, get_complaint(user, complaint_id, lock=True), body)
    return jsonify(complaint_json(user, get_complaint(user, complaint_id)))
