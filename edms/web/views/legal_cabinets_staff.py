"""Staff changes of «Кабинет организации» in the browser, each confirmed by the administrator (seed 000: «Сохранить
изменения, подтвердив действие через SMS‑код или электронную подпись»): the add form, a member's row of the roles ×
rights matrix and «Исключить» post to their routes; a change without a confirmation is checked (a refused form comes
back filled on the cabinet's page, 422) and answered with the confirmation page: the change in words, the SMS block (the
masked confirmed phone of the administrator the code goes to — «Мой телефон»; no number is typed here; «Получить код»
posts the whole form to `staff-change/sms-code`, no JavaScript needed, and the same page comes back filled saying where
the code went, or, without a confirmed phone, saying to confirm one or to sign) and the КЭП block (the canonical text to
sign, downloadable with its exact bytes, and the detached signature file). Posting the page with the code or the
signature file applies the change and redirects to the cabinet; a wrong code (the attempt spent and committed), a code
of another change, a bad or someone else's signature bring the page back with the message next to its field (422) and
nothing changed.

Everything goes through `operations.legal_cabinets_staff` and `legal_cabinets_confirmation`; every cabinet is loaded
through `get_legal_cabinet` (a non-member gets a 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from edms.auth.confirmation import LIFETIME_SECONDS, CodeRejected, TooManyCodes
from edms.auth.confirmation_codes import masked
from edms.auth.models import User
from edms.auth.phone import confirmed_phone
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet
from edms.citizen_services.operations.legal_cabinets_confirmation import (
    ACTION_LABELS,
    CODE_FIELD,
    SIGNATURE_FIELD,
    NoConfirmedPhone,
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
from edms.core.errors import Conflict, ValidationFailed
from edms.core.tx import atomic, atomic_keeping
from edms.notifications.sms import DEVELOPMENT, SmsUnavailable, delivery_mode
from edms.web.session import current_user, login_required
from edms.web.views.legal_cabinets import _conflict, _done, _page, _rights_text, _roles, bp

Html = str | tuple[str, int]
ADD_FIELDS = ('snils', 'inn', 'role')
#: The rights matrix of each member's row is always sent, so an empty matrix means «no rights», not «defaults».
RIGHTS = 'rights'
#: The confirmation page's own inputs: a refusal naming one of them brings that page back.
CONFIRMATION_FIELDS = frozenset({CODE_FIELD, SIGNATURE_FIELD, 'confirmation'})
DONE = {
    'add': 'Сотрудник добавлен в кабинет организации.',
    'change': 'Роль и права сотрудника сохранены.',
    'remove': 'Сотрудник исключён из кабинета организации.',
}
NO_SMS = 'SMS-шлюз не настроен: подтверждение по SMS недоступно, подтвердите изменение электронной подписью.'
IN_APP = 'SMS-шлюз не настроен (режим разработки): код — в разделе «Уведомления».'
TEMPLATE = 'legal_cabinets/confirm.html'


@dataclass
class Pending:
    """A staff change as the forms carry it: `action` (add, change, remove), the member's id, the inputs as typed."""

    action: str
    member_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    rights: list[str] | None = None

    def raw(self) -> dict[str, Any]:
        """The operation's input: an add without empty fields (the role always), a change with its whole matrix."""
        if self.action == 'add':
            return {name: value for name, value in self.values.items() if value or name == 'role'}
        if self.action == 'change':
            return {**self.values, RIGHTS: list(self.rights or [])}
        return {}

    def query(self) -> dict[str, Any]:
        """The change as URL parameters (the canonical text's download)."""
        extra = {RIGHTS: self.rights} if self.rights is not None else {}
        member = {'member_id': self.member_id} if self.member_id is not None else {}
        return {'action': self.action, **member, **self.values, **extra}

    def url(self, cabinet_id: int) -> str:
        """The route that applies the change (the form's own)."""
        if self.action == 'add':
            return url_for('legal_cabinets.add_member', cabinet_id=cabinet_id)
        endpoint = 'legal_cabinets.change_member' if self.action == 'change' else 'legal_cabinets.remove_member'
        return url_for(endpoint, cabinet_id=cabinet_id, member_id=self.member_id)


