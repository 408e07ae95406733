"""Security headers on every response: CSP without inline scripts, frame denial, no caching of documents."""

from __future__ import annotations

from flask import Response, abort, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault('Content-Security-Policy', CSP)
    headers.setdefault('X-Frame-Options', 'DENY')
    headers.setdefault('X-Content-Type-Options', 'nosniff')
    headers.setdefault('Referrer-Policy', 'same-origin')
    headers.setdefault('Cross-Origin-Opener-Policy', 'same-origin')
    if current_app.config['SESSION_COOKIE_SECURE']:
        headers.setdefault('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
    if not request.path.startswith('/static/'):
        headers.setdefault('Cache-Control', 'no-store')
    return response


def refuse_nul_bytes() -> None:
    """A NUL byte in a query or form value is never a legitimate input and cannot be stored: refuse the request."""
    for values in (request.args, request.form) if request.method != 'GET' else (request.args,):
        for value in values.values():
            if '\x00' in value:
                abort(400)
