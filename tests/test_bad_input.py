"""No user mistake is a 500: every form and API endpoint is fed garbage and must answer with a 4xx or a page."""

import io
import re

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from edms.auth.models import ApiToken, User, UserSession
from edms.auth.sessions import open_session
from edms.auth.validation import USER_FIELDS
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.validation import DEPARTMENT_FIELDS, ORGANIZATION_FIELDS
from edms.notifications.models import Notification
from edms.registry.models import Journal
from edms.registry.operations import add_attachment
from edms.registry.operations.casefiles import CASE_FIELDS
from edms.registry.operations.journals import JOURNAL_FIELDS
from edms.registry.validation import CARD_FIELDS, FILTER_FIELDS
from edms.resolutions.operations import request_extension, submit_report
from edms.signatures.models import TrustedCertificate, VerificationRecord
from edms.signatures.operations import import_certificate, sign_attachment
from edms.signatures.operations.registrations import sign_registration
from scripts.make_test_pki import MINISTRY
from tests.factories import (
    api_token,
    login,
    make_card,
    make_case_file,
    make_organization,
    make_resolution,
    make_user,
    working_day,
)
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.store_setup import install_trust, p12

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
        # resolutions, reports, extensions, control, cabinet, 59-ФЗ
        'text',
        'executors',
        'executors-0-user_id',
        'executors-0-deadline',
        'executors-0-deadline_days',
        'responsible',
        'is_controlled',
        'controller_id',
        'author_id',
        'comment',
        'decision',
        'execution_mark',
        'deadline',
        'folder',
        'filter',
        'page',
        'extension_days',
        'extension_reason',
        'extension_notice',
        # signatures: certificates, signing, the trust store, the qualified signature of a resolution
        'container',
        'certificate',
        'certificate_id',
        'password',
        'signature',
        'signature_method',
        'file',
        'crl',
        'accredited',
        'note',
        'form',
        'format',
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
    'qualified',
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
    {'executors': [{'user_id': 10**30, 'responsible': True, 'deadline': '9999-12-31'}], 'text': 'x'},
    {'executors': [[]], 'text': 'x', 'signature': []},
    {'executors': [{'user_id': 1, 'responsible': 'да', 'deadline_days': 10**30}], 'text': 'x', 'draft': 'x'},
    {'executors': [{'user_id': -1, 'deadline': '31.02.2026'}] * 60, 'is_controlled': 'нет', 'controller_id': 10**30},
    {'text': 'x', 'executors': [{'user_id': 1, 'responsible': True, 'deadline': '0001-01-01'}], 'author_id': 10**30},
    {'reason': 'x', 'deadline': '9999-12-31', 'comment': {}, 'decision': ['grant']},
    {'execution_mark': 'x' * 5000, 'case_file_id': 10**30, 'extension_days': 1e300, 'signature': {'method': {}}},
)


@pytest.fixture
def own(app_ctx, test_pki):  # noqa: F811
    """A user with every role who owns one object of each kind, so that garbage reaches every validator."""
    install_trust(test_pki)
    with atomic():
        organization = make_organization(ogrn=MINISTRY['ogrn'], inn=MINISTRY['inn_le'])
        roles = ('clerk', 'administrator', 'manager', 'assistant', 'executor', 'controller')
        snils = test_pki.users['rsa'].profile['snils']
        user = make_user(organization, *roles, is_system_admin=True, snils=snils)
        colleague = make_user(organization, 'executor')
        card = make_card(user)
        attachment = add_attachment(user, card, io.BytesIO(PDF), 'a.pdf')
        case_file = make_case_file(organization)
        resolution = make_resolution(user, card, user, colleague, is_controlled=True)
        report = submit_report(colleague, resolution.assignments[1], {'text': 'x'}, [(io.BytesIO(PDF), 'r.pdf')])
        extension = request_extension(user, resolution.assignments[0], {'reason': 'x', 'deadline': working_day(15)})
        open_session(user)
        api_token(user)
        certificate = import_certificate(user, user, p12(test_pki, 'rsa'), 'test123')
        signature = sign_attachment(user, attachment, certificate.id, 'test123')
        registration_signature = sign_registration(user, card)
    ids = {
        'card_id': card.id,
        'attachment_id': attachment.id,
        'organization_id': organization.id,
        'org_id': organization.id,
        'user_id': user.id,
        'case_file_id': case_file.id,
        'department_id': user.department_id,
        'journal_id': first(select(Journal.id).where(Journal.organization_id == organization.id)),
        'session_id': first(select(UserSession.id).where(UserSession.user_id == user.id)),
        'token_id': first(select(ApiToken.id).where(ApiToken.user_id == user.id)),
        'resolution_id': resolution.id,
        'assignment_id': resolution.assignments[0].id,
        'report_id': report.id,
        'file_id': report.files[0].id,
        'extension_id': extension.id,
        'notification_id': first(select(Notification.id).where(Notification.user_id == colleague.id)),
        'folder': 'review',
        'fmt': 'csv',
        'certificate_id': certificate.id,
        'signature_id': signature.id,
        'verification_id': first(
            select(VerificationRecord.id).where(VerificationRecord.attachment_signature_id == signature.id)
        ),
        'trusted_id': first(select(TrustedCertificate.id)),
        'registration_signature_id': registration_signature.id,
    }
    return ids, user


def first(query):
    return db.session.execute(query.limit(1)).scalar()


def paths(app, prefix, ids):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        path = re.sub(r'<(?:[^:<>]+:)?([a-z_]+)>', lambda match: str(ids.get(match.group(1), 1)), rule.rule)
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            yield method, path


@pytest.mark.parametrize(
    'prefix',
    [
        '/cards',
        '/admin',
        '/login',
        '/password',
        '/cabinet',
        '/assignments',
        '/notifications',
        '/reports',
        '/certificates',
        '/signatures',
    ],
)
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
            with atomic():  # garbage given as the current password counts towards the lockout, as at the login
                db.session.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None))
            login(client, user)
    assert failures == []


GARBAGE_QUERIES = (
    {'page': 'x', 'kind': 'нет', 'q': '%'},
    {'filter': 'x' * 5000, 'page': '99999999999999999999999', 'per_page': '-1'},
)


def garbage_upload():
    """Multipart garbage: control characters, a path for a name, bytes of no allowed type."""
    return {'text': '\x00\x01', 'files': FileStorage(io.BytesIO(b'\x00' * 10), '../../etc/passwd'), 'file': 'x'}


def test_api_answers_garbage_with_json_4xx(app, client, own):
    ids, user = own
    with atomic():
        token = api_token(user)
    headers = {'Authorization': f'Bearer {token}'}
    failures = []
    for method, path in paths(app, '/api/v1', ids):
        if method == 'GET':
            requests = [{'query_string': query} for query in GARBAGE_QUERIES]
        else:
            requests = [{'json': body} for body in JSON_GARBAGE]
            requests += [{'data': b'{broken', 'content_type': 'application/json'}, {'data': garbage_upload()}]
        for request in requests:
            response = client.open(path, method=method, headers=headers, **request)
            downloaded = response.status_code == 200 and (path.endswith(('/content', '/file')) or '/files/' in path)
            if response.status_code >= 500 or not (response.is_json or response.status_code == 204 or downloaded):
                failures.append((method, path, str(request)[:40], response.status_code))
            response.close()
    assert failures == []
