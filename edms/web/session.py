"""The web session: the cookie carries a random secret of a server-side session; `g.user` is its user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, redirect, request, url_for

from edms.auth.models import User
from edms.auth.sessions import load_session
from edms.core.tx import READ_METHODS, atomic, autocommit_reads

F = TypeVar('F', bound=Callable[..., Any])


def load_user() -> None:
    """Before each request: find the live session for the cookie and expose its user as `g.user`."""
    g.user, g.session = None, None
    raw = request.cookies.get(current_app.config['LOGIN_COOKIE_NAME'])
    if not raw:
        return
    with atomic(keep_loaded=True):
        session = load_session(raw)
    if session is not None:
        g.session, g.user = session, session.user
        if request.method in READ_METHODS:
            autocommit_reads()


def set_session_cookie(response: Response, token: str) -> None:
    config = current_app.config
    response.set_cookie(
        config['LOGIN_COOKIE_NAME'],
        token,
        max_age=config['SESSION_ABSOLUTE_HOURS'] * 3600,
        secure=config['SESSION_COOKIE_SECURE'],
        httponly=True,
        samesite=config['SESSION_COOKIE_SAMESITE'],
        path='/',
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(current_app.config['LOGIN_COOKIE_NAME'], path='/')


def current_user() -> User:
    """The logged-in user (views behind `login_required` only)."""
    user: User = g.user
    return user


def login_required(view: F) -> F:
    """Redirect anonymous visitors to the login page; force the password change after the first login."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get('user') is None:
            return redirect(url_for('auth.login', next=request.full_path if request.method == 'GET' else None))
        if g.user.must_change_password and request.endpoint not in ('auth.change_password', 'auth.logout'):
            return redirect(url_for('auth.change_password'))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
