"""Complaints (210-ФЗ ст. 11.1) in the API: the missed deadlines of an application, filing a complaint about it (the
applicant's account or the MFC it came through) or without one (the service and an agency providing it, listed by
`/complaints/agencies?service=`), the lists, one complaint with its files and their content, the agency's decision.

A complaint is a JSON object, or — with files — multipart/form-data with the same fields (`on_behalf` as JSON text)
and the files as `files` (repeatable), like an application's. Another applicant's or organization's application or
complaint (and its files) is a 404; a refused complaint or decision is a 422 naming each field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response, jsonify, request, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, query, refuse_unknown
from edms.auth.models import User
from edms.citizen_services.catalogue.registry import find_service
from edms.citizen_services.models.complaints import COMPLAINT_ITEMS, COMPLAINT_KIND_LABELS, Complaint, ComplaintFile
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.applicants import BLOCK
from edms.citizen_services.operations.complaint_files import FILES_FIELD
from edms.citizen_services.operations.complaints import (
    COMPLAINT_FIELDS,
    SERVICE_COMPLAINT_FIELDS,
    decide_complaint,
    file_complaint,
    file_service_complaint,
    read_service,
)
from edms.citizen_services.permissions import is_staff
from edms.citizen_services.queries import get_application
from edms.citizen_services.queries.complaints import (
    complaint_agencies,
    get_complaint,
    get_complaint_file,
    is_overdue,
    list_complaints,
)
from edms.citizen_services.queries.missed_deadlines import Violation, application_violations
from edms.core.downloads import send_stored
from edms.core.errors import ValidationFailed
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
    service = find_service(complaint.service_code)
    return {
        'id': complaint.id,
        'url': url_for('api.get_complaint', complaint_id=complaint.id),
        'number': complaint.number,
        'service': {'code': complaint.service_code, 'title': service.title if service is not None else None},
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
        'files': [file_json(complaint, row) for row in complaint.files],
    }


def file_json(complaint: Complaint, row: ComplaintFile) -> dict[str, Any]:
    return {
        'id': row.id,
        'filename': row.filename,
        'content_type': row.content_type,
        'size': row.size,
        'url': url_for('api.complaint_file', complaint_id=complaint.id, file_id=row.id),
    }


def read_complaint_request(allowed: Iterable[str]) -> tuple[dict[str, Any], list[UploadedFile]]:
    """The fields and files of a complaint: a JSON object (no files), or multipart/form-data with the files as
    `files` and `on_behalf` as JSON text; unknown fields are refused."""
    allowed = tuple(allowed)
    if request.mimetype != 'multipart/form-data':
        return json_object(), []
    refuse_unknown([*request.form.keys(), *(name for name in request.files if name != FILES_FIELD)], allowed)
    fields: dict[str, Any] = {name: request.form.get(name) for name in request.form}
    if isinstance(fields.get(BLOCK), str):
        try:
            fields[BLOCK] = json.loads(fields[BLOCK])
        except ValueError:
            raise ValidationFailed(fields={BLOCK: f'«{BLOCK}»: ожидается JSON-объект {{name, snils, inn}}.'}) from None
    files = [
        UploadedFile(FILES_FIELD, storage.filename or '', storage.stream)
        for storage in request.files.getlist(FILES_FIELD)
    ]
    return fields, files


@bp.get('/applications/<int:application_id>/missed-deadlines', endpoint='application_missed_deadlines')
def missed_deadlines(application_id: int) -> Response:
    application = get_application(api_user(), application_id)
    return jsonify({'items': [violation_json(item) for item in application_violations(application)]})


@bp.post('/applications/<int:application_id>/complaints', endpoint='create_complaint')
def create_complaint(application_id: int) -> tuple[Response, int, dict[str, str]]:
    user = api_user()
    application = get_application(user, application_id)
    body, files = read_complaint_request(COMPLAINT_FIELDS)
    with atomic():
        complaint_id = file_complaint(user, application, body, files).id
    return _created(user, complaint_id)


@bp.post('/complaints', endpoint='create_service_complaint')
def create_service_complaint() -> tuple[Response, int, dict[str, str]]:
    """A complaint without an application: the service and an agency providing it."""
    user = api_user()
    body, files = read_complaint_request(SERVICE_COMPLAINT_FIELDS)
    with atomic():
        complaint_id = file_service_complaint(user, body, files).id
    return _created(user, complaint_id)


def _created(user: User, complaint_id: int) -> tuple[Response, int, dict[str, str]]:
    complaint = get_complaint(user, complaint_id)
    headers = {'Location': url_for('api.get_complaint', complaint_id=complaint_id)}
    return jsonify(complaint_json(user, complaint)), 201, headers


@bp.get('/complaints/agencies', endpoint='complaint_agencies')
def agencies() -> Response:
    """The agencies a complaint about the service (`?service=`) may concern: its active providers."""
    api_user()
    form = query(('service',))
    service = read_service(form)
    form.finish()
    agencies = complaint_agencies(service.code) if service is not None else []
    items = [{'id': item.id, 'short_name': item.short_name, 'name': item.name} for item in agencies]
    return jsonify({'items': items})


@bp.get('/complaints/<int:complaint_id>/files/<int:file_id>/content', endpoint='complaint_file')
def complaint_file(complaint_id: int, file_id: int) -> Response:
    """A file of the complaint (only its bytes verified against the stored sha256 are sent)."""
    row = get_complaint_file(get_complaint(api_user(), complaint_id), file_id)
    return send_stored(row.sha256, row.content_type, row.filename)


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
