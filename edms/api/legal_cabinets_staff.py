"""The staff of a legal entity's cabinet in the API (seed 000), every change confirmed by the acting administrator:
`POST /legal-cabinets/{id}/staff-changes/text` gives the canonical text of a change (`action` add, change or remove with
the change's fields), `POST …/staff-changes/sms-code` sends a one-time code for exactly that change to the
administrator's confirmed phone (`edms.api.phone`; none: a 422 on `sms_code`; a `phone` in the body is an unknown field,
422; asked too often 429 with `Retry-After`; no SMS gateway 409), and adding (`POST …/members`), changing (`PATCH
…/members/{m}`) and removing (`DELETE …/members/{m}`) take effect only with `sms_code` (that code) or `signature` (a
detached CMS signature of the text by the administrator's qualified certificate: Base64 in JSON, or a file part of a
multipart/form-data body). Without either, with a wrong, used or expired code, a code of another change, or a signature
that is not valid, not qualified, not over this text or not the administrator's own: a 422 naming the field, and nothing
changes (a wrong code's attempt stays spent).

The operations are `citizen_services.operations.legal_cabinets_staff` and `legal_cabinets_confirmation`, the same as
the browser's. A cabinet the account is not a member of is a 404.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.confirmation_codes import code_json
from edms.api.inputs import json_object, refuse_unknown
from edms.api.legal_cabinets import member_json
from edms.auth.confirmation import CodeRejected
from edms.auth.confirmation_codes import masked
from edms.auth.models import User
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet
from edms.citizen_services.operations.legal_cabinets_confirmation import (
    CODE_FIELD,
    SIGNATURE_FIELD,
    StaffChange,
    StaffConfirmation,
    send_staff_change_code,
)
from edms.citizen_services.operations.legal_cabinets_staff import (
    add_legal_cabinet_member,
    change_legal_cabinet_member,
    plan_member_add,
    plan_member_change,
    plan_member_remove,
    remove_legal_cabinet_member,
)
from edms.citizen_services.operations.uploads import MAX_SIGNATURE_SIZE
from edms.citizen_services.queries.legal_cabinets import get_legal_cabinet
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic, atomic_keeping

ACTIONS = ('add', 'change', 'remove')
CONFIRMATION = (CODE_FIELD, SIGNATURE_FIELD)
_PEM = re.compile(rb'-----(BEGIN|END) [A-Z0-9 ]+-----')
Result = TypeVar('Result')


def _body(*, optional: bool = False) -> tuple[dict[str, Any], StaffConfirmation | None]:
    """The request's fields and its confirmation (None when it has none): JSON, or multipart with `signature` as a
    file part."""
    if request.mimetype == 'multipart/form-data':
        body: dict[str, Any] = {name: request.form.get(name) for name in request.form if name != 'rights'}
        if 'rights' in request.form:
            rights = request.form.getlist('rights')
            body['rights'] = rights[0] if len(rights) == 1 else rights
        storage = request.files.get(SIGNATURE_FIELD)
        body.update({name: None for name in request.files if name != SIGNATURE_FIELD})
        signature = storage.stream.read(MAX_SIGNATURE_SIZE + 1) if storage is not None and storage.filename else None
        body.pop(SIGNATURE_FIELD, None)
    else:
        body = json_object(optional=optional)
        signature = _base64(body.pop(SIGNATURE_FIELD)) if SIGNATURE_FIELD in body else None
    code = body.pop(CODE_FIELD, None)
    if code is not None and not isinstance(code, str):
        raise ValidationFailed(fields={CODE_FIELD: '«sms_code»: код из СМС — строка из 6 цифр.'})
    if code is None and signature is None:
        return body, None
    return body, StaffConfirmation(code, signature)


def _base64(value: Any) -> bytes:
    """A detached signature sent in JSON: Base64 of the DER (a PEM armour is taken off)."""
    message = '«signature»: отсоединённая подпись CMS в кодировке Base64.'
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(fields={SIGNATURE_FIELD: message})
    text = _PEM.sub(b'', value.encode('ascii', 'replace'))
    try:
        return base64.b64decode(b''.join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(fields={SIGNATURE_FIELD: message}) from None


def _confirmed(user: User, cabinet_id: int, work: Callable[[LegalEntityCabinet, LegalCabinetMember], Result]) -> Result:
    """`work` on the locked cabinet in one transaction; a rejected code is raised after the commit that keeps its
    spent attempt (nothing else has changed by then)."""
    with atomic_keeping(CodeRejected):
        cabinet, me = get_legal_cabinet(user, cabinet_id, lock=True)
        return work(cabinet, me)


def _required(confirmation: StaffConfirmation | None) -> StaffConfirmation:
    """An empty confirmation: the operation refuses it naming both ways (after checking the change itself)."""
    return confirmation or StaffConfirmation()


def _with_role(cabinet: LegalEntityCabinet, member_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """A change keeps the member's role when none is sent."""
    current = next((row for row in cabinet.active_members if row.id == member_id), None)
    return {'role': current.role.value, **body} if current is not None and 'role' not in body else body


