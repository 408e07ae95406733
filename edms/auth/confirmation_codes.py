"""Issuing and confirming one-time confirmation codes (models and rules in `edms.auth.confirmation`).

`issue_code` makes a new code for a user and purpose under the rate limit (one a minute, five an hour per user): the
row keeps its keyed hash and, for the delivery job, the digits sealed (`edms.auth.confirmation`);
`edms.notifications.sms.send_code` issues and delivers it, `wipe_sealed` forgets the sealed digits of dead codes.
`confirm_code` consumes the latest code of the user and purpose or raises `CodeRejected`. A wrong code is counted
before the error is raised: the entry point commits that count (it catches the error inside its transaction and
raises it after the commit), otherwise the rollback would give the guesser the attempt back. Both write an audit
entry without the code. `require_code_phone` holds a confirmed code to the phone the application itself names.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from edms.audit.operations import record
from edms.auth.confirmation import (
    LABEL,
    LIFETIME_SECONDS,
    MAX_ATTEMPTS,
    CodeRejected,
    ConfirmationCode,
    TooManyCodes,
    code_matches,
    hash_code,
    new_code,
    normalize_phone,
    read_code,
    read_purpose,
    same_phone,
    seal_code,
    shown_phone,
)
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.core.errors import ValidationFailed

RESEND_SECONDS = 60
HOURLY_LIMIT = 5
ASK_AGAIN = 'запросите новый код'


def issue_code(user: User, purpose: str, phone: str) -> ConfirmationCode:
    """A new code of `user` for `purpose` to `phone`, valid `LIFETIME_SECONDS` (10 minutes), its digits sealed for
    the delivery job; `TooManyCodes` when asked too often."""
    purpose, phone = read_purpose(purpose), normalize_phone(phone)
    now = utcnow()
    _lock(user)
    _check_rate(user, now)
    code = new_code()
    row = ConfirmationCode(
        user_id=user.id,
        purpose=purpose,
        phone=phone,
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + timedelta(seconds=LIFETIME_SECONDS),
        attempts=0,
    )
    db.session.add(row)
    db.session.flush()
    row.code_sealed = seal_code(row, code)
    db.session.flush()
    data = {'purpose': purpose, 'phone': masked(phone), 'expires_at': row.expires_at.isoformat()}
    record(user, 'confirmation_code.send', row, data)
    return row


def _lock(user: User) -> None:
    """Parallel requests of one user wait for each other, so that none slips past the rate limit."""
    if is_postgresql():
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _check_rate(user: User, now: datetime) -> None:
    hour_ago = now - timedelta(hours=1)
    query = select(ConfirmationCode.created_at).where(
        ConfirmationCode.user_id == user.id, ConfirmationCode.created_at > hour_ago
    )
    moments = sorted(db.session.scalars(query))
    waits = []
    if moments and (now - moments[-1]).total_seconds() < RESEND_SECONDS:
        waits.append(RESEND_SECONDS - (now - moments[-1]).total_seconds())
    if len(moments) >= HOURLY_LIMIT:
        waits.append((moments[-HOURLY_LIMIT] - hour_ago).total_seconds())
    if waits:
        raise TooManyCodes(int(max(waits)) + 1)


def latest_code(user: User, purpose: str, *, lock: bool = False) -> ConfirmationCode | None:
    """The code that counts for the user and purpose: the latest one, live or not."""
    query = (
        select(ConfirmationCode)
        .where(ConfirmationCode.user_id == user.id, ConfirmationCode.purpose == purpose)
        .order_by(ConfirmationCode.created_at.desc(), ConfirmationCode.id.desc())
        .limit(1)
    )
    if lock and is_postgresql():
        query = query.with_for_update()
    return db.session.scalars(query).first()


def confirm_code(user: User, purpose: str, code: str, *, field: str = 'code') -> ConfirmationCode:
    """Consume the user's latest live code for `purpose` when `code` matches it; otherwise `CodeRejected` (its message
    on `field`) after counting a wrong attempt (see the module docstring about committing it)."""
    value = read_code(code, field=field)
    row = latest_code(user, read_purpose(purpose), lock=True)
    now = utcnow()
    problem = _dead(row, now)
    if problem is None and row is not None and not code_matches(row, value):
        row.attempts += 1
        db.session.flush()
        problem = _wrong(row.attempts_left)
    if problem is not None or row is None:
        reason = problem or ASK_AGAIN
        record(user, 'confirmation_code.reject', row, {'purpose': purpose, 'reason': reason})
        raise CodeRejected(f'{LABEL}: {reason}.', field=field)
    row.used_at, row.code_sealed = now, None
    db.session.flush()
    record(user, 'confirmation_code.confirm', row, {'purpose': purpose, 'phone': masked(row.phone)})
    return row


def _dead(row: ConfirmationCode | None, now: datetime) -> str | None:
    if row is None:
        return f'код не запрашивался — {ASK_AGAIN}'
    if row.used_at is not None:
        return f'код уже использован — {ASK_AGAIN}'
    if row.attempts_left == 0:
        return f'попытки ввода исчерпаны — {ASK_AGAIN}'
    if now >= row.expires_at:
        return f'срок действия кода истёк — {ASK_AGAIN}'
    return None


def _wrong(left: int) -> str:
    if left == 0:
        return f'неверный код; попытки ввода исчерпаны — {ASK_AGAIN}'
    return f'неверный код, {"осталась 1 попытка" if left == 1 else f"осталось {left} попытки"}'


def require_code_phone(row: ConfirmationCode, contact: object, field: str, label: str) -> None:
    """`ValidationFailed` on `field` when the application names a contact phone (`contact`, as typed) other than the
    phone the confirmed code was sent to; nothing when it names none (or no number: its own check says so)."""
    if same_phone(row.phone, contact) is False:
        message = (
            f'«{label}»: код подтверждения отправлен на {shown_phone(row.phone)}, а в заявлении указан другой '
            'телефон — запросите код на телефон из заявления.'
        )
        raise ValidationFailed(fields={field: message})


def wipe_sealed(now: datetime) -> int:
    """Forget the sealed digits of every dead code (expired, used or out of attempts); the number of codes wiped."""
    dead = or_(
        ConfirmationCode.expires_at <= now,
        ConfirmationCode.used_at.is_not(None),
        ConfirmationCode.attempts >= MAX_ATTEMPTS,
    )
    query = update(ConfirmationCode).where(ConfirmationCode.code_sealed.is_not(None), dead).values(code_sealed=None)
    wiped = db.session.execute(query.execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return int(wiped or 0)


def masked(phone: str) -> str:
    """'+79123456789' as '+7 912 ***-**-89' (journal entries and logs)."""
    return f'+7 {phone[2:5]} ***-**-{phone[-2:]}'
