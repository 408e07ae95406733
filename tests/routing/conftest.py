"""Fixtures of the routing tests: a ministry with three departments, its administrator, clerk and two executors, a
correspondent (the tax service) and another organization with its own administrator and a rule of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from edms.auth.models import User
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Department, Organization
from edms.registry.models import Card
from edms.routing.models import RoutingRule
from edms.routing.operations import create_rule
from tests.factories import make_card, make_department, make_organization, make_user


@dataclass
class Ministry:
    org: Organization
    general: Department
    execution: Department
    legal: Department
    admin: User
    clerk: User
    executor: User
    lawyer: User
    tax: Organization
    other: Organization
    other_admin: User
    other_rule: RoutingRule

    def rule(self, **raw: Any) -> RoutingRule:
        """A rule of the ministry, added by its administrator at the end of the list."""
        with atomic():
            return create_rule(self.admin, self.org.id, {'department_id': self.general.id, **raw})

    def card(self, **overrides: Any) -> Card:
        """A registered card of the ministry made by its clerk."""
        with atomic():
            return make_card(self.clerk, **overrides)


@pytest.fixture
def ministry(app_ctx: Any) -> Ministry:
    with atomic():
        org = make_organization('Министерство')
        general = db.session.execute(select(Department).where(Department.organization_id == org.id)).scalar_one()
        execution = make_department(org, 'Отдел исполнения', 'ОИ')
        legal = make_department(org, 'Юридический отдел', 'ЮО')
        admin = make_user(org, 'administrator')
        clerk = make_user(org, 'clerk')
        executor = make_user(org, 'executor', department_id=execution.id)
        lawyer = make_user(org, 'executor', department_id=legal.id)
        tax = make_organization('Налоговая служба')
        other = make_organization('Ведомство')
        other_admin = make_user(other, 'administrator', 'clerk')
        other_rule = create_rule(SYSTEM, other.id, {'name': 'Всё — в общий отдел', 'department_id': _first(other)})
    return Ministry(org, general, execution, legal, admin, clerk, executor, lawyer, tax, other, other_admin, other_rule)


def _first(organization: Organization) -> int:
    query = select(Department.id).where(Department.organization_id == organization.id).limit(1)
    return db.session.execute(query).scalar_one()


def count(model: type) -> int:
    with atomic():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()