def _member_answer(cabinet_id: int, member_id: int, status: int = 200) -> tuple[Response, int, dict[str, str]]:
    cabinet, _ = get_legal_cabinet(api_user(), cabinet_id)
    member = next(row for row in cabinet.members if row.id == member_id)
    headers = {'Location': url_for('api.get_legal_cabinet', cabinet_id=cabinet_id)} if status == 201 else {}
    return jsonify(member_json(member)), status, headers


@bp.post('/legal-cabinets/<int:cabinet_id>/members', endpoint='add_legal_cabinet_member')
def add_member(cabinet_id: int) -> tuple[Response, int, dict[str, str]]:
    """Add a portal account by `snils` or `inn` with a `role` (and `rights`, else the role's defaults), confirmed."""
    user = api_user()
    body, confirmation = _body()
    member = _confirmed(
        user, cabinet_id, lambda cabinet, me: add_legal_cabinet_member(user, cabinet, me, body, _required(confirmation))
    )
    return _member_answer(cabinet_id, member.id, 201)


@bp.patch('/legal-cabinets/<int:cabinet_id>/members/<int:member_id>', endpoint='change_legal_cabinet_member')
def change_member(cabinet_id: int, member_id: int) -> tuple[Response, int, dict[str, str]]:
    """Change the role (kept when not sent) and the rights (the role's defaults when not sent), confirmed."""
    user = api_user()
    body, confirmation = _body()

    def work(cabinet: LegalEntityCabinet, me: LegalCabinetMember) -> LegalCabinetMember:
        raw = _with_role(cabinet, member_id, body)
        return change_legal_cabinet_member(user, cabinet, me, member_id, raw, _required(confirmation))

    _confirmed(user, cabinet_id, work)
    return _member_answer(cabinet_id, member_id)


@bp.delete('/legal-cabinets/<int:cabinet_id>/members/<int:member_id>', endpoint='remove_legal_cabinet_member')
def remove_member(cabinet_id: int, member_id: int) -> tuple[str, int]:
    """Remove a member, confirmed (`sms_code` or `signature` in the body)."""
    user = api_user()
    body, confirmation = _body(optional=True)
    refuse_unknown(body, ())
    _confirmed(
        user,
        cabinet_id,
        lambda cabinet, me: remove_legal_cabinet_member(user, cabinet, me, member_id, _required(confirmation)),
    )
    return '', 204


def _planned(user: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, body: dict[str, Any]) -> StaffChange:
    """The change a `staff-changes` request describes: `action` and, for a change or a removal, `member_id`."""
    action, member_id = body.pop('action', None), body.pop('member_id', None)
    problems = {}
    if action not in ACTIONS:
        problems['action'] = '«action»: add, change или remove.'
    if action in ('change', 'remove') and (not isinstance(member_id, int) or isinstance(member_id, bool)):
        problems['member_id'] = '«member_id»: идентификатор сотрудника в кабинете (целое число).'
    if problems:
        raise ValidationFailed(fields=problems)
    if action == 'add':
        return plan_member_add(user, cabinet, me, body)
    if action == 'change':
        return plan_member_change(user, cabinet, me, member_id, _with_role(cabinet, member_id, body))
    refuse_unknown(body, ())
    return plan_member_remove(user, cabinet, me, member_id)


def change_json(change: StaffChange) -> dict[str, Any]:
    return {'action': change.action, 'text': change.text, 'sha256': change.digest, 'purpose': change.purpose}


@bp.post('/legal-cabinets/<int:cabinet_id>/staff-changes/text', endpoint='legal_cabinet_staff_change_text')
def staff_change_text(cabinet_id: int) -> Response:
    """The canonical text of a change (to sign), its SHA-256 and the purpose of its code; nothing changes."""
    user, body = api_user(), json_object()
    cabinet, me = get_legal_cabinet(user, cabinet_id)
    return jsonify(change_json(_planned(user, cabinet, me, body)))


@bp.post('/legal-cabinets/<int:cabinet_id>/staff-changes/sms-code', endpoint='legal_cabinet_staff_change_code')
def staff_change_code(cabinet_id: int) -> tuple[Response, int]:
    """A one-time code for exactly this change sent to the administrator's confirmed phone (shown masked)."""
    user, body = api_user(), json_object()
    with atomic():
        cabinet, me = get_legal_cabinet(user, cabinet_id)
        change = _planned(user, cabinet, me, body)
        row = send_staff_change_code(user, change)
        answer = {**code_json(row, phone=masked(row.phone)), **change_json(change)}
    return jsonify(answer), 202
