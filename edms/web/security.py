"""Security headers on every response: CSP without inline scripts, frame denial, no caching of documents."""

from __future__ import annotations

from flask import Response, current_app, request

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
