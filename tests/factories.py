"""Builders of test data through the real operations: organizations with valid codes, users, journals, cards."""

from __future__ import annotations

import itertools
import re
from typing import Any

from flask.testing import FlaskClient

from edms.auth.models import Role, User
from edms.auth.operations import create_api_token, create_user
from edms.core.access import SYSTEM
from edms.core.clock import local_today
from edms.core.db import db
from edms.directory.models import Department, Organization
from edms.directory.operations import create_department, create_organization
from edms.registry.models import Card, CardKind
from edms.registry.operations import create_card, create_case_file, create_journal

PASSWORD = 'Secret2026pass'
_counter = itertools.count(1)


def ogrn(base12: str) -> str:
    return base12 + str(int(base12) % 11 % 10)


def inn10(base9: str) -> str:
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return base9 + str(sum(int(d) * w for d, w in zip(base9, weights, strict=True)) % 11 % 10)


def make_organization(name: str = 'Министерство', *, with_journals: bool = True, **overrides: Any) -> Organization:
    """An organization with valid ОГРН/ИНН/КПП, a department «ОО» and, by default, this year's journals."""
    n = next(_counter)
    raw = {
        'name': f'{name} {n}',
        'short_name': f'{name} {n}',
        'kind': 'ministry',
        'ogrn': ogrn(f'1027700{n:05d}'),
        'inn': inn10(f'7707{n:05d}'),
        'kpp': '773601001',
        **overrides,
    }
    organization = create_organization(SYSTEM, raw)
    create_department(SYSTEM, organization.id, {'name': 'Общий отдел', 'code': 'ОО'})
    if with_journals:
        make_journals(organization)
    db.session.flush()
    return organization


def make_journals(organization: Organization, year: int | None = None) -> None:
    year = year or local_today().year
    templates = {
        CardKind.incoming: 'Вх-{seq:05d}/{yy}',
        CardKind.outgoing: 'Исх-{seq:05d}/{yy}',
        CardKind.internal: 'Вн-{seq}-{dept}',
        CardKind.citizen_appeal: 'ОГ-{seq:05d}/{yy}',
    }
    for kind, template in templates.items():
        create_journal(
            SYSTEM,
            organization.id,
            {'kind': kind.value, 'year': year, 'name': f'Журнал {kind.value}', 'template': template},
        )


def make_case_file(organization: Organization, index: str = '01-05') -> Any:
    return create_case_file(
        SYSTEM,
        organization.id,
        {'year': local_today().year, 'index': index, 'title': 'Переписка', 'retention_years': 5},
    )


def make_user(organization: Organization, *roles: Role | str, login: str | None = None, **extra: Any) -> User:
    """A user with the given roles and the known test password, no forced password change."""
    department = db.session.query(Department).filter_by(organization_id=organization.id).first()
    raw = {
        'login': login or f'user{next(_counter)}',
        'last_name': 'Тестов',
        'first_name': 'Тест',
        'roles': [str(role) for role in roles] or ['clerk'],
        'password': PASSWORD,
        'department_id': department.id if department else None,
    }
    user, _ = create_user(SYSTEM, organization.id, raw)
    user.must_change_password = False
    for name, value in extra.items():
        setattr(user, name, value)
    db.session.flush()
    return user


def card_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        'kind': 'incoming',
        'document_kind': 'Письмо',
        'summary': 'О предоставлении сведений',
        'correspondent_name': 'ООО «Ромашка»',
        'sender_number': f'{next(_counter)}/ОТ',
        'sender_date': local_today().isoformat(),
        'pages': 2,
    }
    data.update(overrides)
    return data


def make_card(user: User, *, register: bool = True, **overrides: Any) -> Card:
    return create_card(user, card_data(**overrides), register=register)


def api_token(user: User) -> str:
    _, raw = create_api_token(SYSTEM, user, 'test')
    return raw


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log in through the real form; the session cookie stays in the client."""
    response = client.post(
        '/login', data={'organization_id': str(user.organization_id), 'login': user.login, 'password': password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


# --- resolutions (issue 3) ----------------------------------------------------------------------------------------


def page_text(html: str) -> str:
    """The page's text with tags removed, arrows as characters and spaces collapsed (labels and values split by
    markup)."""
    return ' '.join(re.sub(r'<[^>]+>', ' ', html).replace('&rarr;', '→').split())


def make_department(organization: Organization, name: str, code: str, parent: Department | None = None) -> Department:
    """A department of the organization, under `parent` when given."""
    from edms.directory.operations import create_department as create

    raw = {'name': name, 'code': code, 'parent_id': parent.id if parent is not None else None}
    return create(SYSTEM, organization.id, raw)


def working_day(after: int = 10) -> Any:
    """The `after`-th working day from today by the business calendar (a valid future deadline)."""
    from edms.core.calendar import business_calendar

    return business_calendar().add_working_days(local_today(), after).date


def executor_item(user: User, *, responsible: bool = False, deadline: Any = None, days: int | None = None) -> dict:
    """One executor of resolution input: a date (default: 10 working days ahead) or a number of working days."""
    item: dict[str, Any] = {'user_id': user.id, 'responsible': responsible}
    if days is not None:
        item['deadline_days'] = days
    else:
        item['deadline'] = (deadline or working_day()).isoformat()
    return item


def resolution_data(responsible: User, *co_executors: User, **overrides: Any) -> dict[str, Any]:
    """Resolution input: `responsible` and the co-executors with the default deadline."""
    data: dict[str, Any] = {
        'text': 'Подготовить ответ заявителю',
        'executors': [executor_item(responsible, responsible=True)] + [executor_item(user) for user in co_executors],
    }
    data.update(overrides)
    return data


def make_resolution(author: User, card: Card, responsible: User, *co_executors: User, **overrides: Any) -> Any:
    """A resolution issued by `author` (a manager) on the card."""
    from edms.resolutions.operations import issue_resolution

    return issue_resolution(author, card, resolution_data(responsible, *co_executors, **overrides))
