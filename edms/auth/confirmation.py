"""One-time confirmation codes (the «код из СМС» of portals): the stored code, its keyed hash, the sealed digits
awaiting delivery, the phone it goes to and the errors a user meets confirming it. The operations are in
`edms.auth.confirmation_codes`; the delivery (an SMS gateway, or the development delivery in the app when allowed)
is `edms.notifications.sms`.

What is stored where. A code is 6 digits, so a plain hash could be reversed by trying all million values: the row
keeps HMAC-SHA256(SECRET_KEY, salt + code) with a random salt of its own (`code_hash`), which is what a typed code is
checked against. Until the SMS is handed over, the row also keeps the digits sealed with AES-GCM (`code_sealed`)
under a key derived from SECRET_KEY by HKDF-SHA256 (a key of its own, not the HMAC key), bound to the row's id and
phone; the delivery job receives only the row's id, so Redis and the worker's log never see the digits. The sealed
digits are wiped once delivered, once delivery has failed for good, and once the code is dead (expired, used or out
of attempts: the sweep `edms.notifications.sms.wipe_dead_codes`). The plain code exists only in the memory of the
request that made it and of the job that sends it, and in the SMS (or the development notification).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.core.errors import DomainError, ValidationFailed

CODE_DIGITS = 6
#: Seed 003 (/work/shared/seeds/003_8cdd6fbf385a2a48.txt, «Подтверждение личности через СМС»): «Код действителен
#: 10 минут».
LIFETIME_SECONDS = 10 * 60
#: Wrong codes a code survives: the third wrong attempt kills it.
MAX_ATTEMPTS = 3
PURPOSE_MAX = 100
ERROR_MAX = 500
LABEL = '«Код подтверждения»'
PHONE_LABEL = '«Номер телефона»'
_SEPARATORS = re.compile(r'[\s()\-]')
_PURPOSE = re.compile(r'[a-z][a-z0-9_]*(:[a-z0-9_]+)*')
_SEAL_INFO = b'edms auth_confirmation_codes delivery seal'
_NONCE = 12


class ConfirmationCode(CreatedAtMixin, db.Model):
    """A code sent to a user's phone for one purpose ('application:taxpayer_cabinet'); only the latest of a user and
    purpose counts. `delivered_at`/`delivery_error` tell what became of the SMS."""

    __tablename__ = 'auth_confirmation_codes'
    __table_args__ = (Index('ix_auth_confirmation_codes_user_id_purpose', 'user_id', 'purpose'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), nullable=False)
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX), nullable=False)
    #: E.164: '+7' and 10 digits.
    phone: Mapped[str] = mapped_column(String(16), nullable=False)
    #: 'salt$hex HMAC-SHA256' (see the module docstring).
    code_hash: Mapped[str] = mapped_column(String(100), nullable=False)
    #: The digits sealed for the delivery job (AES-GCM, see the module docstring); None once delivered or dead.
    code_sealed: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: Wrong codes entered so far.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: 'gateway' or 'development' once delivered.
    delivered_via: Mapped[str | None] = mapped_column(String(20))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_error: Mapped[str | None] = mapped_column(String(ERROR_MAX))

    user: Mapped[User] = relationship()

    @property
    def attempts_left(self) -> int:
        return max(MAX_ATTEMPTS - self.attempts, 0)

    def is_live(self, now: datetime) -> bool:
        return self.used_at is None and self.attempts < MAX_ATTEMPTS and now < self.expires_at


class CodeRejected(ValidationFailed):
    """The code was wrong, expired, used or never requested; the message says what to do (`fields['code']`)."""

    code = 'confirmation_code_rejected'

    def __init__(self, message: str, *, field: str = 'code') -> None:
        super().__init__(message, fields={field: message})


class TooManyCodes(DomainError):
    """A new code was requested too soon; `retry_after` is the number of seconds to wait."""

    code = 'too_many_codes'
    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(int(retry_after), 1)
        super().__init__(f'{LABEL}: новый код можно запросить через {wait_words(self.retry_after)}.')


def wait_words(seconds: int) -> str:
    """'45 с', '3 мин 5 с', '12 мин'."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f'{rest} с'
    return f'{minutes} мин {rest} с' if rest else f'{minutes} мин'


