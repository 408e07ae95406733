"""Endpoints of the executors' work: «Мои поручения», an assignment with its work, execution reports (JSON text, or
multipart with files) and the decisions on them, report files, deadline extension requests and their decisions.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file, url_for
from werkzeug.datastructures import FileStorage

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, query, refuse_unknown
from edms.api.resolution_loaders import assignment_node, read_paging
from edms.api.resolution_serializers import (
    Today,
    assignment_node_json,
    extension_json,
    my_assignments_json,
    report_json,
    resolution_summary,
)
from edms.api.serializers import card_item_json
from edms.core.tx import atomic
from edms.resolutions.operations import (
    accept_report,
    decide_extension,
    open_report_file,
    request_extension,
    return_report,
    submit_report,
)
from edms.resolutions.queries import (
    MY_FILTERS,
    get_assignment,
    get_extension,
    get_report,
    get_report_file,
    my_assignment_counts,
    my_assignments,
)

REPORT_FIELDS = ('text', 'files')
MY_PER_PAGE = 50
FILTER_LABEL = 'Фильтр'


@bp.get('/assignments', endpoint='my_assignments')
def list_assignments() -> Response:
    """«Мои поручения»: `filter` (open, due_soon, overdue, executed, all), `page`, `per_page`; with the counts."""
    form = query(('filter', 'page', 'per_page'))
    flt = form.text('filter', FILTER_LABEL) or 'open'
    if flt not in MY_FILTERS:
        allowed = ', '.join(MY_FILTERS)
        form.errors.add('filter', f'«{FILTER_LABEL}»: недопустимое значение «{flt[:50]}» (допустимо: {allowed}).')
    page, per_page = read_paging(form, MY_PER_PAGE)
    form.finish()
    user = api_user()
    result = my_assignments(user, flt, page, per_page)
    return jsonify(my_assignments_json(result, my_assignment_counts(user), Today.now()))


@bp.get('/assignments/<int:assignment_id>', endpoint='get_assignment')
def get_assignment_work(assignment_id: int) -> Response:
    """The assignment with its reports, extension requests, sub-resolutions, its resolution and its card."""
    user = api_user()
    node, card = assignment_node(user, assignment_id)
    body = assignment_node_json(user, node, Today.now())
    body.update(resolution=resolution_summary(node.assignment.resolution), card=card_item_json(card))
    return jsonify(body)


def report_input() -> tuple[dict[str, Any], list[tuple[Any, str]]]:
    """`{"text": …}` as JSON, or multipart/form-data with the field `text` and any number of `files`."""
    if request.mimetype != 'multipart/form-data':
        return json_object(), []
    refuse_unknown([*request.form.keys(), *request.files.keys()], REPORT_FIELDS)
    uploads: list[FileStorage] = request.files.getlist('files')
    return {'text': request.form.get('text', '')}, [(item.stream, item.filename or '') for item in uploads]


@bp.post('/assignments/<int:assignment_id>/reports', endpoint='submit_report')
def submit(assignment_id: int) -> tuple[Response, int, dict[str, str]]:
    """The executor's report; 201 with the report and `Location`."""
    user = api_user()
    assignment = get_assignment(user, assignment_id)  # 404 before the body is read
    raw, files = report_input()
    with atomic():
        report = submit_report(user, assignment, raw, files)  # locks and refreshes the assignment row
        report_id = report.id
    location = url_for('api.get_report', report_id=report_id)
    return jsonify(report_json(user, get_report(user, report_id))), 201, {'Location': location}


@bp.get('/reports/<int:report_id>', endpoint='get_report')
def get_report_json(report_id: int) -> Response:
    user = api_user()
    return jsonify(report_json(user, get_report(user, report_id)))


@bp.post('/reports/<int:report_id>/accept', endpoint='accept_report')
def accept(report_id: int) -> Response:
    """The addressee accepts the report (optional `comment`): the executor's part is executed."""
    user, body = api_user(), json_object(optional=True)
    with atomic():
        accept_report(user, get_report(user, report_id), body)
    return jsonify(report_json(user, get_report(user, report_id)))


@bp.post('/reports/<int:report_id>/return', endpoint='return_report')
def return_(report_id: int) -> Response:
    """The addressee returns the report with `comment`: the assignment is back in work."""
    user, body = api_user(), json_object()
    with atomic():
        return_report(user, get_report(user, report_id), body)
    return jsonify(report_json(user, get_report(user, report_id)))


@bp.get('/reports/<int:report_id>/files/<int:file_id>', endpoint='report_file')
def report_file(report_id: int, file_id: int) -> Response:
    """The file's bytes under its original name, only after they hashed to the stored sha256."""
    user = api_user()
    _, stored = get_report_file(user, report_id, file_id)
    return send_file(
        open_report_file(user, stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
        etag=stored.sha256,
        max_age=0,
    )


@bp.post('/assignments/<int:assignment_id>/extensions', endpoint='request_extension')
def extension(assignment_id: int) -> tuple[Response, int, dict[str, str]]:
    """The executor asks to move the deadline: `reason` and the new `deadline`; 201 with the request."""
    user, body = api_user(), json_object()
    with atomic():
        created = request_extension(user, get_assignment(user, assignment_id), body)
        extension_id = created.id
    location = url_for('api.get_extension', extension_id=extension_id)
    return extension_response(extension_id), 201, {'Location': location}


def extension_response(extension_id: int) -> Response:
    user = api_user()
    item = get_extension(user, extension_id)
    return jsonify(extension_json(user, item, item.assignment.resolution))


@bp.get('/extensions/<int:extension_id>', endpoint='get_extension')
def get_extension_json(extension_id: int) -> Response:
    return extension_response(extension_id)


@bp.post('/extensions/<int:extension_id>/decide', endpoint='decide_extension')
def decide(extension_id: int) -> Response:
    """The author's decision: `decision` grant or refuse, `comment` (required for a refusal)."""
    user, body = api_user(), json_object()
    with atomic():
        decide_extension(user, get_extension(user, extension_id), body)
    return extension_response(extension_id)
