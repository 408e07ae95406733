"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
#: A hash of a random password, verified when the login is unknown so that timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the hashing time, even without a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def policy_problem(password: str, login: str) -> str | None:
    """A Russian message when the password breaks the policy, else None."""
    if len(password) < MIN_LENGTH:
        return f'«Новый пароль»: не короче {MIN_LENGTH} символов.'
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        return '«Новый пароль»: должен содержать буквы и цифры.'
    if password.lower() == login.lower():
        return '«Новый пароль»: не должен совпадать с логином.'
    return None


def temporary_password() -> str:
    """A random initial password that meets the policy; the user must change it at first login."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = ''.join(secrets.choice(alphabet) for _ in range(12))
        if policy_problem(candidate, '') is None:
            return candidate
