"""«Получить код» on the applicant's application form: the button posts the whole form here (`formaction`, no
JavaScript needed), the code is sent to the phone typed in the SMS block (`edms.notifications.sms.send_code`) and the
same form comes back filled, saying where the code went — or with the phone's, the rate limit's or the missing SMS
gateway's message next to the phone. Two forms have the block: the portal's new application and the corrected
application of a clarification.

Only the applicant files in their own name with an SMS code: an MFC operator's or a partner's form has no block, and
these routes refuse them (403).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from edms.auth.confirmation import TooManyCodes, shown_phone
from edms.auth.models import Role, User
from edms.citizen_services.catalogue.definition import Channel
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.permissions import files_on_behalf, organization_kind
from edms.citizen_services.queries import get_application
from edms.core.errors import Conflict, Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.directory.models import OrganizationKind
from edms.notifications.sms import DEVELOPMENT, SmsUnavailable, delivery_mode, send_code
from edms.web.session import current_user, login_required
from edms.web.views.applications import _may_resubmit, _page, bp
from edms.web.views.applications_forms import (
    FILES_AGAIN,
    SMS_PHONE,
    SMS_SENT,
    Posted,
    ServiceForm,
    read_posted,
    service_form,
)
from edms.web.views.applications_render import form_page

Html = str | tuple[str, int]
FORM = 'applications/form.html'
NOT_APPLICANT = 'Код из СМС подтверждает заявление только сам заявитель с учётной записью портала.'
NO_SMS = 'Это заявление не подтверждается кодом из СМС.'
IN_APP = 'SMS-шлюз не настроен (режим разработки): код — в разделе «Уведомления».'


def _sms_form(user: User, form: ServiceForm) -> ServiceForm:
    if organization_kind(user) != OrganizationKind.portal or not user.has_role(Role.applicant) or files_on_behalf(user):
        raise Forbidden(NOT_APPLICANT)
    if form.sms_slot is None:
        raise Forbidden(NO_SMS)
    return form


def _send(user: User, form: ServiceForm, posted: Posted) -> tuple[dict[str, str], int]:
    """Send the code; (messages by input, HTTP status) — the notice goes into the values as `sms.sent`."""
    try:
        with atomic():
            row = send_code(user, form.sms_purpose, posted.values.get(SMS_PHONE, ''))
            phone = row.phone
    except (TooManyCodes, SmsUnavailable) as error:
        return {SMS_PHONE: error.message}, error.status
    except ValidationFailed as error:
        return {SMS_PHONE: next(iter(error.fields.values()), error.message)}, 422
    notice = f'Код отправлен на {shown_phone(phone)}. Введите его ниже и подайте заявление.'
    if delivery_mode(current_app.config) == DEVELOPMENT:
        notice = f'{notice} {IN_APP}'
    if posted.files or posted.detached:
        notice = f'{notice} {FILES_AGAIN}'
    posted.values[SMS_SENT] = notice
    return {}, 200


def _with_status(page: Html, status: int) -> Html:
    html = page[0] if isinstance(page, tuple) else page
    return (html, status) if status != 200 else html


@bp.post('/applications/new/sms-code')
@login_required
def new_sms_code() -> Html:
    """The portal's new application form, a code sent for it."""
    user = current_user()
    service = get_service(request.args.get('service', ''))
    if Channel.portal not in service.channels:
        raise Forbidden(f'Услугу «{service.title}» нельзя получить через портал.')
    form = _sms_form(user, service_form(service))
    posted = read_posted(form)
    errors, status = _send(user, form, posted)
    context: dict[str, Any] = {'form': form, 'mfc': False, 'values': posted.values}
    return _with_status(form_page(FORM, errors, problems=list(errors.values()), **context), status)


@bp.post('/applications/<int:application_id>/resubmit/sms-code')
@login_required
def resubmit_sms_code(application_id: int) -> Html:
    """The corrected application's form on the application page, a code sent for it."""
    user = current_user()
    application = get_application(user, application_id)
    if not _may_resubmit(user, application):
        raise Conflict('Заявление сейчас не ждёт исправлений.')
    service = get_service(application.service_code)
    form = _sms_form(user, service_form(service, sms_allowed=not files_on_behalf(user)))
    posted = read_posted(form)
    errors, status = _send(user, form, posted)
    return _with_status(_page(application, posted.values, errors, list(errors.values())), status)
