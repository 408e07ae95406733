"""Reading the directory: organizations, department trees, positions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from edms.core.access import Actor, require_same_organization
from edms.core.db import db
from edms.core.errors import NotFound
from edms.directory.models import Department, Organization, Position


@dataclass(frozen=True)
class DepartmentNode:
    """A department with its depth in the tree, for indented lists."""

    department: Department
    depth: int


def get_organization(actor: Actor, organization_id: int) -> Organization:
    """The organization, if the actor may see it (their own, or any for a system administrator)."""
    require_same_organization(actor, organization_id)
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise NotFound('Организация не найдена.')
    return organization


def list_organizations(actor: Actor) -> list[Organization]:
    """Organizations the actor may administer or see."""
    query = select(Organization).order_by(Organization.short_name)
    if not actor.is_system_admin:
        query = query.where(Organization.id == actor.organization_id)
    return list(db.session.execute(query).scalars())


def list_correspondent_organizations() -> list[Organization]:
    """Every active organization of the system, as possible correspondents and addressees."""
    query = select(Organization).where(Organization.is_active.is_(True)).order_by(Organization.short_name)
    return list(db.session.execute(query).scalars())


def get_department(actor: Actor, department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound('Подразделение не найдено.')
    require_same_organization(actor, department.organization_id)
    return department


def department_tree(organization_id: int) -> list[DepartmentNode]:
    """Departments of an organization in tree order (parents before children)."""
    rows = db.session.execute(
        select(Department).where(Department.organization_id == organization_id).order_by(Department.name)
    ).scalars()
    children: dict[int | None, list[Department]] = {}
    for department in rows:
        children.setdefault(department.parent_id, []).append(department)
    result: list[DepartmentNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for department in children.get(parent_id, []):
            result.append(DepartmentNode(department, depth))
            walk(department.id, depth + 1)

    walk(None, 0)
    return result


def descendant_ids(organization_id: int, department_id: int) -> set[int]:
    """The department and every department below it."""
    nodes = department_tree(organization_id)
    parent_of = {node.department.id: node.department.parent_id for node in nodes}
    result = {department_id}
    changed = True
    while changed:
        changed = False
        for child, parent in parent_of.items():
            if parent in result and child not in result:
                result.add(child)
                changed = True
    return result


def list_positions(organization_id: int) -> list[Position]:
    query = select(Position).where(Position.organization_id == organization_id).order_by(Position.title)
    return list(db.session.execute(query).scalars())


def get_position(actor: Actor, position_id: int) -> Position:
    position = db.session.get(Position, position_id)
    if position is None:
        raise NotFound('Должность не найдена.')
    require_same_organization(actor, position.organization_id)
    return position
