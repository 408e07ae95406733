"""The signature API: certificates (PKCS#12 with its password or a certificate alone), signing an attachment on the
server, a signature made by `openssl cms -sign` uploaded and verified before it is accepted (a refusal keeps its
report), the `.sig` file, re-verification, the upload check, reports as JSON and PDF, the trust store for
administrators, the OpenAPI shapes, and 404 across organizations."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from edms.core.blobs import blob_store
from edms.core.tx import atomic
from edms.signatures.operations import add_client_certificate
from scripts.make_test_pki import TestPki
from tests.api.conftest import ApiUser, api_user
from tests.api.schema_check import SchemaChecker
from tests.factories import api_token, make_organization
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.openssl_tools import openssl, requires_openssl
from tests.signatures.store_setup import DOCUMENT, Ministry, install_trust, make_ministry, openssl_verifies, p12

PASSWORD = 'test123'


@pytest.fixture
def ministry(app_ctx: Any, test_pki: TestPki) -> Ministry:  # noqa: F811
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


@pytest.fixture
def signer(ministry: Ministry) -> ApiUser:
    user = ministry.person('rsa')
    with atomic():
        token = api_token(user)
    return ApiUser(user, token)


def post_files(client: FlaskClient, url: str, who: ApiUser, fields: dict[str, Any]) -> TestResponse:
    """A multipart POST encoded in memory; (bytes, name) values become files."""
    values = {
        name: FileStorage(BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        for name, value in fields.items()
    }
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, headers=who.headers, content_type=f'multipart/form-data; boundary={boundary}')


def signatures_url(ministry: Ministry) -> str:
    return f'/api/v1/cards/{ministry.card.id}/attachments/{ministry.attachment.id}/signatures'


def import_p12(client: FlaskClient, ministry: Ministry, who: ApiUser) -> dict[str, Any]:
    fields = {'file': (p12(ministry.pki, 'rsa'), 'ivanov.pfx'), 'password': PASSWORD}
    response = post_files(client, '/api/v1/certificates', who, fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def server_sign(client: FlaskClient, ministry: Ministry, who: ApiUser) -> dict[str, Any]:
    certificate = import_p12(client, ministry, who)
    body = {'certificate_id': certificate['id'], 'password': PASSWORD}
    response = client.post(signatures_url(ministry), json=body, headers=who.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_pkcs12_is_imported_with_its_password_and_the_profile_is_shown(client, ministry, signer):
    certificate = import_p12(client, ministry, signer)
    SchemaChecker(client).check(certificate, 'Certificate')
    profile = ministry.pki.users['rsa'].profile
    assert certificate['has_key'] is True
    assert (certificate['profile']['ogrn'], certificate['profile']['snils']) == (profile['ogrn'], profile['snils'])
    assert certificate['profile']['tool_classes'] == ['КС1', 'КС2']
    assert certificate['profile']['issuer_sign_tool']['ca_tool'] == 'Тестовый ПАК «Удостоверяющий центр»'
    listed = client.get('/api/v1/certificates', headers=signer.headers).get_json()['items']
    assert [item['id'] for item in listed] == [certificate['id']]
    one = client.get(certificate['url'], headers=signer.headers)
    assert one.get_json() == certificate


def test_a_certificate_alone_is_bound_without_key(client, ministry):
    who = api_user(ministry.organization, 'manager', snils=ministry.pki.users['ec'].profile['snils'])
    fields = {'file': (ministry.pki.users['ec'].cert_pem.read_bytes(), 'petrova.pem')}
    response = post_files(client, '/api/v1/certificates', who, fields)
    assert response.status_code == 201
    assert response.get_json()['has_key'] is False


@pytest.mark.parametrize(
    ('fields', 'status', 'code'),
    [
        ({'file': ('rsa', 'k.p12'), 'password': 'wrong'}, 422, 'pkcs12_wrong_password'),
        ({'file': ('expired', 'k.p12'), 'password': PASSWORD}, 422, 'certificate_expired'),
        ({'file': (b'garbage', 'k.p12'), 'password': PASSWORD}, 422, 'pkcs12_broken'),
        ({'file': (b'garbage', 'k.cer')}, 422, 'bad_certificate'),
        ({'file': (b'x' * (2 * 1024 * 1024), 'k.cer')}, 422, 'validation_failed'),
        ({'password': PASSWORD}, 422, 'validation_failed'),
        ({'file': ('rsa', 'k.p12'), 'password': PASSWORD, 'owner': 'x'}, 422, 'validation_failed'),
    ],
)
def test_certificate_refusals_are_json_errors(client, ministry, signer, fields, status, code):
    if 'file' in fields and isinstance(fields['file'][0], str):
        fields = {**fields, 'file': (p12(ministry.pki, fields['file'][0]), 'k.p12')}
    response = post_files(client, '/api/v1/certificates', signer, fields)
    assert response.status_code == status
    assert response.get_json()['error']['code'] == code
    assert PASSWORD not in response.get_data(as_text=True)


def test_a_certificate_sent_as_json_is_415(client, signer):
    response = client.post('/api/v1/certificates', json={'file': 'x'}, headers=signer.headers)
    assert response.status_code == 415


def test_server_signing_the_sig_file_reverification_and_the_reports(client, ministry, signer, tmp_path):
    signed = server_sign(client, ministry, signer)
    checker = SchemaChecker(client)
    checker.check(signed, 'SignatureDetail')
    assert signed['last_verdict'] == 'valid'
    assert signed['verification']['report']['verdict_title'] == 'Подпись действительна'
    listed = client.get(signatures_url(ministry), headers=signer.headers).get_json()
    checker.check(listed, 'SignatureList')
    sig = client.get(signed['download_url'], headers=signer.headers)
    assert sig.mimetype == 'application/pkcs7-signature'
    assert openssl_verifies(ministry.pki, tmp_path, 'rsa', DOCUMENT, sig.data)
    again = client.post(signed['verify_url'], headers=signer.headers)
    assert again.status_code == 201
    checker.check(again.get_json(), 'Verification')
    assert again.get_json()['trust_fingerprint'] == signed['verification']['trust_fingerprint']
    assert again.get_json()['verdict'] == 'valid'
    latest = client.get(signed['url'], headers=signer.headers).get_json()
    assert latest['verification']['id'] == again.get_json()['id']
    pdf = client.get(again.get_json()['pdf_url'], headers=signer.headers)
    assert pdf.mimetype == 'application/pdf'
    assert pdf.data.startswith(b'%PDF-')
    for bad in ('?format=xml', '?colour=red'):
        assert client.get(again.get_json()['url'] + bad, headers=signer.headers).status_code == 422


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'password': PASSWORD}, 'certificate_id'),
        ({'certificate_id': 'первый', 'password': PASSWORD}, 'certificate_id'),
        ({'certificate_id': 1}, 'password'),
        ({'certificate_id': 1, 'password': 123}, 'password'),
        ({'certificate_id': 1, 'password': PASSWORD, 'pin': '0000'}, 'pin'),
    ],
)
def test_sign_input_is_checked_field_by_field(client, ministry, signer, body, field):
    response = client.post(signatures_url(ministry), json=body, headers=signer.headers)
    assert response.status_code == 422
    assert field in response.get_json()['error']['fields']


def test_a_wrong_password_or_someone_elses_certificate_signs_nothing(client, ministry, signer):
    certificate = import_p12(client, ministry, signer)
    wrong = client.post(
        signatures_url(ministry), json={'certificate_id': certificate['id'], 'password': 'x'}, headers=signer.headers
    )
    assert wrong.get_json()['error']['code'] == 'pkcs12_wrong_password'
    other = api_user(ministry.organization, 'manager')
    foreign = client.post(
        signatures_url(ministry),
        json={'certificate_id': certificate['id'], 'password': PASSWORD},
        headers=other.headers,
    )
    assert foreign.status_code == 404
    assert client.get(signatures_url(ministry), headers=signer.headers).get_json()['items'] == []


def openssl_signature(ministry: Ministry, folder: Path, data: bytes) -> bytes:
    files = ministry.pki.users['rsa']
    (folder / 'doc.bin').write_bytes(data)
    made = openssl(
        'cms', '-sign', '-binary', '-cades', '-nosmimecap', '-in', folder / 'doc.bin', '-outform', 'DER',
        '-signer', files.cert_pem, '-inkey', files.key_pem, '-md', 'sha256', '-out', folder / 'doc.sig',
    )  # fmt: skip
    assert made.returncode == 0, made.stderr.decode()
    return (folder / 'doc.sig').read_bytes()


@requires_openssl
def test_an_openssl_signature_is_accepted_and_a_refusal_keeps_its_report(client, ministry, signer, tmp_path):
    with atomic():
        add_client_certificate(signer.user, signer.user, ministry.pki.user_der('rsa'))
    url = signatures_url(ministry)
    refused = post_files(client, url, signer, {'signature': (openssl_signature(ministry, tmp_path, b'x'), 'x.sig')})
    assert refused.status_code == 422
    error = refused.get_json()['error']
    SchemaChecker(client).check(refused.get_json(), 'SignatureRefusal')
    assert 'integrity' in error['failed']
    assert 'Целостность документа' in error['message']
    report = client.get(error['verification_url'], headers=signer.headers).get_json()
    assert report['verdict'] == 'invalid'
    fields = {'signature': (openssl_signature(ministry, tmp_path, DOCUMENT), 'приказ.pdf.sig')}
    accepted = post_files(client, url, signer, fields)
    assert accepted.status_code == 201
    assert (accepted.get_json()['method'], accepted.get_json()['last_verdict']) == ('client', 'valid')
    extra = post_files(client, url, signer, {**fields, 'comment': 'x'})
    assert extra.status_code == 422
    assert 'comment' in extra.get_json()['error']['fields']


@requires_openssl
def test_the_upload_check_answers_the_report_and_keeps_only_hashes(client, ministry, signer, tmp_path):
    data = b'A letter to check ' * 50
    fields = {'file': (data, 'letter.txt'), 'signature': (openssl_signature(ministry, tmp_path, data), 'l.sig')}
    response = post_files(client, '/api/v1/signatures/verify', signer, fields)
    assert response.status_code == 201
    body = response.get_json()
    SchemaChecker(client).check(body, 'Verification')
    assert body['verdict'] == 'valid'
    assert body['file_sha256'] == hashlib.sha256(data).hexdigest()
    assert not blob_store().exists(body['file_sha256'])
    huge = {'file': (data, 'letter.txt'), 'signature': (b'\x30\x84' + b'\x00' * (50 * 1024 * 1024), 'big.sig')}
    big = post_files(client, '/api/v1/signatures/verify', signer, huge)
    assert big.status_code == 201
    assert big.get_json()['verdict'] == 'invalid'
    assert big.get_json()['report']['checks'][0]['code'] == 'format'
    missing = post_files(client, '/api/v1/signatures/verify', signer, {'file': (data, 'letter.txt')})
    assert missing.status_code == 422
    assert 'signature' in missing.get_json()['error']['fields']


def test_the_trust_store_is_read_by_administrators_only(client, ministry):
    admin = api_user(ministry.organization, 'administrator')
    checker = SchemaChecker(client)
    listed = client.get('/api/v1/trust/certificates', headers=admin.headers)
    checker.check(listed.get_json(), 'TrustedCertificateList')
    assert len(listed.get_json()['items']) == 4
    first = listed.get_json()['items'][0]
    assert client.get(first['url'], headers=admin.headers).get_json() == first
    crls = client.get('/api/v1/trust/crls', headers=admin.headers).get_json()
    checker.check(crls, 'CrlList')
    assert len(crls['items']) == 4
    clerk = api_user(ministry.organization, 'clerk')
    for url in ('/api/v1/trust/certificates', first['url'], '/api/v1/trust/crls'):
        assert client.get(url, headers=clerk.headers).status_code == 403


def test_another_organizations_signatures_certificates_and_reports_are_not_found(client, ministry, signer):
    signed = server_sign(client, ministry, signer)
    with atomic():
        other_org = make_organization('Чужое ведомство')
    outsider = api_user(other_org, 'clerk', 'administrator', 'manager', can_access_restricted=True)
    urls = [
        signed['url'],
        signed['download_url'],
        signed['verification']['url'],
        signed['verification']['pdf_url'],
        f'/api/v1/certificates/{signed["user_certificate_id"]}',
        signatures_url(ministry),
    ]
    for url in urls:
        response = client.get(url, headers=outsider.headers)
        assert response.status_code == 404, url
        assert response.is_json
    assert client.post(signed['verify_url'], headers=outsider.headers).status_code == 404
