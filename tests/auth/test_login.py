"""Local login: argon2 passwords, every attempt journaled, lockout, forced change, revocable server-side sessions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.auth.models import ApiToken, User, UserSession
from edms.auth.operations import authenticate_token, create_api_token, revoke_api_token
from edms.auth.passwords import verify_password
from edms.auth.sessions import load_session, login, token_hash
from edms.core.access import SYSTEM
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from tests.factories import PASSWORD, make_organization, make_user


@pytest.fixture
def user(app_ctx):
    with atomic():
        organization = make_organization()
        account = make_user(organization, 'clerk', login='ivanov')
    return account


def attempt(user, password, org_id=None):
    with atomic():
        return login(org_id or user.organization_id, user.login, password, '127.0.0.1', 'pytest')


def actions():
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_password_is_stored_as_argon2_hash(user):
    assert user.password_hash.startswith('$argon2id$')
    assert PASSWORD not in user.password_hash


def test_every_attempt_is_journaled(user):
    assert not attempt(user, 'wrong').ok
    assert attempt(user, PASSWORD).ok
    with atomic():
        login(user.organization_id, 'nobody', 'x')
    assert actions()[-3:] == ['auth.login.failure', 'auth.login.success', 'auth.login.failure']


def test_unknown_user_and_wrong_password_get_the_same_message(user):
    wrong = attempt(user, 'wrong')
    with atomic():
        unknown = login(user.organization_id, 'nobody', PASSWORD)
    assert wrong.error.message == unknown.error.message == 'Неверная организация, логин или пароль.'


def test_login_is_bound_to_the_organization(user):
    with atomic():
        other = make_organization()
    assert not attempt(user, PASSWORD, org_id=other.id).ok


def test_lockout_after_repeated_failures_even_with_the_right_password(app, user):
    for _ in range(app.config['LOGIN_MAX_FAILURES']):
        assert not attempt(user, 'wrong').ok
    result = attempt(user, PASSWORD)
    assert result.error.code == 'account_locked'
    assert actions()[-1] == 'auth.login.locked'
    with atomic():
        db.session.refresh(user)
        user.locked_until = utcnow() - timedelta(seconds=1)
    assert attempt(user, PASSWORD).ok


def test_session_is_stored_hashed_and_can_be_revoked(user):
    result = attempt(user, PASSWORD)
    stored = db.session.execute(select(UserSession)).scalar_one()
    assert stored.token_hash == token_hash(result.token) != result.token
    with atomic():
        assert load_session(result.token).user_id == user.id
        stored.revoked_at = utcnow()
    with atomic():
        assert load_session(result.token) is None


def test_idle_session_expires(app, user):
    result = attempt(user, PASSWORD)
    with atomic():
        stored = db.session.execute(select(UserSession)).scalar_one()
        stored.last_seen_at = utcnow() - timedelta(minutes=app.config['SESSION_IDLE_MINUTES'] + 1)
    with atomic():
        assert load_session(result.token) is None


def test_deactivated_user_loses_the_session(user):
    result = attempt(user, PASSWORD)
    with atomic():
        db.session.refresh(user)
        user.is_active = False
    with atomic():
        assert load_session(result.token) is None


def test_api_token_is_hashed_and_revocable(user):
    with atomic():
        token, raw = create_api_token(SYSTEM, user, 'Интеграция')
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert stored.token_hash == token_hash(raw)
    assert raw not in stored.token_hash
    with atomic():
        assert authenticate_token(raw).user.id == user.id
        revoke_api_token(SYSTEM, db.session.get(ApiToken, token.id))
    from edms.auth.errors import LoginFailed

    with pytest.raises(LoginFailed), atomic():
        authenticate_token(raw)


def test_first_login_forces_a_password_change_in_the_browser(client, user):
    with atomic():
        db.session.refresh(user)
        user.must_change_password = True
    client.post('/login', data={'organization_id': user.organization_id, 'login': 'ivanov', 'password': PASSWORD})
    response = client.get('/cards/')
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/password')
    response = client.post(
        '/password',
        data={'current_password': PASSWORD, 'new_password': 'Another2027x', 'repeat_password': 'Another2027x'},
    )
    assert response.status_code == 302
    assert client.get('/cards/').status_code == 200


def test_weak_new_password_is_refused_with_the_rule(client, user):
    client.post('/login', data={'organization_id': user.organization_id, 'login': 'ivanov', 'password': PASSWORD})
    response = client.post(
        '/password', data={'current_password': PASSWORD, 'new_password': 'short', 'repeat_password': 'short'}
    )
    assert response.status_code == 422
    assert 'не короче 8 символов' in response.get_data(as_text=True)


def test_wrong_current_passwords_count_towards_the_lockout(client, user, app):
    """Guessing the password through the change form of an open session locks the account as guessing at the login
    does; the password stays unchanged."""
    client.post('/login', data={'organization_id': user.organization_id, 'login': 'ivanov', 'password': PASSWORD})
    wrong = {'current_password': 'Guess2026xx', 'new_password': 'Another2027x', 'repeat_password': 'Another2027x'}
    response = client.post('/password', data=wrong)
    assert response.status_code == 422
    assert '«Текущий пароль»: пароль указан неверно.' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 1
    for _ in range(app.config['LOGIN_MAX_FAILURES'] - 1):
        client.post('/password', data=wrong)
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    assert locked.locked_until is not None
    assert verify_password(locked.password_hash, PASSWORD)


def test_logout_revokes_the_server_side_session(client, user):
    client.post('/login', data={'organization_id': user.organization_id, 'login': 'ivanov', 'password': PASSWORD})
    assert client.get('/cards/').status_code == 200
    client.post('/logout')
    assert db.session.execute(select(UserSession.revoked_at)).scalar_one() is not None
    assert client.get('/cards/').status_code == 302


def test_security_headers_are_set(client):
    response = client.get('/login')
    csp = response.headers['Content-Security-Policy']
    assert "script-src 'self'" in csp
    assert 'unsafe-inline' not in csp
    assert response.headers['X-Frame-Options'] == 'DENY'
    assert response.headers['X-Content-Type-Options'] == 'nosniff'


def test_a_header_the_view_set_is_kept_and_each_header_is_sent_once(app, monkeypatch):
    from flask import Response

    from edms.web.security import add_security_headers

    monkeypatch.setitem(app.config, 'SESSION_COOKIE_SECURE', True)
    with app.test_request_context('/cards/1/attachments/2'):
        own = Response('x', headers={'cache-control': 'private, max-age=60', 'X-Frame-Options': 'SAMEORIGIN'})
        headers = add_security_headers(own).headers
    assert headers.getlist('Cache-Control') == ['private, max-age=60']
    assert headers.getlist('X-Frame-Options') == ['SAMEORIGIN']
    assert headers.getlist('Referrer-Policy') == ['same-origin']
    assert headers['Strict-Transport-Security'].startswith('max-age=')
    with app.test_request_context('/static/app.css'):
        assert 'Cache-Control' not in add_security_headers(Response('x')).headers


def test_an_organization_admin_cannot_manage_a_system_administrator(app_ctx):
    from edms.auth.operations import reset_password
    from edms.auth.queries import get_user
    from edms.core.errors import NotFound

    with atomic():
        organization = make_organization()
        operator = make_user(organization, 'administrator', is_system_admin=True)
        local_admin = make_user(organization, 'administrator')
    with pytest.raises(NotFound):
        get_user(local_admin, operator.id)
    with pytest.raises(NotFound), atomic():
        reset_password(local_admin, operator)


def test_users_of_a_disconnected_organization_cannot_log_in(user):
    with atomic():
        db.session.refresh(user)
        user.organization.is_active = False
    assert not attempt(user, PASSWORD).ok


def test_a_locked_account_tells_only_the_right_password_that_it_is_locked(app, user):
    for _ in range(app.config['LOGIN_MAX_FAILURES']):
        attempt(user, 'wrong')
    assert attempt(user, 'wrong').error.code == 'login_failed'
    assert attempt(user, PASSWORD).error.code == 'account_locked'
