"""The competent agency's side of public-service applications in the browser: «Заявления» (the agency's list with
filters by service, status and date of submission, overdue ones highlighted), the application page (values grouped
as the service defines them, files, history, the deadline with its explanation, the linked card, the result) and the
official's decisions: «Одобрить и подписать» (the result rendered and signed with PAdES, `approve_and_sign`),
«Запросить уточнение», «Отказать» with reasons from the service's list. On a card page, the application behind the
card (`card_application`, a template global).

Every decision goes through `edms.citizen_services.operations` in one `atomic()` block and ends with a redirect; a
refused form comes back filled (the password never does), each message next to its field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, IN_PROGRESS, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services, get_service
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import APPLICANT_KIND_LABELS, Application
from edms.citizen_services.operations import refuse, request_clarification
from edms.citizen_services.operations.signed_results import approve_and_sign
from edms.citizen_services.permissions import DECIDING_ROLES, is_staff
from edms.citizen_services.queries import (
    application_of_card,
    get_application,
    get_application_file,
    get_result_attachment,
    list_applications,
    read_filter,
)
from edms.citizen_services.results import grouped_values
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.downloads import send_stored
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from edms.signatures.credentials import credential_fields
from edms.signatures.errors import PADES_KEYS
from edms.web.application_sections import sections
from edms.web.session import current_user, login_required
from edms.web.views.signatures import my_signing_certificates, signing_credentials

bp = Blueprint('agency_applications', __name__, url_prefix='/agency/applications')
Html = str | tuple[str, int]
#: The decision forms; each posts a hidden `form` with its key so that messages stand in the form that was sent.
APPROVE, CLARIFY, REFUSE = 'approve', 'clarify', 'refuse'
COMMON_STATUSES = (
    ('in_progress', 'В обработке'),
    ('clarification_required', 'Требуется уточнение'),
    ('done', 'Предоставлено (одобрено, готово)'),
    ('refused', 'Отказано'),
)


@bp.app_template_global()
def card_application(card: Card) -> Application | None:
    """The application behind an agency's card, for the card page's link (the card's access was checked)."""
    return application_of_card(card.id)


def _require_staff(user: User) -> None:
    if not is_staff(user):
        raise Forbidden('Заявления ведомства видят сотрудники ведомства.')


def _agency_application(user: User, application_id: int) -> Application:
    """The application of the user's agency; anything else (another agency's, the user's own as an applicant) is
    not found here."""
    application = get_application(user, application_id)
    if not is_staff(user) or application.organization_id != user.organization_id:
        raise ApplicationNotFound()
    return application


def _today() -> date:
    return local_today(current_app.config['TIMEZONE'])


def is_overdue(application: Application) -> bool:
    """Not decided and past the service's deadline (a clarification stops the clock: not counted as overdue)."""
    return application.status == IN_PROGRESS and application.deadline < _today()


@bp.get('/')
@login_required
def index() -> Html:
    user = current_user()
    _require_staff(user)
    args = {key: value for key, value in request.args.items() if value != ''}
    errors: dict[str, str] = {}
    page = None
    try:
        page = list_applications(user, read_filter(args), scope='agency')
    except ValidationFailed as error:
        errors = error.fields
    services = {service.code: service for service in all_services()}
    statuses = _status_options(services.get(args.get('service', '')))
    options = [(code, service.title) for code, service in services.items()]
    context = {'page': page, 'args': args, 'services': services, 'service_options': options, 'statuses': statuses}
    context['errors'] = errors
    html = render_template('agency_applications/list.html', is_overdue=is_overdue, **context)
    return (html, 422) if errors else html


def _status_options(service: ServiceDefinition | None) -> list[tuple[str, str]]:
    """The statuses in the chosen service's words, or the common words of the workflow."""
    if service is not None:
        return [(status.code, status.label) for status in service.statuses]
    return list(COMMON_STATUSES)


@bp.get('/<int:application_id>')
@login_required
def show(application_id: int) -> str:
    return _page(_agency_application(current_user(), application_id))


def _page(
    application: Application,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
) -> str:
    user = current_user()
    service = get_service(application.service_code)
    certificates = [item for item in my_signing_certificates() if item.key_algorithm in PADES_KEYS]
    return render_template(
        'agency_applications/application.html',
        application=application,
        service=service,
        status=service.status(application.status),
        groups=grouped_values(service, application.values),
        channel=CHANNEL_LABELS[application.channel],
        applicant_kind=APPLICANT_KIND_LABELS[application.applicant_kind],
        overdue=is_overdue(application),
        can_decide=user.has_role(*DECIDING_ROLES),
        certificates=certificates,
        sections=sections('agency', user, application),
        result=db.session.get(Attachment, application.result_attachment_id or 0),
        values=values or {},
        errors=errors or {},
        message=message,
    )


def _decide(application_id: int, form: str, action: Callable[[User, Application], str]) -> Html | Response:
    """Run one decision in a transaction; success flashes and redirects, a refusal shows the page with the form."""
    user = current_user()
    try:
        with atomic():
            message = action(user, _agency_application(user, application_id))
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        values = {key: value for key, value in request.form.items() if key != 'password'}
        values['form'], values['reasons'] = form, request.form.getlist('reasons')
        notice = None if isinstance(error, ValidationFailed) else error.message
        page = _page(_agency_application(user, application_id), values, error.fields, notice)
        return page, error.status
    flash(message, 'success')
    return redirect(url_for('agency_applications.show', application_id=application_id))


@bp.post('/<int:application_id>/approve')
@login_required
def approve(application_id: int) -> Html | Response:
    """Approve with the result rendered and signed inside the PDF by the official's certificate."""

    def run(user: User, application: Application) -> str:
        certificate_id, password = signing_credentials('результат')
        with credential_fields():
            approve_and_sign(user, application, certificate_id, password, comment=request.form.get('comment', ''))
        title = get_service(application.service_code).result.title
        return f'Заявление № {application.number} одобрено: документ «{title}» подписан и направлен заявителю.'

    return _decide(application_id, APPROVE, run)


@bp.post('/<int:application_id>/clarification')
@login_required
def clarification(application_id: int) -> Html | Response:
    def run(user: User, application: Application) -> str:
        request_clarification(user, application, request.form.get('text', ''))
        return f'Заявителю направлен запрос уточнения по заявлению № {application.number}; срок приостановлен.'

    return _decide(application_id, CLARIFY, run)


@bp.post('/<int:application_id>/refuse')
@login_required
def refusal(application_id: int) -> Html | Response:
    def run(user: User, application: Application) -> str:
        refuse(user, application, request.form.getlist('reasons'), request.form.get('comment', ''))
        return f'По заявлению № {application.number} отказано; заявитель уведомлён.'

    return _decide(application_id, REFUSE, run)


@bp.get('/<int:application_id>/files/<int:file_id>')
@login_required
def file(application_id: int, file_id: int) -> Response:
    application = _agency_application(current_user(), application_id)
    row = get_application_file(application, file_id)
    return send_stored(row.sha256, row.content_type, row.filename)


@bp.get('/<int:application_id>/result')
@login_required
def result(application_id: int) -> Response:
    """The result the applicant receives: the signed PDF."""
    application = _agency_application(current_user(), application_id)
    attachment = get_result_attachment(application)
    return send_stored(attachment.sha256, attachment.content_type, attachment.filename)