def _pending(action: str, member_id: int | None, source: MultiDict[str, str]) -> Pending:
    if action == 'add':
        return Pending('add', None, {name: source.get(name, '').strip() for name in ADD_FIELDS})
    if action == 'change' and member_id is not None:
        return Pending('change', member_id, {'role': source.get('role', '')}, source.getlist(RIGHTS))
    if action == 'remove' and member_id is not None:
        return Pending('remove', member_id)
    raise ValidationFailed(fields={'action': '«Действие»: добавление, изменение или исключение сотрудника.'})


def _sent_pending(source: MultiDict[str, str]) -> Pending:
    """The change named by the hidden `action` and `member_id` of the confirmation page (or the text's URL)."""
    member = source.get('member_id', '')
    return _pending(source.get('action', ''), int(member) if member.isascii() and member.isdigit() else None, source)


def _plan(user: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, pending: Pending) -> StaffChange:
    if pending.action == 'add':
        return plan_member_add(user, cabinet, me, pending.raw())
    if pending.action == 'change':
        return plan_member_change(user, cabinet, me, pending.member_id or 0, pending.raw())
    return plan_member_remove(user, cabinet, me, pending.member_id or 0)


def _apply(
    user: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, pending: Pending, confirmation: StaffConfirmation
) -> None:
    if pending.action == 'add':
        add_legal_cabinet_member(user, cabinet, me, pending.raw(), confirmation)
    elif pending.action == 'change':
        change_legal_cabinet_member(user, cabinet, me, pending.member_id or 0, pending.raw(), confirmation)
    else:
        remove_legal_cabinet_member(user, cabinet, me, pending.member_id or 0, confirmation)


def _confirmation() -> StaffConfirmation | None:
    """The code typed or the signature file chosen on the confirmation page; None when neither was sent."""
    code = request.form.get(CODE_FIELD, '').strip() or None
    storage = request.files.get(SIGNATURE_FIELD)
    signature = None
    if storage is not None and storage.filename:
        # One byte over the limit is enough for the operation to call the file too large.
        signature = storage.stream.read(MAX_SIGNATURE_SIZE + 1)
    if code is None and signature is None:
        return None
    return StaffConfirmation(code, signature)


def _refused(cabinet_id: int, pending: Pending, error: ValidationFailed) -> Html | Response:
    """A refusal: the confirmation page when it names one of its inputs, else the cabinet's page with the form."""
    if set(error.fields) & CONFIRMATION_FIELDS or not error.fields:
        errors = error.fields or {'confirmation': error.message}
        no_phone = isinstance(error, NoConfirmedPhone)
        return _confirm_page(cabinet_id, pending, errors=errors, status=422, no_phone=no_phone)
    return _form_refused(cabinet_id, pending, error)


def _planned_or_page(
    user: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, pending: Pending
) -> StaffChange | Html | Response:
    """The change as planned now, or the cabinet's page saying why it cannot be made (a change refused by now)."""
    try:
        return _plan(user, cabinet, me, pending)
    except ValidationFailed as error:
        return _form_refused(cabinet.id, pending, error)
    except Conflict as error:
        return _conflict(cabinet.id, error)


def _form_refused(cabinet_id: int, pending: Pending, error: ValidationFailed) -> Html:
    """The cabinet's page with the change's form filled and its messages (422)."""
    if pending.action == 'add':
        return _page(cabinet_id, add_values=pending.values, add_errors=error.fields)
    values = {'role': pending.values.get('role', ''), RIGHTS: pending.rights or []}
    return _page(cabinet_id, member_values={pending.member_id: values}, member_errors={pending.member_id: error.fields})


def _confirm_page(
    cabinet_id: int,
    pending: Pending,
    *,
    errors: dict[str, str] | None = None,
    notice: str = '',
    status: int = 200,
    no_phone: bool = False,
) -> Html | Response:
    """The confirmation page of the change as planned now (a change refused by now goes back to the cabinet)."""
    user = current_user()
    cabinet, me = get_legal_cabinet(user, cabinet_id)
    change = _planned_or_page(user, cabinet, me, pending)
    if not isinstance(change, StaffChange):
        return change
    phone = confirmed_phone(user)
    html = render_template(
        TEMPLATE,
        cabinet=cabinet,
        change=change,
        pending=pending,
        action_label=ACTION_LABELS[change.action],
        role_labels=_roles(),
        rights_text=_rights_text,
        sms_phone=masked(phone) if phone else None,
        no_phone=no_phone,
        phone_url=url_for('phone.show'),
        errors=errors or {},
        notice=notice,
        minutes=LIFETIME_SECONDS // 60,
        apply_url=pending.url(cabinet_id),
        text_url=url_for('legal_cabinets.staff_change_text', cabinet_id=cabinet_id, **pending.query()),
    )
    return (html, status) if status != 200 else html


