"""Interagency requests in the browser: the «Межведомственные запросы» section of the agency's application page (each
request with its status, due date and how it was counted, the answer and every mismatch, and the form sending a new
one), the requesting agency's outgoing list and the responding agency's incoming list (filters: status, overdue),
and the incoming request as its XML says it with the forms to answer or reject it. The request and answer XML can be
downloaded by either side. Another organization's request is not found.

Every action runs one operation in one `atomic()` block and ends with a redirect; a refused form comes back filled
with each message next to its field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from edms.auth.models import User
from edms.citizen_services.catalogue.registry import find_service
from edms.citizen_services.interagency_kinds import DATA_KINDS, DEFAULT_LEGAL_BASIS, SUBJECT_LABELS
from edms.citizen_services.interagency_xml import REJECTION_CODES, read_request
from edms.citizen_services.models import Application
from edms.citizen_services.models.interagency import REQUEST_STATUS_LABELS, InteragencyRequest
from edms.citizen_services.operations.interagency import REQUEST_FIELDS, send_declared_requests, send_request
from edms.citizen_services.operations.interagency_answers import answer_request, reject_request
from edms.citizen_services.permissions import DECIDING_ROLES, is_staff
from edms.citizen_services.queries.interagency import (
    InteragencyRequestNotFound,
    Side,
    get_request,
    list_requests,
    read_request_filter,
    requests_of,
    unsent_needs,
)
from edms.core.clock import local_today
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.web.application_sections import register_section
from edms.web.session import current_user, login_required
from edms.web.views.agency_applications import _agency_application

bp = Blueprint('interagency', __name__, url_prefix='/interagency')
Html = str | tuple[str, int]
KIND_OPTIONS = [(kind.key, kind.title) for kind in DATA_KINDS.values()]
STATUS_OPTIONS = [(status.value, label) for status, label in REQUEST_STATUS_LABELS.items()]
REJECTION_OPTIONS = list(REJECTION_CODES.items())


def _today() -> date:
    return local_today(current_app.config['TIMEZONE'])


def _common() -> dict[str, Any]:
    return {'today': _today(), 'status_labels': REQUEST_STATUS_LABELS, 'kinds': DATA_KINDS}


def requests_context(user: User, application: Application) -> dict[str, Any] | None:
    """The section's variables: the application's requests and the empty form (for deciding officials)."""
    defaults = {'legal_basis': DEFAULT_LEGAL_BASIS}
    return {
        'requests': requests_of(application),
        'can_send': user.has_role(*DECIDING_ROLES) and application.status == 'in_progress',
        'unsent_needs': unsent_needs(application),
        'kind_options': KIND_OPTIONS,
        'ia_values': defaults,
        'ia_errors': {},
        **_common(),
    }


register_section('agency', 'interagency/_application_requests.html', requests_context)


@bp.post('/applications/<int:application_id>/requests')
@login_required
def send(application_id: int) -> Html | Response:
    user = current_user()
    values = {key: request.form.get(key, '') for key in REQUEST_FIELDS}
    try:
        with atomic():
            sent = send_request(user, _agency_application(user, application_id), values)
            message = f'Межведомственный запрос № {sent.id} направлен; ответ — до {sent.due_date:%d.%m.%Y}.'
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        application = _agency_application(user, application_id)
        notice = None if isinstance(error, ValidationFailed) else error.message
        context = {'application': application, 'kind_options': KIND_OPTIONS, 'notice': notice}
        html = render_template('interagency/new.html', ia_values=values, ia_errors=error.fields, **context)
        return html, error.status
    flash(message, 'success')
    return redirect(url_for('agency_applications.show', application_id=application_id) + '#interagency')


@bp.post('/applications/<int:application_id>/declared')
@login_required
def send_declared(application_id: int) -> Response:
    """Send the requests the service declares that the automatic sending after filing has not sent."""
    user = current_user()
    try:
        with atomic():
            count = len(send_declared_requests(user, _agency_application(user, application_id)))
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        flash(error.message, 'danger')
    else:
        flash(f'Направлено межведомственных запросов: {count}.', 'success')
    return redirect(url_for('agency_applications.show', application_id=application_id) + '#interagency')


def _list(side: Side) -> Html:
    user = current_user()
    if not is_staff(user):
        raise Forbidden('Межведомственные запросы видят сотрудники ведомства.')
    args = {key: value for key, value in request.args.items() if value != ''}
    errors: dict[str, str] = {}
    page = None
    try:
        page = list_requests(user, side, read_request_filter(args), _today())
    except ValidationFailed as error:
        errors = error.fields
    context = {'page': page, 'side': side, 'args': args, 'errors': errors, 'status_options': STATUS_OPTIONS}
    html = render_template('interagency/list.html', **context, **_common())
    return (html, 422) if errors else html


@bp.get('/outgoing')
@login_required
def outgoing() -> Html:
    return _list('outgoing')


@bp.get('/incoming')
@login_required
def incoming() -> Html:
    return _list('incoming')


@bp.get('/incoming/<int:request_id>')
@login_required
def incoming_request(request_id: int) -> str:
    return _incoming_page(get_request(current_user(), request_id, 'incoming'))


def _incoming_page(row: InteragencyRequest, values: dict[str, str] | None = None, **state: Any) -> str:
    """The request as its XML says it (the responder's view), the answer if given, the forms while it is open."""
    message = read_request(row.request_xml.encode())
    service = find_service(message.service_code)
    return render_template(
        'interagency/incoming.html',
        row=row,
        message=message,
        service=service,
        subject_labels=SUBJECT_LABELS,
        can_answer=current_user().has_role(*DECIDING_ROLES) and row.answered_at is None,
        rejection_options=REJECTION_OPTIONS,
        values=values or {},
        errors=state.get('errors', {}),
        sent_form=state.get('form'),
        notice=state.get('notice'),
        **_common(),
    )


def _respond(request_id: int, form: str, action: Callable[[User, InteragencyRequest, dict[str, str]], Any]) -> Any:
    user = current_user()
    values = {key: value for key, value in request.form.items() if key not in ('csrf_token', 'form')}
    try:
        with atomic():
            action(user, get_request(user, request_id, 'incoming', lock=True), values)
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        notice = None if isinstance(error, ValidationFailed) else error.message
        row = get_request(user, request_id, 'incoming')
        html = _incoming_page(row, values, errors=error.fields, form=form, notice=notice)
        return html, error.status
    flash('Ответ на межведомственный запрос направлен.' if form == 'answer' else 'Отказ направлен.', 'success')
    return redirect(url_for('interagency.incoming_request', request_id=request_id))


@bp.post('/incoming/<int:request_id>/answer')
@login_required
def answer(request_id: int) -> Any:
    return _respond(request_id, 'answer', answer_request)


@bp.post('/incoming/<int:request_id>/reject')
@login_required
def reject(request_id: int) -> Any:
    return _respond(request_id, 'reject', reject_request)


def _xml(side: Side, request_id: int, which: str) -> Response:
    """The СМЭВ message as sent: the request, or the answer once there is one."""
    row = get_request(current_user(), request_id, side)
    text = row.request_xml if which == 'request' else row.response_xml
    if text is None:
        raise InteragencyRequestNotFound('Ответа на этот межведомственный запрос ещё нет.')
    filename = f'interagency-{row.id}-{which}.xml'
    headers = {'Content-Disposition': f'attachment; filename="{filename}"'}
    return Response(text.encode(), mimetype='application/xml', headers=headers)


@bp.get('/outgoing/<int:request_id>/request.xml')
@login_required
def outgoing_request_xml(request_id: int) -> Response:
    return _xml('outgoing', request_id, 'request')


@bp.get('/outgoing/<int:request_id>/response.xml')
@login_required
def outgoing_response_xml(request_id: int) -> Response:
    return _xml('outgoing', request_id, 'response')


@bp.get('/incoming/<int:request_id>/request.xml')
@login_required
def incoming_request_xml(request_id: int) -> Response:
    return _xml('incoming', request_id, 'request')


@bp.get('/incoming/<int:request_id>/response.xml')
@login_required
def incoming_response_xml(request_id: int) -> Response:
    return _xml('incoming', request_id, 'response')
