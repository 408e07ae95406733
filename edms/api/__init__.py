"""The JSON API under `/api/v1`: bearer-token authentication, JSON errors, the OpenAPI document."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Attach the API blueprint; it is exempt from CSRF because it accepts only bearer tokens, never cookies."""
    from edms.api.views import bp
    from edms.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
