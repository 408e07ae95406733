"""An organization staffed for execution: a department tree, a manager, an assistant, executors, a controller, a
clerk, a registered incoming card; and a second organization with its own manager, executor and card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from edms.auth.models import User
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Department, Organization
from edms.notifications.models import Notification
from edms.registry.models import Card
from tests.factories import make_card, make_department, make_organization, make_user


@dataclass
class Staff:
    organization: Organization
    head_office: Department
    department: Department
    section: Department
    other_department: Department
    clerk: User
    manager: User
    assistant: User
    responsible: User
    co_executor: User
    subordinate: User
    outsider: User
    controller: User
    card: Card


@pytest.fixture
def staff(app_ctx: Any) -> Staff:
    """Departments: «Департамент» with «Отдел» below it, and a sibling «Другой департамент»."""
    with atomic():
        organization = make_organization()
        head_office = db.session.execute(
            select(Department).where(Department.organization_id == organization.id)
        ).scalar_one()
        department = make_department(organization, 'Департамент', 'Д1')
        section = make_department(organization, 'Отдел', 'Д1-1', parent=department)
        other = make_department(organization, 'Другой департамент', 'Д2')
        clerk = make_user(organization, 'clerk')
        staff = Staff(
            organization=organization,
            head_office=head_office,
            department=department,
            section=section,
            other_department=other,
            clerk=clerk,
            manager=make_user(organization, 'manager', department_id=head_office.id),
            assistant=make_user(organization, 'assistant', department_id=head_office.id),
            responsible=make_user(organization, 'executor', department_id=department.id),
            co_executor=make_user(organization, 'executor', department_id=department.id),
            subordinate=make_user(organization, 'executor', department_id=section.id),
            outsider=make_user(organization, 'executor', department_id=other.id),
            controller=make_user(organization, 'controller', department_id=head_office.id),
            card=make_card(clerk),
        )
    return staff


@dataclass
class Foreign:
    organization: Organization
    manager: User
    executor: User
    card: Card


@pytest.fixture
def foreign(app_ctx: Any) -> Foreign:
    with atomic():
        organization = make_organization('Ведомство')
        clerk = make_user(organization, 'clerk')
        return Foreign(
            organization, make_user(organization, 'manager'), make_user(organization, 'executor'), make_card(clerk)
        )


def notifications_of(user: User) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(db.session.execute(query).scalars())
