"""«Мой телефон»: the account's confirmed mobile phone, to which the codes confirming its own actions go (a staff change
of a legal entity's cabinet). Two steps: the number typed → «Получить код» (`/me/phone/code`: the code is sent to that
number, the page comes back with the number kept and the code's input) → the code and the account's password typed →
«Подтвердить» stores the number as confirmed. Until then the previous confirmed number stays. «Удалить номер» forgets
it.

The operations are `edms.auth.phone`; the code goes through `edms.notifications.sms.send_code`. A wrong code's
attempt is committed before the page comes back with the message (422). The page is always the user's own: there is
no object id to try.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.confirmation import LIFETIME_SECONDS, CodeRejected, TooManyCodes, shown_phone
from edms.auth.phone import (
    CODE_FIELD,
    PASSWORD_FIELD,
    PHONE_FIELD,
    confirm_phone,
    confirmed_phone,
    phone_to_confirm,
    remove_phone,
)
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic, atomic_keeping
from edms.notifications.sms import DEVELOPMENT, SmsUnavailable, delivery_mode, send_code
from edms.web.session import current_user, login_required

bp = Blueprint('phone', __name__, url_prefix='/me/phone')
Html = str | tuple[str, int]
TEMPLATE = 'auth/phone.html'
NO_SMS = 'SMS-шлюз не настроен: подтвердить номер телефона сейчас нельзя.'
IN_APP = 'SMS-шлюз не настроен (режим разработки): код — в разделе «Уведомления».'
#: The second step's hidden input: the number the code was sent to.
SENT = 'sent'


def _page(
    *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None, notice: str = '', status: int = 200
) -> Html:
    """The page: the confirmed number, and the form at its first step, or at its second when `values` has `sent`."""
    user = current_user()
    phone = confirmed_phone(user)
    html = render_template(
        TEMPLATE,
        phone=shown_phone(phone) if phone else None,
        confirmed_at=user.phone_confirmed_at if phone else None,
        values=values or {},
        errors=errors or {},
        notice=notice,
        minutes=LIFETIME_SECONDS // 60,
    )
    return (html, status) if status != 200 else html


@bp.get('')
@login_required
def show() -> Html:
    return _page()


@bp.post('/code')
@login_required
def send() -> Html:
    """«Получить код»: a code to the number typed; the page comes back at the second step (or with the message)."""
    user = current_user()
    typed = request.form.get(PHONE_FIELD, '').strip()
    values = {PHONE_FIELD: typed}
    try:
        with atomic():
            phone, purpose = phone_to_confirm(user, typed)
            send_code(user, purpose, phone)
    except (SmsUnavailable, TooManyCodes) as error:
        message = NO_SMS if isinstance(error, SmsUnavailable) else error.message
        return _page(values=values, errors={PHONE_FIELD: message}, status=error.status)
    except ValidationFailed as error:
        return _page(values=values, errors=error.fields or {PHONE_FIELD: error.message}, status=422)
    notice = f'Код отправлен на {shown_phone(phone)}. Введите его, чтобы подтвердить номер.'
    if delivery_mode(current_app.config) == DEVELOPMENT:
        notice = f'{notice} {IN_APP}'
    return _page(values={PHONE_FIELD: shown_phone(phone), SENT: '1'}, notice=notice)


@bp.post('')
@login_required
def confirm() -> Html | Response:
    """«Подтвердить»: the number becomes the confirmed phone once its code matches; a wrong code's attempt is kept."""
    user = current_user()
    typed = request.form.get(PHONE_FIELD, '').strip()
    values = {PHONE_FIELD: typed, SENT: '1'}
    try:
        with atomic_keeping(CodeRejected):
            confirm_phone(user, typed, request.form.get(CODE_FIELD, ''), request.form.get(PASSWORD_FIELD, ''))
    except ValidationFailed as error:  # a rejected code or password too, its attempt committed
        return _page(values=values, errors=error.fields or {PHONE_FIELD: error.message}, status=422)
    flash('Номер телефона подтверждён: коды подтверждения будут приходить на него.', 'success')
    return redirect(url_for('phone.show'))


@bp.post('/remove')
@login_required
def remove() -> Response:
    with atomic():
        removed = remove_phone(current_user())
    flash('Номер телефона удалён.' if removed else 'Подтверждённого номера телефона нет.', 'success')
    return redirect(url_for('phone.show'))
