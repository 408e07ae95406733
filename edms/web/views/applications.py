"""The applicant's side of public-service applications in the browser: «Мои заявления» (the MFC operator sees the
applications filed through the MFC) with filters by date, service and status, the application page (requisites,
status history, files, deadline and its explanation, the result, «Требуется уточнение» with the corrected
application's form), file and result downloads. Filing (the portal form, the MFC's «одно окно» and the receipt)
lives in `applications_filing`, registered on the same blueprint.

Every application is loaded through `citizen_services.queries.get_application` (another applicant's application is a
404); every change goes through the operations in one `atomic()` block and ends with a redirect.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, CLARIFICATION_REQUIRED, WORKFLOW_STATUSES
from edms.citizen_services.catalogue.registry import all_services, get_service
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import Application
from edms.citizen_services.operations import resubmit
from edms.citizen_services.permissions import files_on_behalf, require_applicant_side
from edms.citizen_services.queries import (
    Scope,
    get_application,
    get_application_file,
    get_result_attachment,
    list_applications,
)
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.db import db
from edms.core.downloads import send_stored
from edms.core.errors import Conflict, ValidationFailed
from edms.registry.models import Attachment
from edms.web.application_sections import sections
from edms.web.lists import filtered_applications, page_url
from edms.web.session import current_user, login_required
from edms.web.views.applications_forms import (
    Posted,
    application_values,
    file_confirmed,
    read_posted,
    requisites,
    service_form,
)
from edms.web.views.applications_pdf import application_pdf
from edms.web.views.applications_render import form_page, refusal

bp = Blueprint('applications', __name__)
Html = str | tuple[str, int]


def _scope(user: User) -> Scope:
    return 'filed' if files_on_behalf(user) else 'mine'


@bp.get('/applications')
@login_required
def index() -> Html:
    user = current_user()
    page, errors = filtered_applications(lambda filters: list_applications(user, filters, _scope(user)))
    html = render_template(
        'applications/list.html',
        page=page,
        args=request.args,
        errors=errors,
        scope=_scope(user),
        services=[(service.code, service.title) for service in all_services()],
        statuses=_status_options(request.args.get('service')),
        service_of=get_service,
        page_url=page_url('applications.index'),
    )
    return (html, 422) if errors else html


def _status_options(service_code: str | None) -> list[tuple[str, str]]:
    """The statuses in the chosen service's words; without one, each code with the words of every service."""
    services = [service for service in all_services() if service.code == service_code] or all_services()
    options = []
    for code in WORKFLOW_STATUSES:
        words = dict.fromkeys(service.status(code).label for service in services)
        options.append((code, ' / '.join(words)))
    return options


@bp.get('/applications/<int:application_id>')
@login_required
def show(application_id: int) -> Html:
    user = current_user()
    application = get_application(user, application_id)
    service = get_service(application.service_code)
    values = application_values(service, application.values) if _may_resubmit(user, application) else {}
    return _page(application, values, {}, [])


def _may_resubmit(user: User, application: Application) -> bool:
    if application.status != CLARIFICATION_REQUIRED:
        return False
    try:
        require_applicant_side(user, application)
    except ApplicationNotFound:
        return False
    return True


def _page(application: Application, values: dict[str, Any], errors: dict[str, str], problems: list[str]) -> Html:
    user = current_user()
    service = get_service(application.service_code)
    shown = requisites(service, application.values)
    return form_page(
        'applications/show.html',
        errors,
        application=application,
        service=service,
        form=service_form(service, sms_allowed=not files_on_behalf(user)),
        values=values,
        problems=problems,
        may_resubmit=_may_resubmit(user, application),
        sections=sections('applicant', user, application),
        channel_label=CHANNEL_LABELS[application.channel],
        result=db.session.get(Attachment, application.result_attachment_id or 0),
        requisite=lambda item: shown.get(item.name, ''),
    )


@bp.post('/applications/<int:application_id>/resubmit')
@login_required
def resubmit_view(application_id: int) -> Html | Response:
    """The corrected application: fields whole; files only for the slots chosen again (others keep theirs)."""
    user = current_user()
    application = get_application(user, application_id)
    service = get_service(application.service_code)
    form = service_form(service, sms_allowed=not files_on_behalf(user))
    posted = read_posted(form)
    try:
        file_confirmed(user, form, posted, lambda signatures: _resubmit(user, application_id, posted, signatures))
    except (ValidationFailed, Conflict) as error:
        errors, problems = refusal(error, bool(posted.files or posted.detached))
        return _page(get_application(user, application_id), posted.values, errors, problems)
    flash('Исправленное заявление отправлено в ведомство.', 'success')
    return redirect(url_for('applications.show', application_id=application_id))


def _resubmit(user: User, application_id: int, posted: Posted, signatures: list[SignatureFacts]) -> None:
    locked = get_application(user, application_id, lock=True)
    resubmit(user, locked, posted.data, posted.files, signatures=signatures, detached=posted.detached)


@bp.get('/applications/<int:application_id>/pdf')
@login_required
def pdf(application_id: int) -> Response:
    """The application exported as a PDF (requisites, dates, documents, history)."""
    user = current_user()
    application = get_application(user, application_id)
    service = get_service(application.service_code)
    data = application_pdf(application, service_form(service), requisites(service, application.values))
    name = f'Заявление {application.number}.pdf'
    return send_file(io.BytesIO(data), mimetype='application/pdf', as_attachment=True, download_name=name, max_age=0)


@bp.get('/applications/<int:application_id>/files/<int:file_id>')
@login_required
def file(application_id: int, file_id: int) -> Response:
    application = get_application(current_user(), application_id)
    row = get_application_file(application, file_id)
    return send_stored(row.sha256, row.content_type, row.filename)


@bp.get('/applications/<int:application_id>/result')
@login_required
def result(application_id: int) -> Response:
    application = get_application(current_user(), application_id)
    attachment = get_result_attachment(application)
    return send_stored(attachment.sha256, attachment.content_type, attachment.filename)


from edms.web.views import applications_filing  # noqa: E402,F401  (its routes register on this blueprint)
