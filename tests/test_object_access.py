"""Object-level access: every card URL and API endpoint with an object id answers 404 to another organization.

The routes are walked from the application's URL map, so a new route with a card, attachment, journal, case-file,
user or organization id is covered without touching this test.
"""

import io

import pytest

from edms.core.tx import atomic
from edms.registry.operations import add_attachment
from tests.factories import api_token, login, make_card, make_case_file, make_organization, make_user

PDF = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'
OBJECT_PARAMETERS = {'card_id', 'attachment_id', 'journal_id', 'case_file_id', 'user_id', 'session_id', 'token_id'}
#: Directory data that every organization reads (correspondents and addressees), but nobody else changes.
SHARED_READS = {
    ('GET', '/api/v1/organizations/<int:organization_id>'),
    ('GET', '/api/v1/organizations/<int:organization_id>/departments'),
}


@pytest.fixture
def foreign(app_ctx):
    """Objects of organization A, and a clerk-administrator of organization B who tries to reach them."""
    with atomic():
        org_a, org_b = make_organization('Ведомство А'), make_organization('Ведомство Б')
        owner = make_user(org_a, 'clerk', 'administrator')
        card = make_card(owner)
        attachment = add_attachment(owner, card, io.BytesIO(PDF), 'secret.pdf')
        case_file = make_case_file(org_a)
        intruder = make_user(
            org_b, 'clerk', 'administrator', 'manager', 'executor', 'controller', can_access_restricted=True
        )
    ids = {
        'card_id': card.id,
        'attachment_id': attachment.id,
        'case_file_id': case_file.id,
        'user_id': owner.id,
        'organization_id': org_a.id,
    }
    return ids, intruder


def object_rules(app, prefix):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix) or not (set(rule.arguments) & (OBJECT_PARAMETERS | {'organization_id'})):
            continue
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            yield rule, method


def build(rule, ids):
    path = rule.rule
    for name in rule.arguments:
        value = ids.get(name, 999999)
        path = path.replace(f'<int:{name}>', str(value)).replace(f'<{name}>', str(value))
    return path


def test_every_card_page_is_404_for_another_organization(app, client, foreign):
    ids, intruder = foreign
    login(client, intruder)
    checked = []
    for rule, method in object_rules(app, '/cards'):
        response = client.open(
            build(rule, ids), method=method, data={'reason': 'x', 'case_file_id': ids['case_file_id']}
        )
        checked.append((method, rule.rule, response.status_code))
    assert len(checked) >= 8
    assert [item for item in checked if item[2] != 404] == []


def test_every_admin_page_with_an_object_id_is_404_for_another_organizations_admin(app, client, foreign):
    ids, intruder = foreign
    login(client, intruder)
    checked = []
    for rule, method in object_rules(app, '/admin'):
        response = client.open(build(rule, ids), method=method, data={})
        checked.append((method, rule.rule, response.status_code))
    assert len(checked) >= 10
    assert [item for item in checked if item[2] != 404] == []


def test_every_api_endpoint_with_an_object_id_is_404_for_another_organization(app, client, foreign):
    ids, intruder = foreign
    with atomic():
        token = api_token(intruder)
    headers = {'Authorization': f'Bearer {token}'}
    checked = []
    for rule, method in object_rules(app, '/api/v1'):
        if (method, rule.rule) in SHARED_READS:
            continue
        response = client.open(build(rule, ids), method=method, headers=headers, json=api_body(rule.rule, ids))
        checked.append((method, rule.rule, response.status_code))
        assert response.is_json
    assert len(checked) >= 10
    assert [item for item in checked if item[2] != 404] == []


def api_body(rule, ids):
    if rule.endswith('/cancel'):
        return {'reason': 'x'}
    if rule.endswith('/file'):
        return {'case_file_id': ids['case_file_id']}
    return {}


def test_lists_and_search_never_show_another_organizations_cards(client, foreign):
    ids, intruder = foreign
    with atomic():
        token = api_token(intruder)
    response = client.get('/api/v1/cards?q=сведений', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 200
    assert response.get_json()['items'] == []
    login(client, intruder)
    page = client.get('/cards/?q=сведений').get_data(as_text=True)
    assert f'/cards/{ids["card_id"]}"' not in page
