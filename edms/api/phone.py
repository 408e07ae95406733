"""The account's own confirmed mobile phone over the API («Мой телефон», `edms.auth.phone`): `GET /me/phone` reads it,
`POST /me/phone/code {phone}` sends a code to a new number (202; asked too often 429 with `Retry-After`; no SMS gateway
409), `POST /me/phone {phone, code, password}` stores the number as confirmed once the account's password is given and
the code sent to it matches (a wrong code or password is a 422 on its field, the attempt kept), `DELETE /me/phone`
forgets it. Always the token's own account: there is no user id to name. Unknown fields are refused (422).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.confirmation_codes import code_json
from edms.api.inputs import json_object, refuse_unknown
from edms.api.serializers import iso
from edms.auth.confirmation import CodeRejected
from edms.auth.models import User
from edms.auth.phone import (
    CODE_FIELD,
    PASSWORD_FIELD,
    PHONE_FIELD,
    confirm_phone,
    confirmed_phone,
    phone_to_confirm,
    remove_phone,
)
from edms.core.tx import atomic, atomic_keeping
from edms.notifications.sms import send_code


def phone_json(user: User) -> dict[str, Any]:
    phone = confirmed_phone(user)
    return {'phone': phone, 'confirmed_at': iso(user.phone_confirmed_at) if phone else None}


@bp.get('/me/phone', endpoint='get_my_phone')
def get_phone() -> Response:
    """The confirmed phone of the token's account (null when none)."""
    return jsonify(phone_json(api_user()))


@bp.post('/me/phone/code', endpoint='send_my_phone_code')
def send_phone_code() -> tuple[Response, int]:
    """A code to the new number `phone`, to be confirmed with `POST /me/phone`."""
    user, body = api_user(), json_object()
    refuse_unknown(body, (PHONE_FIELD,))
    with atomic():
        phone, purpose = phone_to_confirm(user, body.get(PHONE_FIELD))
        row = send_code(user, purpose, phone)
        answer = code_json(row)
    return jsonify(answer), 202


@bp.post('/me/phone', endpoint='confirm_my_phone')
def confirm_phone_number() -> Response:
    """Store `phone` as the confirmed phone with the `code` sent to it; a wrong code's attempt is committed."""
    user, body = api_user(), json_object()
    refuse_unknown(body, (PHONE_FIELD, CODE_FIELD, PASSWORD_FIELD))
    with atomic_keeping(CodeRejected):
        confirm_phone(user, body.get(PHONE_FIELD), body.get(CODE_FIELD), body.get(PASSWORD_FIELD))
    return jsonify(phone_json(api_user()))


@bp.delete('/me/phone', endpoint='remove_my_phone')
def remove_phone_number() -> tuple[str, int]:
    """Forget the confirmed phone (nothing to do when there is none)."""
    user = api_user()
    with atomic():
        remove_phone(user)
    return '', 204
