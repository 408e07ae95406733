"""The API blueprint object and its request hooks; endpoint modules attach their routes to `bp`."""

from __future__ import annotations

from flask import Blueprint

from edms.api.auth import authenticate

bp = Blueprint('api', __name__, url_prefix='/api/v1')
bp.before_request(authenticate)
