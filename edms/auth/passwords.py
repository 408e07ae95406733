"""Password hashing (argon2id) and the password policy.

New hashes take their argon2id parameters from `PASSWORD_HASHING` (argon2-cffi's defaults when it is empty: RFC 9106's
second recommendation, t=3, 64 MiB, p=4); a hash carries its own parameters, so hashes made with other ones still
verify, and a login replaces such a hash (`needs_rehash`). Outside testing the parameters may not go below OWASP's
floor for argon2id; the test suite uses the smallest ones the algorithm allows, since every test account is hashed.
"""

from __future__ import annotations

import functools
import secrets
import string
from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import HashingError, InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 8
PARAMETERS = ('time_cost', 'memory_cost', 'parallelism')
#: The weakest argon2id parameters accepted outside testing (memory in KiB): OWASP's m=19 MiB, t=2, p=1 option.
FLOOR = {'time_cost': 2, 'memory_cost': 19 * 1024, 'parallelism': 1}
#: The strongest accepted: beyond these a login would take seconds or exhaust a worker's memory.
CEILING = {'time_cost': 16, 'memory_cost': 1024 * 1024, 'parallelism': 16}


def check_parameters(config: Mapping[str, Any]) -> None:
    """Refuse a `PASSWORD_HASHING` setting that names an unknown parameter, is not a positive integer, goes above
    `CEILING`, or below `FLOOR` outside testing, or that argon2 itself cannot hash with (a ValueError at start, naming
    the setting). The hash of unknown logins is made here, so that no login is the first to pay for it."""
    parameters = config.get('PASSWORD_HASHING') or {}
    if not isinstance(parameters, Mapping):
        raise ValueError('PASSWORD_HASHING must be a mapping of argon2id parameters')
    for name, value in parameters.items():
        if name not in PARAMETERS:
            raise ValueError(f'PASSWORD_HASHING: unknown argon2id parameter {name!r} (known: {", ".join(PARAMETERS)})')
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f'PASSWORD_HASHING: {name} must be a positive integer')
        if value > CEILING[name]:
            raise ValueError(f'PASSWORD_HASHING: {name}={value} is above the maximum {CEILING[name]}')
        if value < FLOOR[name] and not config.get('TESTING'):
            raise ValueError(f'PASSWORD_HASHING: {name}={value} is below the minimum {FLOOR[name]} outside testing')
    try:
        _dummy_hash(_hasher_for(parameters))
    except HashingError as error:  # e.g. less than 8 KiB of memory per lane
        raise ValueError(f'PASSWORD_HASHING: argon2id cannot hash with {dict(parameters)}: {error}') from None


def _hasher() -> PasswordHasher:
    """The hasher of new hashes for the current application's settings."""
    return _hasher_for((current_app.config.get('PASSWORD_HASHING') if has_app_context() else None) or {})


def _hasher_for(parameters: Mapping[str, int]) -> PasswordHasher:
    return _hasher_with(tuple(sorted(parameters.items())))


@functools.cache
def _hasher_with(parameters: tuple[tuple[str, int], ...]) -> PasswordHasher:
    return PasswordHasher(**dict(parameters))


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password with the hasher's parameters, verified when the login is unknown so that timing
    does not reveal it."""
    return hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the hashing time, even without a hash."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a verified hash was made with other parameters than new hashes get now."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


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
