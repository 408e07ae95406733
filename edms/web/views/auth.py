"""Login by organization + login + password, logout, the forced password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, make_response, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from edms.auth.errors import CurrentPasswordWrong
from edms.auth.operations import change_password as change_own_password
from edms.auth.sessions import login as check_login
from edms.auth.sessions import logout as end_session
from edms.auth.sessions import organizations_for_login
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic, atomic_keeping
from edms.core.validation import is_id
from edms.web.session import clear_session_cookie, current_user, login_required, set_session_cookie

bp = Blueprint('auth', __name__)


@bp.route('/login', methods=['GET', 'POST'])
def login() -> Response | str | tuple[str, int]:
    values = {'organization_id': request.form.get('organization_id', ''), 'login': request.form.get('login', '')}
    error = None
    if request.method == 'POST':
        org_id = values['organization_id']
        with atomic():
            result = check_login(
                int(org_id) if is_id(org_id) else None,
                values['login'],
                request.form.get('password', ''),
                request.remote_addr or '',
                request.user_agent.string,
            )
        if result.ok and result.token:
            session.clear()  # nothing of the previous visitor's cookie session (CSRF secret, messages) carries over
            response = redirect(_safe_next(request.args.get('next')))
            set_session_cookie(response, result.token)
            return response
        error = result.error.message if result.error else None
    page = render_template('auth/login.html', organizations=organizations_for_login(), values=values, error=error)
    return (page, 401) if error else page


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if target and target.startswith('/') and not target.startswith('//') and not urlsplit(target).netloc:
        return target
    return url_for('home.index')


@bp.post('/logout')
@login_required
def logout() -> Response:
    with atomic():
        end_session(g.session)
    session.clear()
    response = make_response(redirect(url_for('auth.login')))
    clear_session_cookie(response)
    return response


@bp.route('/password', methods=['GET', 'POST'])
@login_required
def change_password() -> Response | str | tuple[str, int]:
    errors: dict[str, str] = {}
    if request.method == 'POST':
        try:
            with atomic_keeping(CurrentPasswordWrong):  # its count towards the lockout is committed
                change_own_password(
                    current_user(),
                    request.form.get('current_password', ''),
                    request.form.get('new_password', ''),
                    request.form.get('repeat_password', ''),
                    keep_session_id=g.session.id,
                )
            return redirect(url_for('cards.index'))
        except ValidationFailed as error:
            errors = error.fields
    page = render_template('auth/password.html', errors=errors, forced=current_user().must_change_password)
    return (page, 422) if errors else page
