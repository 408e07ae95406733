"""Fixtures of the API tests: an organization with journals, users with bearer tokens, JSON request helpers."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from edms.auth.models import User
from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.factories import api_token, card_data, make_organization, make_user

PDF_BYTES = b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'


@dataclass
class ApiUser:
    """A user and the headers that authenticate them with their bearer token."""

    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {'Authorization': f'Bearer {self.token}'}


def api_user(organization: Organization, *roles: str, **extra: Any) -> ApiUser:
    with atomic():
        user = make_user(organization, *roles, **extra)
        token = api_token(user)
    return ApiUser(user, token)


@pytest.fixture
def org(app_ctx: Any) -> Organization:
    with atomic():
        return make_organization()


@pytest.fixture
def clerk(org: Organization) -> ApiUser:
    return api_user(org, 'clerk')


def post_card(client: FlaskClient, who: ApiUser, **overrides: Any) -> TestResponse:
    """POST /api/v1/cards with `card_data(**overrides)` (register defaults to true)."""
    return client.post('/api/v1/cards', json=card_data(**overrides), headers=who.headers)


def created_card(client: FlaskClient, who: ApiUser, **overrides: Any) -> dict[str, Any]:
    response = post_card(client, who, **overrides)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload(client: FlaskClient, who: ApiUser, card_id: int, content: bytes, filename: str = 'scan.pdf') -> TestResponse:
    """POST a multipart upload encoded in memory (the test client would spool a large body to an unclosed file)."""
    fields = {'file': FileStorage(BytesIO(content), filename), 'description': 'Скан'}
    boundary, body = encode_multipart(fields)
    return client.post(
        f'/api/v1/cards/{card_id}/attachments',
        data=body,
        headers=who.headers,
        content_type=f'multipart/form-data; boundary={boundary}',
    )
