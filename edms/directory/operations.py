"""Changing the directory: organizations, departments, positions. Each change is audited with before/after values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import changes, record
from edms.core.access import Actor, require_admin_of, require_system_admin
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.directory.errors import DepartmentCycle, OrganizationExists
from edms.directory.models import Department, Organization, Position
from edms.directory.queries import descendant_ids
from edms.directory.validation import read_department, read_organization, read_position


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Plain values of the given attributes, for before/after audit data."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value: Any) -> Any:
    return getattr(value, 'value', value) if value is not None else None


def create_organization(actor: Actor, raw: Mapping[str, Any]) -> Organization:
    """Connect a new organization (system administrator only)."""
    require_system_admin(actor)
    values = read_organization(raw)
    _check_unique_organization(values, None)
    organization = Organization(**values)
    db.session.add(organization)
    db.session.flush()
    record(
        actor,
        'organization.create',
        organization,
        {'after': snapshot(organization, tuple(values))},
        organization_id=organization.id,
    )
    return organization


def update_organization(actor: Actor, organization: Organization, raw: Mapping[str, Any]) -> Organization:
    """Change an organization's requisites; its administrator may, a system administrator too."""
    require_admin_of(actor, organization.id)
    values = read_organization(raw)
    if not actor.is_system_admin:
        values['is_active'] = organization.is_active
    _check_unique_organization(values, organization.id)
    before = snapshot(organization, tuple(values))
    for name, value in values.items():
        setattr(organization, name, value)
    organization.updated_at = utcnow()
    db.session.flush()
    after = snapshot(organization, tuple(values))
    record(
        actor, 'organization.update', organization, {'changes': changes(before, after)}, organization_id=organization.id
    )
    return organization


def _check_unique_organization(values: dict[str, Any], own_id: int | None) -> None:
    fields = {'ogrn': 'ОГРН', 'short_name': 'Краткое наименование', 'medo_id': 'Идентификатор участника МЭДО'}
    problems = {}
    for name, label in fields.items():
        if values.get(name) is None:
            continue
        existing = db.session.execute(
            select(Organization.id).where(getattr(Organization, name) == values[name])
        ).scalar_one_or_none()
        if existing is not None and existing != own_id:
            problems[name] = f'«{label}»: такое значение уже есть у другой организации.'
    if problems:
        raise OrganizationExists(fields=problems)


def create_department(actor: Actor, organization_id: int, raw: Mapping[str, Any]) -> Department:
    """Add a department to the organization's tree."""
    require_admin_of(actor, organization_id)
    values = read_department(raw)
    _check_department(actor, organization_id, values, None)
    department = Department(organization_id=organization_id, **values)
    db.session.add(department)
    db.session.flush()
    record(
        actor,
        'department.create',
        department,
        {'after': snapshot(department, tuple(values))},
        organization_id=organization_id,
    )
    return department


def update_department(actor: Actor, department: Department, raw: Mapping[str, Any]) -> Department:
    """Rename, re-code or move a department within its organization's tree."""
    require_admin_of(actor, department.organization_id)
    values = read_department(raw)
    _check_department(actor, department.organization_id, values, department)
    before = snapshot(department, tuple(values))
    for name, value in values.items():
        setattr(department, name, value)
    db.session.flush()
    after = snapshot(department, tuple(values))
    record(
        actor,
        'department.update',
        department,
        {'changes': changes(before, after)},
        organization_id=department.organization_id,
    )
    return department


def _check_department(actor: Actor, organization_id: int, values: dict[str, Any], own: Department | None) -> None:
    parent_id = values['parent_id']
    if parent_id is not None:
        parent = db.session.get(Department, parent_id)
        if parent is None or parent.organization_id != organization_id:
            raise ValidationFailed(fields={'parent_id': '«Вышестоящее подразделение»: подразделение не найдено.'})
        if own is not None and parent_id in descendant_ids(organization_id, own.id):
            raise DepartmentCycle()
    clash = db.session.execute(
        select(Department.id).where(Department.organization_id == organization_id, Department.code == values['code'])
    ).scalar_one_or_none()
    if clash is not None and (own is None or clash != own.id):
        raise ValidationFailed(fields={'code': '«Код подразделения»: такой код уже есть в организации.'})


def create_position(actor: Actor, organization_id: int, raw: Mapping[str, Any]) -> Position:
    """Add a position to the organization's list."""
    require_admin_of(actor, organization_id)
    values = read_position(raw)
    exists = db.session.execute(
        select(Position.id).where(Position.organization_id == organization_id, Position.title == values['title'])
    ).scalar_one_or_none()
    if exists is not None:
        raise ValidationFailed(fields={'title': '«Наименование должности»: такая должность уже есть.'})
    position = Position(organization_id=organization_id, **values)
    db.session.add(position)
    db.session.flush()
    record(actor, 'position.create', position, {'after': values}, organization_id=organization_id)
    return position