def _staff_change(cabinet_id: int, pending: Pending) -> Html | Response:
    """Apply the change when the page sent a confirmation; otherwise check it and show the confirmation page."""
    confirmation = _confirmation()
    if confirmation is None:
        return _confirm_page(cabinet_id, pending)
    try:
        _confirmed(current_user(), cabinet_id, pending, confirmation)
    except ValidationFailed as error:
        return _refused(cabinet_id, pending, error)
    except Conflict as error:
        return _conflict(cabinet_id, error)
    return _done(cabinet_id, DONE[pending.action])


def _confirmed(user: User, cabinet_id: int, pending: Pending, confirmation: StaffConfirmation) -> None:
    """The change in one transaction; a rejected code is raised after the commit, which keeps its spent attempt."""
    with atomic_keeping(CodeRejected):
        cabinet, me = get_legal_cabinet(user, cabinet_id, lock=True)
        _apply(user, cabinet, me, pending, confirmation)


@bp.post('/legal-cabinets/<int:cabinet_id>/members')
@login_required
def add_member(cabinet_id: int) -> Html | Response:
    return _staff_change(cabinet_id, _pending('add', None, request.form))


@bp.post('/legal-cabinets/<int:cabinet_id>/members/<int:member_id>')
@login_required
def change_member(cabinet_id: int, member_id: int) -> Html | Response:
    return _staff_change(cabinet_id, _pending('change', member_id, request.form))


@bp.post('/legal-cabinets/<int:cabinet_id>/members/<int:member_id>/remove')
@login_required
def remove_member(cabinet_id: int, member_id: int) -> Html | Response:
    return _staff_change(cabinet_id, _pending('remove', member_id, request.form))


@bp.post('/legal-cabinets/<int:cabinet_id>/staff-change/sms-code')
@login_required
def staff_change_code(cabinet_id: int) -> Html | Response:
    """«Получить код»: a code for exactly this change, sent to the administrator's confirmed phone; the same page
    comes back (without a confirmed phone: saying to confirm one on «Мой телефон» or to sign)."""
    user = current_user()
    get_legal_cabinet(user, cabinet_id)  # a non-member's 404 before anything about the form
    pending = _sent_pending(request.form)
    try:
        with atomic():
            cabinet, me = get_legal_cabinet(user, cabinet_id)
            row = send_staff_change_code(user, _plan(user, cabinet, me, pending))
            phone = row.phone
    except SmsUnavailable:
        return _confirm_page(cabinet_id, pending, errors={CODE_FIELD: NO_SMS}, status=SmsUnavailable.status)
    except TooManyCodes as error:
        return _confirm_page(cabinet_id, pending, errors={CODE_FIELD: error.message}, status=error.status)
    except ValidationFailed as error:
        return _refused(cabinet_id, pending, error)
    except Conflict as error:
        return _conflict(cabinet_id, error)
    notice = f'Код отправлен на ваш подтверждённый номер {masked(phone)}. Введите его ниже и подтвердите изменение.'
    if delivery_mode(current_app.config) == DEVELOPMENT:
        notice = f'{notice} {IN_APP}'
    return _confirm_page(cabinet_id, pending, notice=notice)


@bp.get('/legal-cabinets/<int:cabinet_id>/staff-change.txt')
@login_required
def staff_change_text(cabinet_id: int) -> Html | Response:
    """The change's canonical text with its exact bytes (UTF-8, LF), to be signed with a detached КЭП signature."""
    user = current_user()
    cabinet, me = get_legal_cabinet(user, cabinet_id)
    pending = _sent_pending(request.args)
    change = _planned_or_page(user, cabinet, me, pending)
    if not isinstance(change, StaffChange):
        return change
    name = f'staff-change-{cabinet_id}-{change.digest[:16]}.txt'
    headers = {'Content-Disposition': f'attachment; filename="{name}"'}
    return Response(change.text.encode('utf-8'), mimetype='text/plain', headers=headers)
