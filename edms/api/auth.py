"""Bearer-token authentication of the API: `Authorization: Bearer <token>` only, never the session cookie.

The acting user is the token's user, exposed as `flask.g.api_user`. The forced password change of the web login
does not apply to tokens: a token is issued by an administrator for a script or a partner system.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request

from edms.auth.errors import LoginFailed
from edms.auth.models import User
from edms.auth.operations import authenticate_token, note_token_use, token_use_is_due
from edms.core.errors import error_payload
from edms.core.tx import READ_METHODS, atomic, autocommit_reads

#: Endpoints that answer without a token: the API description.
PUBLIC_ENDPOINTS = frozenset({'api.openapi'})
MISSING_TOKEN = 'Требуется токен доступа: передайте заголовок «Authorization: Bearer <токен>».'


def authenticate() -> Response | None:
    """Before each API request: find the token's user or answer 401 with `WWW-Authenticate: Bearer`."""
    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.method in READ_METHODS:
        autocommit_reads()
    raw = bearer_token(request.headers.get('Authorization', ''))
    if raw is None:
        return unauthorized(MISSING_TOKEN)
    try:
        token = authenticate_token(raw)
    except LoginFailed as error:
        return unauthorized(error.message)
    # The lookup stays in the request's own transaction; only the once-a-minute use mark needs a commit of its own.
    if token_use_is_due(token):
        with atomic(keep_loaded=True):
            note_token_use(token)
    g.api_user = token.user
    return None


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer …` header; None for any other scheme or an empty value."""
    scheme, _, value = header.strip().partition(' ')
    value = value.strip()
    if scheme.lower() != 'bearer' or not value:
        return None
    return value


def unauthorized(message: str) -> Response:
    response = jsonify(error_payload('unauthorized', message))
    response.status_code = 401
    response.headers['WWW-Authenticate'] = 'Bearer realm="edms"'
    return response


def api_user() -> User:
    """The user the request's token acts for (set by `authenticate`)."""
    user: User = g.api_user
    return user
