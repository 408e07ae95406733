"""The OpenAPI document: valid 3.0.3, public, describing every route of the blueprint and the card input exactly."""

from __future__ import annotations

import json
import re

import pytest

from edms.registry.validation import CARD_FIELDS

PREFIX = '/api/v1'
IGNORED_METHODS = {'HEAD', 'OPTIONS'}


def openapi_path(rule: str) -> str:
    """`/api/v1/cards/<int:card_id>` → `/cards/{card_id}` (paths are relative to the server URL /api/v1)."""
    return re.sub(r'<(?:[a-z]+:)?([a-z_]+)>', r'{\1}', rule.removeprefix(PREFIX))


def fetch_document(client) -> dict:
    response = client.get(f'{PREFIX}/openapi.json')
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


@pytest.mark.smoke
def test_openapi_document_parses_without_a_token(client):
    document = fetch_document(client)
    assert document['openapi'] == '3.0.3'
    assert document['servers'] == [{'url': PREFIX}]
    assert document['components']['securitySchemes']['bearerAuth'] == {
        'type': 'http',
        'scheme': 'bearer',
        'description': 'Токен API',
    }
    assert document['security'] == [{'bearerAuth': []}]
    assert document['paths']['/openapi.json']['get']['security'] == []


def test_every_route_of_the_blueprint_is_described_with_its_methods(app, client):
    paths = fetch_document(client)['paths']
    routes = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX)]
    assert len(routes) >= 24
    for rule in routes:
        path = openapi_path(rule.rule)
        assert path in paths, path
        for method in rule.methods - IGNORED_METHODS:
            assert method.lower() in paths[path], (method, path)
    described = {(path, method) for path, item in paths.items() for method in item if method != 'parameters'}
    routed = {(openapi_path(rule.rule), method.lower()) for rule in routes for method in rule.methods - IGNORED_METHODS}
    assert described == routed


def test_card_input_lists_exactly_the_card_fields_and_request_flags(client):
    schemas = fetch_document(client)['components']['schemas']
    card_input = schemas['CardInput']
    assert set(card_input['properties']) == {*CARD_FIELDS, 'register', 'confirm_duplicate'}
    assert card_input['additionalProperties'] is False
    assert set(schemas['CardPatch']['properties']) == set(CARD_FIELDS)
    assert schemas['CardPatch']['additionalProperties'] is False
    for name in ('Card', 'CardInput', 'CardList', 'Attachment', 'Organization', 'Journal', 'CaseFile', 'Error'):
        assert name in schemas, name


def test_every_reference_in_the_document_resolves(client):
    document = fetch_document(client)
    references = re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(document))
    assert references
    for reference in set(references):
        node = document
        for part in reference.split('/'):
            assert part in node, reference
            node = node[part]
