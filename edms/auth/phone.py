"""The account's own confirmed mobile phone («Мой телефон»): the one-time codes that confirm the account's own actions
(a staff change of a legal entity's cabinet) go to it, never to a number typed next to the action — a number typed
there proves nothing, whoever holds the session could type their own.

Setting it takes two steps: `phone_to_confirm` checks the typed number and gives the purpose of its code
(`phone:confirm:<10 digits>`, bound to that number); the entry point sends the code with
`edms.notifications.sms.send_code` (a layer above this one); `confirm_phone` consumes the code for exactly that
number and stores it as confirmed. Until then the account keeps its previous confirmed phone: a number not confirmed
is never stored. `remove_phone` forgets it. Codes are the account's own (`confirm_code` reads the latest code of the
user), so another account's code confirms nothing. A wrong code is counted before `CodeRejected` is raised: the
entry point commits that count and raises the error after the commit (as `edms.auth.confirmation_codes` says).
Every change is journaled with the masked numbers, never the code.

Setting a number also asks for the account's password: the phone is where the account's confirmations go, so holding
a session (a computer left unlocked, a stolen cookie) must not be enough to put one's own number there. A wrong
password counts towards the account's lockout like a wrong login, and is committed like a wrong code.
"""

from __future__ import annotations

from edms.audit.operations import record
from edms.auth.confirmation import CodeRejected, normalize_phone, read_code
from edms.auth.confirmation_codes import ASK_AGAIN, confirm_code, masked
from edms.auth.models import User
from edms.auth.passwords import verify_password
from edms.auth.sessions import register_failure
from edms.core.db import db
from edms.core.errors import ValidationFailed

PHONE_FIELD, CODE_FIELD, PASSWORD_FIELD = 'phone', 'code', 'password'
PASSWORD_LABEL = '«Пароль учётной записи»'
NO_PASSWORD = f'{PASSWORD_LABEL}: введите пароль, которым вы входите в систему.'
PHONE_LABEL = '«Номер телефона»'
PURPOSE_PREFIX = 'phone:confirm:'
ALREADY = f'{PHONE_LABEL}: этот номер уже подтверждён для вашей учётной записи.'
REQUIRED = f'{PHONE_LABEL}: введите номер мобильного телефона.'


def phone_purpose(phone: str) -> str:
    """The purpose of a code confirming the E.164 `phone` ('+79123456789' → 'phone:confirm:9123456789')."""
    return f'{PURPOSE_PREFIX}{phone[2:]}'


def confirmed_phone(user: User) -> str | None:
    """The account's confirmed phone (E.164), or None."""
    return user.phone if user.phone and user.phone_confirmed_at is not None else None


def read_phone(raw: object, field: str = PHONE_FIELD) -> str:
    """The typed mobile number as '+79XXXXXXXXX', or `ValidationFailed` on `field`."""
    if not (isinstance(raw, str) and raw.strip()):
        raise ValidationFailed(fields={field: REQUIRED})
    return normalize_phone(raw, field)


def phone_to_confirm(user: User, raw: object, field: str = PHONE_FIELD) -> tuple[str, str]:
    """The typed number (E.164) and the purpose of the code that confirms it; `ValidationFailed` on `field` when it
    is not a mobile number or is already the account's confirmed phone."""
    phone = read_phone(raw, field)
    if phone == confirmed_phone(user):
        raise ValidationFailed(fields={field: ALREADY})
    return phone, phone_purpose(phone)


def confirm_phone(user: User, raw_phone: object, code: object, password: object, *, field: str = CODE_FIELD) -> User:
    """Store `raw_phone` as the account's confirmed phone once `password` is the account's and `code` is the live code
    sent to the number for the account. A missing password and a code of the wrong shape are named together
    (`ValidationFailed`); a wrong password or code is `CodeRejected` on its field, counted first."""
    phone = read_phone(raw_phone)
    typed = code if isinstance(code, str) else ''
    _require_both(typed, password, field)
    check_password(user, password)
    row = confirm_code(user, phone_purpose(phone), typed, field=field)
    if row.phone != phone:  # the purpose names the number; this only guards against a purpose reused elsewhere
        raise CodeRejected(f'«Код подтверждения»: код отправлен на другой номер — {ASK_AGAIN}.', field=field)
    before = confirmed_phone(user)
    user.phone, user.phone_confirmed_at = phone, row.used_at
    db.session.flush()
    data = {'phone': masked(phone), 'before': masked(before) if before else None, 'code_id': row.id}
    record(user, 'user.phone_confirm', user, data)
    return user


def _require_both(code: str, password: object, field: str) -> None:
    problems = {}
    try:
        read_code(code, field=field)
    except CodeRejected as error:
        problems.update(error.fields)
    if not (isinstance(password, str) and password):
        problems[PASSWORD_FIELD] = NO_PASSWORD
    if problems:
        raise ValidationFailed(fields=problems)


def check_password(user: User, password: object) -> None:
    """`CodeRejected` on the password field unless `password` is the account's; a wrong one counts towards the
    account's lockout like a wrong login (the caller commits that, as for a wrong code)."""
    if not (isinstance(password, str) and verify_password(user.password_hash, password)):
        register_failure(user)
        db.session.flush()
        raise CodeRejected(f'{PASSWORD_LABEL}: пароль указан неверно.', field=PASSWORD_FIELD)


def remove_phone(user: User) -> bool:
    """Forget the account's confirmed phone; False (and nothing journaled) when it has none."""
    before = confirmed_phone(user) or user.phone
    if before is None:
        return False
    user.phone, user.phone_confirmed_at = None, None
    db.session.flush()
    record(user, 'user.phone_remove', user, {'before': masked(before)})
    return True
