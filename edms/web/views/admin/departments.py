"""Departments of an organization (an indented tree) and its positions."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.directory.models import Department, Organization
from edms.directory.operations import create_department, create_position, update_department
from edms.directory.queries import department_tree, descendant_ids, get_department, list_positions
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import (
    admin_required,
    administered_organization,
    department_options,
    form_page,
    form_values,
    read_form,
    save,
)

DEPARTMENT_FORM = ('name', 'code', 'parent_id')


@bp.get('/organizations/<int:org_id>/departments/')
@admin_required
def departments(org_id: int) -> str:
    organization = administered_organization(org_id)
    return render_template('admin/departments.html', organization=organization, tree=department_tree(org_id))


@bp.route('/organizations/<int:org_id>/departments/new', methods=['GET', 'POST'])
@admin_required
def new_department(org_id: int) -> Response | str | tuple[str, int]:
    organization = administered_organization(org_id)
    values: dict[str, Any] = {'parent_id': request.args.get('parent_id', ''), 'is_active': True}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(DEPARTMENT_FORM, booleans=('is_active',))
        errors = save(lambda: create_department(current_user(), org_id, values), 'Подразделение добавлено.')
        if not errors:
            return redirect(url_for('admin.departments', org_id=org_id))
    return _form(organization, None, values, errors)


@bp.route('/departments/<int:department_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_department(department_id: int) -> Response | str | tuple[str, int]:
    department = get_department(current_user(), department_id)
    organization = administered_organization(department.organization_id)
    values = form_values(department, (*DEPARTMENT_FORM, 'is_active'))
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(DEPARTMENT_FORM, booleans=('is_active',))
        errors = save(lambda: update_department(current_user(), department, values), 'Подразделение сохранено.')
        if not errors:
            return redirect(url_for('admin.departments', org_id=organization.id))
    return _form(organization, department, values, errors)


def _form(
    organization: Organization, department: Department | None, values: dict[str, Any], errors: dict[str, str]
) -> str | tuple[str, int]:
    exclude = descendant_ids(organization.id, department.id) if department else set()
    return form_page(
        'admin/department_form.html',
        errors,
        organization=organization,
        department=department,
        values=values,
        parents=department_options(organization.id, exclude),
    )


@bp.route('/organizations/<int:org_id>/positions/', methods=['GET', 'POST'])
@admin_required
def positions(org_id: int) -> Response | str | tuple[str, int]:
    """The list of positions with a form to add one."""
    organization = administered_organization(org_id)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(('title',))
        try:
            with atomic():
                create_position(current_user(), org_id, values)
            flash(f'Должность «{values["title"].strip()}» добавлена.', 'success')
            return redirect(url_for('admin.positions', org_id=org_id))
        except ValidationFailed as error:
            errors = error.fields
    return form_page(
        'admin/positions.html', errors, organization=organization, positions=list_positions(org_id), values=values
    )
