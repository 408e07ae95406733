"""No user mistake is a 500: every form and API endpoint is fed garbage and must answer with a 4xx or a page."""

import io

import pytest

from edms.auth.validation import USER_FIELDS
from edms.core.tx import atomic
from edms.directory.validation import DEPARTMENT_FIELDS, ORGANIZATION_FIELDS
from edms.registry.operations import add_attachment
from edms.registry.operations.casefiles import CASE_FIELDS
from edms.registry.operations.journals import JOURNAL_FIELDS
from edms.registry.validation import CARD_FIELDS, FILTER_FIELDS
from tests.factories import api_token, login, make_card, make_case_file, make_organization, make_user

PDF = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'
FIELDS = sorted(
    set(CARD_FIELDS + ORGANIZATION_FIELDS + USER_FIELDS + DEPARTMENT_FIELDS + CASE_FIELDS + JOURNAL_FIELDS)
    | set(FILTER_FIELDS)
    | {
        'reason',
        'case_file_id',
        'description',
        'name',
        'expires_at',
        'title',
        'confirm_duplicate',
        'action',
        'current_password',
        'new_password',
        'repeat_password',
        'link_kind',
        'link_ref',
        'organization_id',
    }
)
GARBAGE = (
    'x' * 5000,
    '-1',
    '99999999999999999999999',
    '31.02.2026',
    '<script>alert(1)</script>',
    '\x00\x01',
    "' OR 1=1 --",
    'нет',
    '²',
    '0001-01-01',
    '9999-12-31',
)
JSON_GARBAGE = (
    {'kind': 'x' * 5000},
    {'summary': None, 'pages': -5},
    {'addressees': 'строка'},
    {'links': [{'kind': 'bogus', 'card_id': 'a'}]},
    {'pages': 1e300},
    [],
    'text',
    {'reg_date': {}},
)


@pytest.fixture
def own(app_ctx):
    with atomic():
        organization = make_organization()
        user = make_user(organization, 'clerk', 'administrator', is_system_admin=True)
        card = make_card(user)
        attachment = add_attachment(user, card, io.BytesIO(PDF), 'a.pdf')
        case_file = make_case_file(organization)
    ids = {
        'card_id': card.id,
        'attachment_id': attachment.id,
        'organization_id': organization.id,
        'user_id': user.id,
        'case_file_id': case_file.id,
    }
    return ids, user


def paths(app, prefix, ids):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f'<int:{name}>', str(ids.get(name, 1)))
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            yield method, path


@pytest.mark.parametrize('prefix', ['/cards', '/admin', '/login', '/password'])
def test_forms_answer_garbage_without_a_server_error(app, client, own, prefix):
    ids, user = own
    login(client, user)
    failures = []
    for method, path in paths(app, prefix, ids):
        for value in GARBAGE:
            data = dict.fromkeys(FIELDS, value)
            if method == 'GET':
                response = client.get(path, query_string=data)
            else:
                response = client.open(path, method=method, data=data)
            if response.status_code >= 500:
                failures.append((method, path, value[:20], response.status_code))
            response.close()
        if path.startswith('/password') or path.startswith('/login'):
            login(client, user)
    assert failures == []


def test_api_answers_garbage_with_json_4xx(app, client, own):
    ids, user = own
    with atomic():
        token = api_token(user)
    headers = {'Authorization': f'Bearer {token}'}
    failures = []
    for method, path in paths(app, '/api/v1', ids):
        for body in JSON_GARBAGE:
            if method == 'GET':
                response = client.get(path, headers=headers, query_string={'page': 'x', 'kind': 'нет', 'q': '%'})
            else:
                response = client.open(path, method=method, headers=headers, json=body)
            if response.status_code >= 500 or not (
                response.is_json or response.status_code == 204 or path.endswith('/content')
            ):
                failures.append((method, path, str(body)[:30], response.status_code))
            response.close()
        response = client.open(path, method=method, headers=headers, data=b'{broken', content_type='application/json')
        if response.status_code >= 500:
            failures.append((method, path, 'broken json', response.status_code))
        response.close()
    assert failures == []
