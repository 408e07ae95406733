"""The trust store pages: the system administrator imports CA certificates (accredited or not), toggles the flag,
stops trusting a CA, uploads a CRL and starts the CRL refresh job; each refusal stands next to its file field with the
other fields filled again; administrators of organizations read the store and change nothing; others do not see it."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from edms.core.db import db
from edms.core.tx import atomic
from edms.signatures.models import CertificateRevocationList, TrustedCertificate
from scripts.make_test_pki import TestPki
from tests.factories import login, make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.store_setup import Ministry, install_trust, make_ministry


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:  # noqa: F811
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), name)


def post_files(client, url: str, fields: dict) -> TestResponse:
    """A multipart POST encoded in memory."""
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f'multipart/form-data; boundary={boundary}')


def test_the_system_administrator_manages_the_trust_store(client, app_ctx, test_pki, monkeypatch):  # noqa: F811
    with atomic():
        operator = make_user(make_organization('Оператор'), 'administrator', is_system_admin=True)
    login(client, operator)
    fields = {'file': upload(test_pki.ca_der('root'), 'root.cer'), 'accredited': '1', 'note': 'Тестовый корень'}
    assert post_files(client, '/admin/trust/import', fields).status_code == 302
    listing = client.get('/admin/trust/').get_data(as_text=True)
    assert 'Тестовый корень' in listing
    assert 'аккредитован</span>' in listing
    trusted = db.session.execute(select(TrustedCertificate)).scalar_one()
    assert 'Издатель' in client.get(f'/admin/trust/{trusted.id}').get_data(as_text=True)
    assert client.post(f'/admin/trust/{trusted.id}/accredited', data={'accredited': '0'}).status_code == 302
    crl = {'crl': upload(test_pki.cas['root'].crl_der.read_bytes(), 'root.crl')}
    assert post_files(client, '/admin/trust/crls', crl).status_code == 302
    assert client.post(f'/admin/trust/{trusted.id}/deactivate').status_code == 302
    db.session.expire_all()
    trusted = db.session.get(TrustedCertificate, trusted.id)
    assert (trusted.is_accredited, trusted.is_active) == (False, False)
    assert db.session.execute(select(func.count(CertificateRevocationList.id))).scalar_one() == 1
    runs = []
    monkeypatch.setattr('edms.signatures.jobs.refresh_crls', lambda: runs.append('run'))
    assert client.post('/admin/trust/crls/refresh').status_code == 302
    assert runs == ['run']


@pytest.mark.parametrize(
    ('url', 'field', 'content', 'message'),
    [
        ('/admin/trust/import', 'file', 'user', 'не является сертификатом удостоверяющего центра'),
        ('/admin/trust/import', 'file', 'garbage', 'не является сертификатом'),
        ('/admin/trust/crls', 'crl', 'garbage', 'не является списком отзыва'),
    ],
)
def test_trust_store_refusals_stand_next_to_the_file_field(client, app_ctx, test_pki, url, field, content, message):  # noqa: F811
    with atomic():
        operator = make_user(make_organization('Оператор'), 'administrator', is_system_admin=True)
    login(client, operator)
    data = test_pki.user_der('rsa') if content == 'user' else b'\x00garbage' * 100
    response = post_files(client, url, {field: upload(data, 'x.bin'), 'note': 'примечание'})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in re.search(rf'id="f-{field}"[^>]*>\s*<div class="invalid-feedback">([^<]*)<', page).group(1)
    if field == 'file':
        assert 'value="примечание"' in page


def test_organization_administrators_read_the_trust_store_and_only_the_system_administrator_changes_it(
    client, ministry
):
    login(client, ministry.admin)
    trusted = db.session.execute(select(TrustedCertificate)).scalars().first()
    page = client.get('/admin/trust/').get_data(as_text=True)
    assert trusted.name in page
    assert 'Импортировать' not in page
    assert client.get(f'/admin/trust/{trusted.id}').status_code == 200
    fields = {'file': upload(ministry.pki.ca_der('other_root'), 'other.cer')}
    assert post_files(client, '/admin/trust/import', fields).status_code == 403
    assert client.post(f'/admin/trust/{trusted.id}/deactivate').status_code == 403
    client.post('/logout')
    login(client, ministry.clerk)
    assert client.get('/admin/trust/').status_code == 403
