"""Registration cards in the browser (placeholder until the pages land)."""

from __future__ import annotations

from flask import Blueprint

from edms.web.session import login_required

bp = Blueprint('cards', __name__, url_prefix='/cards')


@bp.get('/')
@login_required
def index() -> str:
    return 'cards'


@bp.get('/new')
@login_required
def new() -> str:
    return 'new'
