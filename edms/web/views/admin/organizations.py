"""Organizations: the list, the page of one organization with its sections, connecting and editing requisites."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.access import require_system_admin
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.directory.models import ORGANIZATION_KIND_LABELS
from edms.directory.operations import create_organization, update_organization
from edms.directory.queries import list_organizations
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required, administered_organization, form_page, form_values, read_form

ORGANIZATION_FORM = ('name', 'short_name', 'kind', 'ogrn', 'inn', 'kpp', 'address', 'email', 'medo_id')
KIND_OPTIONS = [(kind.value, label) for kind, label in ORGANIZATION_KIND_LABELS.items()]


@bp.get('/organizations/')
@admin_required
def organizations() -> str:
    """All organizations for a system administrator, the own one for an organization's administrator."""
    user = current_user()
    return render_template(
        'admin/organizations.html', organizations=list_organizations(user), is_system_admin=user.is_system_admin
    )


@bp.get('/organizations/<int:org_id>/')
@admin_required
def organization(org_id: int) -> str:
    return render_template('admin/organization.html', organization=administered_organization(org_id))


@bp.route('/organizations/new', methods=['GET', 'POST'])
@admin_required
def new_organization() -> Response | str | tuple[str, int]:
    """Connect a new organization (system administrator only)."""
    actor = current_user()
    require_system_admin(actor)
    values: dict[str, Any] = {'is_active': True}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(ORGANIZATION_FORM, booleans=('is_active',))
        try:
            with atomic():
                created = create_organization(actor, values)
                org_id = created.id
            flash(f'Организация «{values["short_name"]}» подключена.', 'success')
            return redirect(url_for('admin.organization', org_id=org_id))
        except ValidationFailed as error:
            errors = error.fields
    return form_page(
        'admin/organization_form.html', errors, values=values, organization=None, kinds=KIND_OPTIONS, with_active=True
    )


@bp.route('/organizations/<int:org_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_organization(org_id: int) -> Response | str | tuple[str, int]:
    """Requisites of an organization; only a system administrator switches the connection on or off."""
    actor = current_user()
    organization = administered_organization(org_id)
    values = form_values(organization, (*ORGANIZATION_FORM, 'is_active'))
    errors: dict[str, str] = {}
    if request.method == 'POST':
        booleans = ('is_active',) if actor.is_system_admin else ()
        values = read_form(ORGANIZATION_FORM, booleans=booleans)
        try:
            with atomic():
                update_organization(actor, organization, values)
            flash('Реквизиты организации сохранены.', 'success')
            return redirect(url_for('admin.organization', org_id=org_id))
        except ValidationFailed as error:
            errors = error.fields
    return form_page(
        'admin/organization_form.html',
        errors,
        values=values,
        organization=organization,
        kinds=KIND_OPTIONS,
        with_active=actor.is_system_admin,
    )
