"""Case files of the nomenclature (номенклатура дел) by year: list, create, edit, close."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.clock import local_today
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import is_number, query_int
from edms.directory.models import Organization
from edms.registry.models import CaseFile
from edms.registry.operations import create_case_file, update_case_file
from edms.registry.operations.casefiles import read_case_file
from edms.registry.queries import get_case_file, list_case_files
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import (
    admin_required,
    administered_organization,
    department_options,
    form_page,
    form_values,
    read_form,
)

CASE_FORM = ('year', 'index', 'title', 'retention_years', 'retention_article', 'department_id')


@bp.get('/organizations/<int:org_id>/case-files/')
@admin_required
def case_files(org_id: int) -> str:
    organization = administered_organization(org_id)
    year = request.args.get('year', type=query_int) or local_today().year
    years = sorted({case.year for case in list_case_files(org_id)} | {year, local_today().year}, reverse=True)
    return render_template(
        'admin/case_files.html',
        organization=organization,
        case_files=list_case_files(org_id, year),
        year=year,
        years=years,
        departments=dict(department_options(org_id)),
    )


@bp.route('/organizations/<int:org_id>/case-files/new', methods=['GET', 'POST'])
@admin_required
def new_case_file(org_id: int) -> Response | str | tuple[str, int]:
    organization = administered_organization(org_id)
    values: dict[str, Any] = {'year': request.args.get('year', local_today().year), 'permanent': False}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = _read()
        errors = _save(lambda raw: create_case_file(current_user(), org_id, raw), values, org_id, 'Дело добавлено.')
        if not errors:
            return redirect(url_for('admin.case_files', org_id=org_id, year=values['year']))
    return _form(organization, None, values, errors)


@bp.route('/case-files/<int:case_file_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_case_file(case_file_id: int) -> Response | str | tuple[str, int]:
    case_file = get_case_file(current_user(), case_file_id)
    organization = administered_organization(case_file.organization_id)
    values = form_values(case_file, (*CASE_FORM, 'is_closed'))
    values['permanent'] = case_file.retention_years is None
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = _read()
        errors = _save(
            lambda raw: update_case_file(current_user(), case_file, raw), values, organization.id, 'Дело сохранено.'
        )
        if not errors:
            return redirect(url_for('admin.case_files', org_id=organization.id, year=values['year']))
    return _form(organization, case_file, values, errors)


def _read() -> dict[str, Any]:
    values = read_form(CASE_FORM, booleans=('is_closed', 'permanent'))
    if values['permanent'] == '1':
        values['retention_years'] = ''
    return values


def _save(operation: Any, values: dict[str, Any], organization_id: int, message: str) -> dict[str, str]:
    """Either a number of years or «постоянно» must be chosen; every message is reported at once."""
    raw = {name: value for name, value in values.items() if name != 'permanent'}
    problems: dict[str, str] = {}
    if values['permanent'] != '1' and not str(values['retention_years']).strip():
        problems['retention_years'] = '«Срок хранения»: укажите число лет или отметьте «Постоянно».'
    department = str(values['department_id'])
    if is_number(department) and int(department) not in dict(department_options(organization_id)):
        problems['department_id'] = '«Подразделение»: подразделение не найдено в организации.'
    try:
        if problems:
            read_case_file(raw)
            raise ValidationFailed(fields=problems)
        with atomic():
            operation(raw)
    except ValidationFailed as error:
        return {**error.fields, **problems}
    flash(message, 'success')
    return {}


def _form(
    organization: Organization, case_file: CaseFile | None, values: dict[str, Any], errors: dict[str, str]
) -> str | tuple[str, int]:
    return form_page(
        'admin/case_file_form.html',
        errors,
        organization=organization,
        case_file=case_file,
        values=values,
        departments=department_options(organization.id),
    )
