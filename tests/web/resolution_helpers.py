"""Shared data of the resolution page tests: an organization staffed for execution (with a department tree), a card,
a manager of another organization, and small builders through the real operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from edms.auth.models import User
from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.resolutions.models import Assignment, Resolution
from edms.resolutions.operations import draft_resolution
from tests.factories import (
    make_card,
    make_department,
    make_organization,
    make_resolution,
    make_user,
    resolution_data,
)

PDF = b'%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'


@dataclass
class Team:
    manager: User
    assistant: User
    responsible: User
    co_executor: User
    subordinate: User
    controller: User
    clerk: User
    card: Card
    stranger: User
    stranger_card: Card


@pytest.fixture
def team(app_ctx: Any) -> Team:
    """An organization with a department «Департамент» and «Отдел» below it; a second organization's manager."""
    with atomic():
        organization = make_organization()
        department = make_department(organization, 'Департамент', 'Д1')
        section = make_department(organization, 'Отдел', 'Д1-1', parent=department)
        clerk = make_user(organization, 'clerk')
        other = make_organization('Ведомство')
        stranger = make_user(other, 'manager', 'executor', 'controller', 'assistant')
        team = Team(
            manager=make_user(organization, 'manager'),
            assistant=make_user(organization, 'assistant'),
            responsible=make_user(organization, 'executor', department_id=department.id, last_name='Ответственнов'),
            co_executor=make_user(organization, 'executor', department_id=department.id, last_name='Соисполнителев'),
            subordinate=make_user(organization, 'executor', department_id=section.id, last_name='Подчинёнов'),
            controller=make_user(organization, 'controller', last_name='Контролёрова'),
            clerk=clerk,
            card=make_card(clerk, summary='О согласовании регламента'),
            stranger=stranger,
            stranger_card=make_card(make_user(other, 'clerk')),
        )
    return team


def issue(team: Team, *co_executors: User, **overrides: Any) -> Resolution:
    with atomic():
        return make_resolution(team.manager, team.card, team.responsible, *co_executors, **overrides)


def draft(team: Team) -> Resolution:
    with atomic():
        data = resolution_data(team.responsible, team.co_executor, author_id=team.manager.id, text='Проект ответа')
        return draft_resolution(team.assistant, team.card, data)


def posted_form(**rows: Any) -> dict[str, Any]:
    """The posted resolution form: text and executor rows given as row_<i>=(user, deadline or days)."""
    data: dict[str, Any] = {'text': 'Подготовить ответ в срок'}
    for name, (user, deadline) in rows.items():
        index = name.removeprefix('row_')
        data[f'executors-{index}-user_id'] = str(user.id)
        key = 'deadline_days' if isinstance(deadline, int) else 'deadline'
        data[f'executors-{index}-{key}'] = str(deadline) if isinstance(deadline, int) else deadline.isoformat()
    return data


def reload(model: type, object_id: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, object_id)


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def tab(client: Any, card: Card) -> str:
    response = client.get(f'/cards/{card.id}?tab=resolutions')
    assert response.status_code == 200
    return response.get_data(as_text=True)


def make_overdue(assignment: Assignment) -> None:
    past = business_calendar().previous_working_day(local_today() - timedelta(days=3))
    with atomic():
        db.session.execute(update(Assignment).where(Assignment.id == assignment.id).values(deadline=past))
    db.session.expire_all()
