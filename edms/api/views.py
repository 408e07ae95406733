"""The API blueprint assembled: endpoint modules attach their routes to `bp` on import; the OpenAPI document."""

from __future__ import annotations

from flask import Response, jsonify

from edms.api import (  # noqa: F401  (routes register on import)
    applications,
    attachments,
    cards,
    complaints,
    confirmation_codes,
    directory,
    dispatches,
    exchange,
    interagency,
    legal_cabinets,
    notifications,
    phone,
    resolutions,
    routing,
    signatures,
    stay,
)
from edms.api.blueprint import bp
from edms.api.openapi import document

__all__ = ['bp']


@bp.get('/openapi.json')
def openapi() -> Response:
    """The OpenAPI 3.0.3 description of this API; answered without a token."""
    return jsonify(document())
