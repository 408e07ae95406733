"""The administrator's pages: the `admin` blueprint, its start page, and the sub-modules that add their routes."""

from __future__ import annotations

from flask import Blueprint, render_template

from edms.directory.queries import get_organization
from edms.web.session import current_user

bp = Blueprint('admin', __name__, url_prefix='/admin')

from edms.web.views.admin.common import admin_required  # noqa: E402


@bp.get('/')
@admin_required
def index() -> str:
    """Links to every section: the own organization's for an administrator, all for a system administrator."""
    user = current_user()
    organization = get_organization(user, user.organization_id)
    return render_template('admin/index.html', organization=organization, is_system_admin=user.is_system_admin)


# The sub-modules register their routes on `bp` when imported.
from edms.web.views.admin import (  # noqa: E402, F401
    audit,
    calendar,
    casefiles,
    departments,
    exchange,
    journals,
    organizations,
    providers,
    tokens,
    trust,
    users,
)
