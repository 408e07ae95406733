"""The staff of an organization for the resolution API tests, each with a bearer token, and request helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse, encode_multipart

from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.api.conftest import ApiUser, api_user
from tests.factories import make_card, make_case_file, make_department, resolution_data


@dataclass
class Team:
    card_id: int
    case_file_id: int
    clerk: ApiUser
    manager: ApiUser
    other_manager: ApiUser
    assistant: ApiUser
    responsible: ApiUser
    co_executor: ApiUser
    subordinate: ApiUser
    outsider: ApiUser
    controller: ApiUser


def build_team(org: Organization) -> Team:
    """«Департамент» with «Отдел» below it and a sibling «Другой департамент»; a registered incoming card."""
    with atomic():
        department = make_department(org, 'Департамент', 'Д1')
        section = make_department(org, 'Отдел', 'Д1-1', parent=department)
        other = make_department(org, 'Другой департамент', 'Д2')
        case_file_id = make_case_file(org).id
    clerk = api_user(org, 'clerk')
    with atomic():
        card_id = make_card(clerk.user).id
    return Team(
        card_id=card_id,
        case_file_id=case_file_id,
        clerk=clerk,
        manager=api_user(org, 'manager'),
        other_manager=api_user(org, 'manager'),
        assistant=api_user(org, 'assistant'),
        responsible=api_user(org, 'executor', department_id=department.id),
        co_executor=api_user(org, 'executor', department_id=department.id),
        subordinate=api_user(org, 'executor', department_id=section.id),
        outsider=api_user(org, 'executor', department_id=other.id),
        controller=api_user(org, 'controller'),
    )


def call(client: FlaskClient, who: ApiUser, url: str, body: Any = None, method: str = 'POST') -> TestResponse:
    return client.open(url, method=method, json=body, headers=who.headers)


def ok(response: TestResponse, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def issued(client: FlaskClient, team: Team, **overrides: Any) -> dict[str, Any]:
    """A resolution issued by the manager over the API: the responsible executor and the co-executor."""
    data = resolution_data(team.responsible.user, team.co_executor.user, **overrides)
    return ok(call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', data), 201)


def part(node: dict[str, Any], who: ApiUser) -> dict[str, Any]:
    return next(item for item in node['assignments'] if item['executor']['id'] == who.user.id)


def upload_report(client: FlaskClient, who: ApiUser, assignment_id: int, fields: dict[str, Any]) -> TestResponse:
    boundary, body = encode_multipart(fields)
    return client.post(
        f'/api/v1/assignments/{assignment_id}/reports',
        data=body,
        headers=who.headers,
        content_type=f'multipart/form-data; boundary={boundary}',
    )
