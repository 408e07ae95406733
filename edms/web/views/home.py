"""The start page: after login, the card list."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from edms.web.session import login_required

bp = Blueprint('home', __name__)


@bp.get('/')
@login_required
def index() -> Response:
    return redirect(url_for('cards.index'))


@bp.get('/health')
def health() -> tuple[dict[str, str], int]:
    return {'status': 'ok'}, 200
