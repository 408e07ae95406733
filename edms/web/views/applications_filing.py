"""Filing an application in the browser: the applicant's form (/applications/new?service=…, channel portal), the MFC
operator's «одно окно» (/mfc?service=…, channel mfc, with the applicant's identity block) and the printable receipt
of an application filed at the MFC (/applications/<id>/receipt).

Both forms are generated from the service's definition (`applications_forms`) and go through
`citizen_services.operations.file_application`; a refused application comes back filled with every problem listed at
the top and each next to its field (files are chosen again: a browser cannot refill a file input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import Role, User
from edms.citizen_services.catalogue.definition import Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services, get_service
from edms.citizen_services.operations import file_application
from edms.citizen_services.permissions import organization_kind
from edms.citizen_services.queries import get_application
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.errors import Conflict, Forbidden, ValidationFailed
from edms.directory.models import OrganizationKind
from edms.web.session import current_user, login_required
from edms.web.views.applications import bp
from edms.web.views.applications_forms import Posted, block_labels, file_confirmed, read_posted, service_form
from edms.web.views.applications_render import form_page, refusal

Html = str | tuple[str, int]
FORM = 'applications/form.html'
NOT_APPLICANT = 'Подать заявление через портал может заявитель с учётной записью портала государственных услуг.'
NOT_OPERATOR = 'Форма «одного окна» доступна оператору МФЦ.'


def _require_applicant(user: User) -> None:
    if organization_kind(user) != OrganizationKind.portal or not user.has_role(Role.applicant):
        raise Forbidden(NOT_APPLICANT)


def _require_operator(user: User) -> None:
    if organization_kind(user) != OrganizationKind.mfc or not user.has_role(Role.mfc_operator):
        raise Forbidden(NOT_OPERATOR)


def _service(channel: Channel) -> ServiceDefinition | None:
    """The service chosen in the query string (None: the choice is shown); `UnknownService` (404) for a wrong code."""
    code = request.args.get('service', '')
    if not code:
        return None
    service = get_service(code)
    if channel not in service.channels:
        raise Forbidden(f'Услугу «{service.title}» нельзя получить этим способом.')
    return service


def _choices(channel: Channel) -> list[ServiceDefinition]:
    return [service for service in all_services() if channel in service.channels]


@bp.route('/applications/new', methods=['GET', 'POST'])
@login_required
def new() -> Html | Response:
    user = current_user()
    _require_applicant(user)
    service = _service(Channel.portal)
    if service is None:
        return form_page('applications/choose.html', {}, services=_choices(Channel.portal), mfc=False)
    outcome = _form_or_filed(user, service, Channel.portal, {'form': service_form(service), 'mfc': False})
    if not isinstance(outcome, Filed):
        return outcome
    flash(f'Заявление № {outcome.number} подано.', 'success')
    return redirect(url_for('applications.show', application_id=outcome.application_id))


@bp.route('/mfc', methods=['GET', 'POST'])
@login_required
def mfc() -> Html | Response:
    """«Одно окно»: the operator files any service the MFC offers on the visitor's behalf."""
    user = current_user()
    _require_operator(user)
    service = _service(Channel.mfc)
    if service is None:
        return form_page('applications/choose.html', {}, services=_choices(Channel.mfc), mfc=True)
    context = {'form': service_form(service, sms_allowed=False), 'mfc': True, 'block_labels': block_labels()}
    outcome = _form_or_filed(user, service, Channel.mfc, context)
    if not isinstance(outcome, Filed):
        return outcome
    return redirect(url_for('applications.receipt', application_id=outcome.application_id))


@dataclass(frozen=True)
class Filed:
    application_id: int
    number: str | None


def _form_or_filed(user: User, service: ServiceDefinition, channel: Channel, context: dict[str, Any]) -> Html | Filed:
    """GET: the empty form. POST: the application filed through `channel`, or the form back filled with every
    problem. The MFC's form has the applicant's identity block (`on_behalf`) and no SMS confirmation; the portal's
    SMS code is confirmed in the filing's transaction (`file_confirmed`)."""
    if request.method == 'GET':
        return form_page(FORM, {}, values={}, problems=[], **context)
    posted = read_posted(context['form'], with_block=channel == Channel.mfc)
    try:
        filed = file_confirmed(
            user, context['form'], posted, lambda signatures: _file(user, service, channel, posted, signatures)
        )
    except (ValidationFailed, Conflict) as error:
        errors, problems = refusal(error, bool(posted.files or posted.detached))
        return form_page(FORM, errors, values=posted.values, problems=problems, **context)
    return filed


def _file(
    user: User, service: ServiceDefinition, channel: Channel, posted: Posted, signatures: list[SignatureFacts]
) -> Filed:
    application = file_application(
        user,
        service.code,
        posted.data,
        posted.files,
        channel=channel,
        signatures=signatures,
        detached=posted.detached,
        on_behalf=posted.on_behalf,
    )
    return Filed(application.id, application.number)


@bp.get('/applications/<int:application_id>/receipt')
@login_required
def receipt(application_id: int) -> Html:
    """The receipt of the accepted application: number, service, dates and the documents accepted (for printing)."""
    application = get_application(current_user(), application_id)
    service = get_service(application.service_code)
    return form_page('applications/receipt.html', {}, application=application, service=service)
