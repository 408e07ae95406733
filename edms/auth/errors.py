"""Errors of authentication and user management."""

from edms.core.errors import DomainError, ValidationFailed


class LoginFailed(DomainError):
    """Wrong organization, login or password; deliberately does not say which."""

    code = 'login_failed'
    status = 401
    message = 'Неверная организация, логин или пароль.'


class AccountLocked(DomainError):
    """Too many failed attempts: the account is locked for a while."""

    code = 'account_locked'
    status = 423
    message = 'Учётная запись временно заблокирована после неудачных попыток входа. Повторите позже.'


class WeakPassword(ValidationFailed):
    """The new password does not meet the policy."""

    code = 'weak_password'


class CurrentPasswordWrong(WeakPassword):
    """The current password given to change it was wrong: counted towards the account's lockout, so the caller
    commits before reporting (as for a wrong confirmation code)."""
