"""The start page after login: an applicant's applications, an MFC operator's «одно окно», everyone else's card list."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from edms.auth.models import Role, User
from edms.web.session import current_user, login_required

bp = Blueprint('home', __name__)


@bp.get('/')
@login_required
def index() -> Response:
    return redirect(start_page(current_user()))


def start_page(user: User) -> str:
    if user.has_role(Role.applicant):
        return url_for('applications.index')
    if user.has_role(Role.mfc_operator):
        return url_for('applications.mfc')
    return url_for('cards.index')


@bp.get('/health')
def health() -> tuple[dict[str, str], int]:
    return {'status': 'ok'}, 200
