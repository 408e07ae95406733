"""One-time SMS confirmation codes over the API: POST /confirmation-codes {purpose, phone} sends a code (202; asked too
often: 429 with `Retry-After`; no SMS gateway configured: 409), and `confirmed` runs a filing with the code given as
`sms_code` confirmed in the same transaction (`edms.api.applications`): the SMS signature fact names the code's id
and masked phone, and when the application's data has a contact phone the code must have been sent to it (a 422 on
that field otherwise).

Only an applicant of the portal asks for and uses codes, in their own name: a partner's or an MFC's account is
refused (403) — a client's phone cannot confirm what someone else files. A purpose is `application:<service>` of a
service whose application may be confirmed by an SMS code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Response, jsonify

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, refuse_unknown
from edms.api.serializers import iso
from edms.auth.confirmation import CodeRejected, ConfirmationCode, TooManyCodes
from edms.auth.confirmation_codes import RESEND_SECONDS, confirm_code, masked, require_code_phone
from edms.auth.models import Role, User
from edms.citizen_services.catalogue.definition import Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services
from edms.citizen_services.operations.uploads import APPLICATION_ROLE
from edms.citizen_services.permissions import files_on_behalf, organization_kind
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.facts import SMS, SignatureFacts
from edms.citizen_services.rules.fields import value_at
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.directory.models import OrganizationKind
from edms.notifications.sms import send_code

FIELD = 'sms_code'
OWN_CHANNELS = (Channel.portal.value, Channel.mobile.value)
NOT_APPLICANT = 'Код из СМС подтверждает заявление только сам заявитель с учётной записью портала.'
Result = TypeVar('Result')


@bp.errorhandler(TooManyCodes)
def too_many_codes(error: TooManyCodes) -> tuple[Response, int, dict[str, str]]:
    """429 with the seconds to wait in `Retry-After` (and in the body as `retry_after`)."""
    body = {'code': error.code, 'message': error.message, 'fields': {}, 'retry_after': error.retry_after}
    return jsonify({'error': body}), error.status, {'Retry-After': str(error.retry_after)}


def sms_purpose(service: ServiceDefinition) -> str | None:
    """The purpose of the codes confirming the service's application; None when it takes no SMS confirmation."""
    specs = [spec for spec in service.signatures if spec.role == APPLICATION_ROLE and SMS in spec.methods]
    return f'application:{service.code}' if specs else None


def require_own_applicant(user: User, channel: str = Channel.portal.value) -> None:
    own = organization_kind(user) == OrganizationKind.portal and user.has_role(Role.applicant)
    if not own or files_on_behalf(user) or channel not in OWN_CHANNELS:
        raise Forbidden(NOT_APPLICANT)


@bp.post('/confirmation-codes')
def create_confirmation_code() -> tuple[Response, int]:
    user, body = api_user(), json_object()
    refuse_unknown(body, ('purpose', 'phone'))
    require_own_applicant(user)
    purposes = [purpose for purpose in map(sms_purpose, all_services()) if purpose]
    if body.get('purpose') not in purposes:
        allowed = ', '.join(purposes)
        raise ValidationFailed(fields={'purpose': f'«purpose»: назначение кода, одно из: {allowed}.'})
    with atomic():
        row = send_code(user, str(body['purpose']), body.get('phone'))
        answer = code_json(row)
    return jsonify(answer), 202


def code_json(row: ConfirmationCode, *, phone: str | None = None) -> dict[str, Any]:
    """A code just sent (`ConfirmationCodeSent`): its id, purpose, phone (`phone`: as shown instead, e.g. masked),
    expiry, attempts left and when another may be asked for."""
    return {
        'id': row.id,
        'purpose': row.purpose,
        'phone': row.phone if phone is None else phone,
        'expires_at': iso(row.expires_at),
        'attempts_left': row.attempts_left,
        'resend_after': RESEND_SECONDS,
    }


def confirmed(
    user: User,
    service: ServiceDefinition,
    code: Any,
    channel: str,
    file: Callable[[list[SignatureFacts]], Result],
    data: Mapping[str, Any],
) -> Result:
    """`file([the SMS signature])` in one transaction after `code` (the request's `sms_code`) is confirmed and found
    sent to the contact phone of `data` (the application's, if it has one). A refused filing or another phone rolls
    the confirmation back (the code stays usable); a wrong code is committed as a spent attempt and raised as a 422
    on `sms_code`."""
    require_own_applicant(user, channel)
    purpose = sms_purpose(service)
    if purpose is None:
        raise ValidationFailed(fields={FIELD: '«sms_code»: заявление этой услуги не подтверждается кодом из СМС.'})
    if not isinstance(code, str):
        raise ValidationFailed(fields={FIELD: '«sms_code»: код из СМС — строка из 6 цифр.'})
    rejected: CodeRejected | None = None
    with atomic(keep_loaded=True):
        try:
            row = confirm_code(user, purpose, code, field=FIELD)
        except CodeRejected as error:
            rejected = error
        else:
            _require_contact_phone(row, service, data)
            sms = SignatureFacts.sms(
                APPLICATION_ROLE, row.used_at or row.created_at, code_id=row.id, phone=masked(row.phone)
            )
            return file([sms])
    raise rejected


def _require_contact_phone(row: ConfirmationCode, service: ServiceDefinition, data: Mapping[str, Any]) -> None:
    """The code's phone is the first phone field of the service filled in `data` (nothing to hold it to otherwise)."""
    for spec in service.fields:
        value = value_at(data, spec.path) if spec.read is readers.phone else None
        if isinstance(value, str) and value.strip():
            require_code_phone(row, value, spec.path, spec.label)
            return