def new_code() -> str:
    return ''.join(secrets.choice('0123456789') for _ in range(CODE_DIGITS))


def hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    key = str(current_app.config['SECRET_KEY']).encode('utf-8')
    digest = hmac.new(key, f'{salt}:{code}'.encode(), hashlib.sha256).hexdigest()
    return f'{salt}${digest}'


def code_matches(row: ConfirmationCode, code: str) -> bool:
    salt = row.code_hash.partition('$')[0]
    return hmac.compare_digest(row.code_hash, hash_code(code, salt))


def _sealing_key() -> AESGCM:
    secret = str(current_app.config['SECRET_KEY']).encode('utf-8')
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(secret))


def _bound_to(row: ConfirmationCode) -> bytes:
    """The associated data: a sealed code opens only for its own row and phone."""
    return f'{row.id}:{row.phone}'.encode()


def seal_code(row: ConfirmationCode, code: str) -> str:
    """The code sealed for the delivery job of `row` (flushed: its id is part of the seal)."""
    nonce = os.urandom(_NONCE)
    sealed = nonce + _sealing_key().encrypt(nonce, code.encode(), _bound_to(row))
    return base64.urlsafe_b64encode(sealed).decode('ascii')


def unseal_code(row: ConfirmationCode) -> str | None:
    """The plain code kept sealed in `row`; None when wiped, or when it cannot be opened (SECRET_KEY changed)."""
    if not row.code_sealed:
        return None
    try:
        raw = base64.urlsafe_b64decode(row.code_sealed)
        code = _sealing_key().decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(row)).decode()
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return code if code_matches(row, code) else None


def read_code(raw: object, *, field: str = 'code') -> str:
    """The typed code without spaces, or `CodeRejected` (its message on `field`) when it is not 6 digits."""
    value = re.sub(r'\s', '', raw if isinstance(raw, str) else '')
    if not value:
        raise CodeRejected(f'{LABEL}: введите код из СМС.', field=field)
    if len(value) != CODE_DIGITS or not (value.isascii() and value.isdigit()):
        raise CodeRejected(f'{LABEL}: код состоит из {CODE_DIGITS} цифр.', field=field)
    return value


def normalize_phone(raw: object, field: str = 'phone') -> str:
    """A Russian mobile number as '+79XXXXXXXXX' (8 9XX … and separators accepted), or `ValidationFailed`."""
    value = _plus_seven(raw)
    rest = value[2:]
    if not (value.startswith('+79') and rest.isascii() and rest.isdigit() and len(rest) == 10):
        message = f'{PHONE_LABEL}: мобильный номер в формате +7 9XX XXX-XX-XX.'
        raise ValidationFailed(fields={field: message})
    return value


def _plus_seven(raw: object) -> str:
    """The typed number without separators, 8 XXX … read as +7 XXX …"""
    value = _SEPARATORS.sub('', raw if isinstance(raw, str) else '')
    return '+7' + value[1:] if value.startswith('8') and len(value) == 11 else value


def same_phone(phone: str, raw: object) -> bool | None:
    """Whether the typed number `raw` (any Russian format) is the E.164 `phone`; None when `raw` is no number."""
    value = _plus_seven(raw)
    rest = value[2:]
    if not (value.startswith('+7') and rest.isascii() and rest.isdigit() and len(rest) == 10):
        return None
    return value == phone


def shown_phone(phone: str) -> str:
    """'+79123456789' as '+7 912 345-67-89'."""
    rest = phone[2:]
    return f'+7 {rest[:3]} {rest[3:6]}-{rest[6:8]}-{rest[8:]}'


def read_purpose(raw: object, field: str = 'purpose') -> str:
    value = raw.strip() if isinstance(raw, str) else ''
    if not value or len(value) > PURPOSE_MAX or not _PURPOSE.fullmatch(value):
        raise ValidationFailed(fields={field: '«Назначение кода»: например application:taxpayer_cabinet.'})
    return value
