"""Administration pages (placeholder until the pages land)."""

from __future__ import annotations

from flask import Blueprint

from edms.web.session import login_required

bp = Blueprint('admin', __name__, url_prefix='/admin')


@bp.get('/')
@login_required
def index() -> str:
    return 'admin'
