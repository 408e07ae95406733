"""Case files of the nomenclature: administration by the organization's administrator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import changes, record
from edms.core.access import Actor, require_admin_of
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import Department
from edms.registry.models import CaseFile

CASE_FIELDS = ('year', 'index', 'title', 'retention_years', 'retention_article', 'department_id', 'is_closed')


def read_case_file(raw: Mapping[str, Any]) -> dict[str, Any]:
    form = RawInput(raw, CASE_FIELDS)
    values = {
        'year': form.integer('year', 'Год', required=True, min_value=2000, max_value=2100),
        'index': form.text('index', 'Индекс дела', required=True, max_length=32),
        'title': form.text('title', 'Заголовок дела', required=True, max_length=1000),
        'retention_years': form.integer('retention_years', 'Срок хранения (лет)', min_value=1, max_value=75),
        'retention_article': form.text('retention_article', 'Статья перечня', max_length=100),
        'department_id': form.integer('department_id', 'Подразделение', min_value=1),
        'is_closed': form.boolean('is_closed', 'Дело закрыто'),
    }
    form.finish()
    return values


def create_case_file(actor: Actor, organization_id: int, raw: Mapping[str, Any]) -> CaseFile:
    """Add a case to the nomenclature of a year."""
    require_admin_of(actor, organization_id)
    values = read_case_file(raw)
    _check_unique(organization_id, values, None)
    _check_department(organization_id, values)
    case_file = CaseFile(organization_id=organization_id, **values)
    db.session.add(case_file)
    db.session.flush()
    record(actor, 'case_file.create', case_file, {'after': values}, organization_id=organization_id)
    return case_file


def update_case_file(actor: Actor, case_file: CaseFile, raw: Mapping[str, Any]) -> CaseFile:
    """Change a case's index, title, retention or close it."""
    require_admin_of(actor, case_file.organization_id)
    values = read_case_file(raw)
    _check_unique(case_file.organization_id, values, case_file.id)
    _check_department(case_file.organization_id, values)
    before = {name: getattr(case_file, name) for name in values}
    for name, value in values.items():
        setattr(case_file, name, value)
    db.session.flush()
    record(
        actor,
        'case_file.update',
        case_file,
        {'changes': changes(before, values)},
        organization_id=case_file.organization_id,
    )
    return case_file


def _check_unique(organization_id: int, values: dict[str, Any], own_id: int | None) -> None:
    clash = db.session.execute(
        select(CaseFile.id).where(
            CaseFile.organization_id == organization_id,
            CaseFile.year == values['year'],
            CaseFile.index == values['index'],
        )
    ).scalar_one_or_none()
    if clash is not None and clash != own_id:
        raise ValidationFailed(fields={'index': '«Индекс дела»: такой индекс уже есть в номенклатуре этого года.'})


def _check_department(organization_id: int, values: dict[str, Any]) -> None:
    if values['department_id'] is None:
        return
    department = db.session.get(Department, values['department_id'])
    if department is None or department.organization_id != organization_id:
        raise ValidationFailed(fields={'department_id': '«Подразделение»: подразделение не найдено в организации.'})
