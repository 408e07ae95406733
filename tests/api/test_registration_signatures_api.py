"""The API of signing a card's records: the registration data (simple by default, qualified with a stored container,
checked against the current data on every read), a PDF attachment signed inside with the stamp (a new file, the
original kept; GOST refused), a signed PDF alone on the verify endpoint, the OpenAPI shapes, 404 across
organizations."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from edms.registry.operations import add_attachment
from edms.signatures.operations import add_client_certificate, import_certificate
from edms.signatures.operations.common import attachment_bytes
from scripts.make_test_pki import TestPki
from tests.api.conftest import ApiUser, api_user
from tests.api.schema_check import SchemaChecker
from tests.factories import api_token, make_card, make_organization
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.pdf_helpers import make_pdf
from tests.signatures.store_setup import Ministry, install_trust, make_ministry, p12

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


def bind(ministry: Ministry, who: ApiUser, person: str = 'rsa') -> int:
    with atomic():
        return import_certificate(who.user, who.user, p12(ministry.pki, person), PASSWORD).id


def url(ministry: Ministry) -> str:
    return f'/api/v1/cards/{ministry.card.id}/registration-signatures'


def add_pdf(ministry: Ministry) -> Attachment:
    with atomic():
        return add_attachment(ministry.clerk, ministry.card, BytesIO(make_pdf()), 'распоряжение.pdf')


def post_file(client: FlaskClient, who: ApiUser, data: bytes, name: str) -> TestResponse:
    boundary, body = encode_multipart({'file': FileStorage(BytesIO(data), name)})
    content_type = f'multipart/form-data; boundary={boundary}'
    return client.post('/api/v1/signatures/verify', data=body, headers=who.headers, content_type=content_type)


def test_a_simple_registration_signature_is_made_by_default_and_listed(client, ministry, signer):
    response = client.post(url(ministry), headers=signer.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    SchemaChecker(client).check(body, 'RegistrationSignature')
    assert response.headers['Location'] == body['url']
    assert (body['method'], body['content_unchanged'], body['report']) == ('simple', True, None)
    assert body['signer']['id'] == signer.user.id
    listed = client.get(url(ministry), headers=signer.headers).get_json()
    SchemaChecker(client).check(listed, 'RegistrationSignatureList')
    assert [item['id'] for item in listed['items']] == [body['id']]
    again = client.post(url(ministry), json={'method': 'simple'}, headers=signer.headers)
    assert again.status_code == 409
    assert again.get_json()['error']['code'] == 'registration_already_signed'


def test_a_qualified_registration_signature_carries_its_report_and_a_change_is_seen(client, ministry, signer):
    body = {'method': 'qualified', 'certificate_id': bind(ministry, signer), 'password': PASSWORD}
    response = client.post(url(ministry), json=body, headers=signer.headers)
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()
    SchemaChecker(client).check(signed, 'RegistrationSignature')
    assert signed['report']['verdict'] == 'valid'
    assert PASSWORD not in response.get_data(as_text=True)
    with atomic():
        db.session.get(Card, ministry.card.id).summary = 'Изменённое содержание'
    later = client.get(signed['url'], headers=signer.headers).get_json()
    assert later['content_unchanged'] is False
    assert later['report']['verdict'] == 'invalid'
    [checked] = later['report']['signers']
    assert {check['code'] for check in checked['checks'] if check['status'] == 'failed'} == {'integrity'}


@pytest.mark.parametrize(
    ('body', 'status', 'code'),
    [
        ({'method': 'advanced'}, 422, 'validation_failed'),
        ({'method': 'qualified'}, 422, 'validation_failed'),
        ({'method': 'simple', 'pin': '1'}, 422, 'validation_failed'),
        ({'method': 'qualified', 'certificate_id': 'own', 'password': 'wrong'}, 422, 'pkcs12_wrong_password'),
        ({'method': 'qualified', 'certificate_id': 999999, 'password': PASSWORD}, 404, 'certificate_not_found'),
    ],
)
def test_registration_signing_refusals_are_json_errors(client, ministry, signer, body, status, code):
    if body.get('certificate_id') == 'own':
        body = {**body, 'certificate_id': bind(ministry, signer)}
    response = client.post(url(ministry), json=body, headers=signer.headers)
    assert response.status_code == status
    assert response.get_json()['error']['code'] == code


def test_a_draft_card_is_not_signed(client, ministry, signer):
    with atomic():
        draft = make_card(ministry.clerk, register=False)
    response = client.post(f'/api/v1/cards/{draft.id}/registration-signatures', headers=signer.headers)
    assert response.status_code == 409
    assert response.get_json()['error']['code'] == 'card_not_registered'


def test_a_pdf_is_signed_inside_with_the_stamp_as_a_new_file(client, ministry, signer):
    pdf = add_pdf(ministry)
    body = {'certificate_id': bind(ministry, signer), 'password': PASSWORD}
    pades = f'/api/v1/cards/{ministry.card.id}/attachments/{pdf.id}/pades'
    response = client.post(pades, json=body, headers=signer.headers)
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()
    SchemaChecker(client).check(signed, 'PadesSigned')
    assert signed['attachment']['filename'] == 'распоряжение (подписан).pdf'
    assert response.headers['Location'] == signed['attachment']['url']
    assert signed['verification']['verdict'] == 'valid'
    assert signed['verification']['attachment_id'] == signed['attachment']['id']
    files = client.get(f'/api/v1/cards/{ministry.card.id}', headers=signer.headers).get_json()['attachments']
    assert [item['filename'] for item in files][-2:] == ['распоряжение.pdf', 'распоряжение (подписан).pdf']
    not_pdf = client.post(
        f'/api/v1/cards/{ministry.card.id}/attachments/{ministry.attachment.id}/pades',
        json={**body, 'password': 1},
        headers=signer.headers,
    )
    assert not_pdf.status_code == 422


def test_gost_pades_and_a_file_that_is_not_a_pdf_are_refused(client, ministry):
    gost = api_user(ministry.organization, 'manager', snils=ministry.pki.users['gost256'].profile['snils'])
    with atomic():
        certificate = add_client_certificate(gost.user, gost.user, ministry.pki.user_der('gost256'))
        text = add_attachment(ministry.clerk, ministry.card, BytesIO(b'plain text'), 'note.txt')
    pdf = add_pdf(ministry)
    base = f'/api/v1/cards/{ministry.card.id}/attachments'
    body = {'certificate_id': certificate.id, 'password': 'x'}
    refused = client.post(f'{base}/{pdf.id}/pades', json=body, headers=gost.headers)
    assert refused.status_code == 422
    assert refused.get_json()['error']['code'] == 'pades_gost_unsupported'
    assert 'откреплённой подписью ГОСТ' in refused.get_json()['error']['message']
    not_pdf = client.post(f'{base}/{text.id}/pades', json=body, headers=gost.headers)
    assert not_pdf.get_json()['error']['code'] == 'not_pdf'


def test_a_signed_pdf_alone_is_verified_and_a_lone_non_pdf_asks_for_the_signature(client, ministry, signer):
    pdf = add_pdf(ministry)
    body = {'certificate_id': bind(ministry, signer), 'password': PASSWORD}
    signed = client.post(
        f'/api/v1/cards/{ministry.card.id}/attachments/{pdf.id}/pades', json=body, headers=signer.headers
    )
    data = attachment_bytes(db.session.get(Attachment, signed.get_json()['attachment']['id']))
    response = post_file(client, signer, data, 'signed.pdf')
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    SchemaChecker(client).check(report, 'Verification')
    assert report['verdict'] == 'valid'
    assert report['file_sha256'] == report['signature_sha256']
    lone = post_file(client, signer, b'plain text', 'a.txt')
    assert lone.status_code == 422
    assert 'signature' in lone.get_json()['error']['fields']


def test_another_organization_gets_404(client, ministry, signer):
    created = client.post(url(ministry), headers=signer.headers).get_json()
    pdf = add_pdf(ministry)
    stranger = api_user(make_organization('Чужое ведомство'), 'clerk', 'manager')
    assert client.get(url(ministry), headers=stranger.headers).status_code == 404
    assert client.post(url(ministry), headers=stranger.headers).status_code == 404
    assert client.get(created['url'], headers=stranger.headers).status_code == 404
    pades = f'/api/v1/cards/{ministry.card.id}/attachments/{pdf.id}/pades'
    assert client.post(pades, json={'certificate_id': 1, 'password': 'x'}, headers=stranger.headers).status_code == 404
