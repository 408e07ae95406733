"""The applications API: filing over multipart with a detached signature of the owner's consent from the test PKI,
every problem of an invalid application in one 422, a partner's token filing on its client's behalf, the КЭП-signed
XML upload, the official's decisions and the applicant's resubmission and downloads, access, lists, providers."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from edms.audit.models import AuditEntry
from edms.auth.models import User
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from edms.signatures.models import AttachmentSignature, VerificationRecord
from scripts.make_test_pki import TestPki
from tests.citizen_services import samples
from tests.citizen_services.conftest import PDF_BYTES, TEMPORARY_FILES, World, count
from tests.factories import api_token

API = '/api/v1'


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


def sign(pki: TestPki, data: bytes, user: str = 'rsa') -> bytes:
    key = load_private_key(pki.users[user].key_der.read_bytes())
    return sign_detached(data, key, pki.user_der(user), pki.chain_ders(user), signing_time=datetime.now(UTC))


def consent_bytes() -> bytes:
    return PDF_BYTES + b'% owner consent'


def multipart(service: str, data: dict[str, Any], **parts: Any) -> dict[str, Any]:
    form: dict[str, Any] = {'service': service, 'data': json.dumps(data, ensure_ascii=False)}
    for name, value in parts.items():
        form[name.replace('__', '.')] = value
    return form


def temporary_form(pki: TestPki) -> dict[str, Any]:
    files = {f'files__{kind}': (io.BytesIO(PDF_BYTES + kind.encode()), f'{kind}.pdf') for kind in TEMPORARY_FILES}
    files['files__owner_consent'] = (io.BytesIO(consent_bytes()), 'согласие.pdf')
    signature = (io.BytesIO(sign(pki, consent_bytes())), 'согласие.pdf.sig')
    return multipart(
        'temporary_registration', samples.temporary_registration(), **files, signatures__owner_consent=signature
    )


def file_over_api(client: FlaskClient, world: World, pki: TestPki) -> dict[str, Any]:
    response = client.post(f'{API}/applications', data=temporary_form(pki), headers=headers(world.applicant))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_applicant_files_with_files_and_the_owners_signed_consent(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    body = file_over_api(client, world, trusted)
    assert (body['status'], body['status_label'], body['channel']) == ('in_progress', 'В обработке', 'portal')
    assert sorted(item['kind'] for item in body['files']) == sorted(TEMPORARY_FILES)
    assert body['card_id'] is None  # the applicant does not see the agency's card
    [signature] = db.session.execute(select(AttachmentSignature)).scalars().all()
    attachment = db.session.get(Attachment, signature.attachment_id)
    assert attachment is not None
    assert attachment.filename == 'согласие.pdf'
    assert signature.signer_summary.startswith('Иванов Иван Иванович')


def test_filing_inserts_the_application_once_and_links_the_signature_to_its_verification(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(' '.join(statement.split()))

    event.listen(db.engine, 'before_cursor_execute', seen)
    try:
        body = file_over_api(client, world, trusted)
    finally:
        event.remove(db.engine, 'before_cursor_execute', seen)
    # The id is taken before the card is made: one complete insert, never an update of the new row.
    assert not [text for text in statements if text.startswith('UPDATE citizen_services_applications')]
    application = db.session.get(Application, body['id'])
    assert application is not None
    assert application.number == body['number']
    assert (application.number or '').endswith(f'{application.id:06d}')
    assert application.card_id is not None
    [signature] = db.session.execute(select(AttachmentSignature)).scalars().all()
    [verification] = db.session.execute(select(VerificationRecord)).scalars().all()
    assert verification.attachment_signature_id == signature.id
    assert verification.signature_name == f'согласие.pdf.{signature.id}.sig' == signature.signature_filename
    assert (verification.attachment_id, verification.verdict) == (signature.attachment_id, signature.last_verdict)
    added = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'signatures.signature.add')).scalar_one()
    assert added.object_id == str(signature.id)
    assert added.data['verification_id'] == verification.id


def test_the_201_answered_from_memory_is_what_a_later_read_returns(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    body = file_over_api(client, world, trusted)
    db.session.expire_all()
    again = client.get(f'{API}/applications/{body["id"]}', headers=headers(world.applicant))
    assert again.status_code == 200
    assert body == again.get_json()
    assert [event['to'] for event in body['events']] == ['in_progress']
    assert body['agency']['name']


def test_invalid_application_is_one_422_naming_every_problem_and_keeping_nothing(
    client: FlaskClient, world: World
) -> None:
    data = samples.with_value(samples.temporary_registration(), 'applicant.snils', '112-233-445 00')
    data = samples.with_value(data, 'stay.reason', 'holiday')
    form = multipart('temporary_registration', data, files__identity_document=(io.BytesIO(b'not a pdf'), 'x.txt'))
    response = client.post(f'{API}/applications', data=form, headers=headers(world.applicant))
    assert response.status_code == 422
    error = response.get_json()['error']
    assert [problem['field'] for problem in error['problems']] == [
        'applicant.snils',
        'stay.reason',
        'attachments.identity_document',
        'attachments.residence_right',
        'attachments.owner_consent',
        'signatures.owner_consent',
    ]
    assert 'недопустимый тип файла' in error['fields']['attachments.identity_document']
    assert count(Application) == 0


def test_a_lower_limit_of_the_cards_files_is_the_applications_too(
    app: Flask, client: FlaskClient, world: World, trusted: TestPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation's cards take 256 KB files; the service's own rule allows 5 MB. A 300 KB file is refused by the
    filing with its field named, not later by the agency's card."""
    monkeypatch.setitem(app.config, 'MAX_ATTACHMENT_SIZE', 256 * 1024)
    form = temporary_form(trusted)
    form['files.identity_document'] = (io.BytesIO(PDF_BYTES.ljust(300 * 1024, b' ')), 'паспорт.pdf')
    response = client.post(f'{API}/applications', data=form, headers=headers(world.applicant))
    assert response.status_code == 422
    message = response.get_json()['error']['fields']['attachments.identity_document']
    assert message.endswith('(файл «паспорт.pdf»): размер больше 0.25 МБ.')
    assert count(Application) == 0


def test_partner_files_on_its_clients_behalf_with_its_token(client: FlaskClient, world: World) -> None:
    body = {'service': 'taxpayer_cabinet', 'data': samples.taxpayer_cabinet(), 'on_behalf': {'name': 'Петров Пётр'}}
    response = client.post(f'{API}/applications', json=body, headers=headers(world.bank_user))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created['channel'], created['applicant']['filed_via_organization_id']) == ('partner', world.bank.id)
    assert created['applicant']['name'] == 'Петров Пётр'
    assert created['applicant']['user_id'] == world.applicant.id  # the same СНИЛС: the applicant's cabinet shows it
    listed = client.get(f'{API}/applications', headers=headers(world.bank_user)).get_json()
    assert [item['id'] for item in listed['items']] == [created['id']]
    again = client.get(created['url'], headers=headers(world.other_applicant))
    assert again.status_code == 404


def test_xml_upload_signed_with_a_qualified_certificate(client: FlaskClient, world: World, trusted: TestPki) -> None:
    xml = samples.to_xml(get_service('taxpayer_cabinet'), samples.taxpayer_cabinet())
    form = {
        'service': 'taxpayer_cabinet',
        'xml': (io.BytesIO(xml), 'заявление.xml'),
        'signature': (io.BytesIO(sign(trusted, xml)), 'заявление.xml.sig'),
    }
    response = client.post(f'{API}/applications/xml', data=form, headers=headers(world.applicant))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created['channel'], created['values']['birth_date']) == ('xml_upload', '1990-04-15')
    application = db.session.get(Application, created['id'])
    assert application is not None
    assert application.signatures[0]['qualified'] is True
    [signature] = db.session.execute(select(AttachmentSignature)).scalars().all()
    attachment = db.session.get(Attachment, signature.attachment_id)
    assert attachment is not None
    assert (attachment.card_id, attachment.content_type) == (
        application.card_id,
        'application/xml',
    )


def test_xml_application_is_corrected_by_a_new_signed_xml(client: FlaskClient, world: World, trusted: TestPki) -> None:
    service = get_service('taxpayer_cabinet')
    xml = samples.to_xml(service, samples.taxpayer_cabinet())
    form = {
        'service': service.code,
        'xml': (io.BytesIO(xml), 'a.xml'),
        'signature': (io.BytesIO(sign(trusted, xml)), 's'),
    }
    url = client.post(f'{API}/applications/xml', data=form, headers=headers(world.applicant)).get_json()['url']
    client.post(f'{url}/clarification', json={'text': 'Проверьте адрес почты.'}, headers=headers(world.tax_executor))
    corrected = samples.with_value(samples.taxpayer_cabinet(), 'email', 'petrov@example.com')
    response = client.post(f'{url}/resubmit', json={'data': corrected}, headers=headers(world.applicant))
    assert (response.status_code, list(response.get_json()['error']['fields'])) == (422, ['xml'])
    xml = samples.to_xml(service, corrected)
    form = {'xml': (io.BytesIO(xml), 'b.xml'), 'signature': (io.BytesIO(sign(trusted, xml)), 's')}
    response = client.post(f'{url}/resubmit', data=form, headers=headers(world.applicant))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()['values']['email'] == 'petrov@example.com'
    assert count(AttachmentSignature) == 2


def test_xml_with_a_signature_of_other_bytes_names_the_signature(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    xml = samples.to_xml(get_service('taxpayer_cabinet'), samples.taxpayer_cabinet())
    form = {
        'service': 'taxpayer_cabinet',
        'xml': (io.BytesIO(xml), 'заявление.xml'),
        'signature': (io.BytesIO(sign(trusted, xml + b' ')), 'заявление.xml.sig'),
    }
    response = client.post(f'{API}/applications/xml', data=form, headers=headers(world.applicant))
    assert response.status_code == 422
    [problem] = response.get_json()['error']['problems']
    assert (problem['field'], problem['code']) == ('signatures.application', 'signature')
    assert 'подпись недействительна' in problem['message']
    assert count(Application) == 0


def test_xml_breaking_the_schema_and_a_missing_signature_are_422(client: FlaskClient, world: World) -> None:
    form = {'service': 'taxpayer_cabinet', 'xml': (io.BytesIO(b'<application/>'), 'a.xml')}
    response = client.post(f'{API}/applications/xml', data=form, headers=headers(world.applicant))
    assert (response.status_code, list(response.get_json()['error']['fields'])) == (422, ['signature'])
    form = {
        'service': 'taxpayer_cabinet',
        'xml': (io.BytesIO(b'<application/>'), 'a.xml'),
        'signature': (io.BytesIO(b'x'), 'a.sig'),
    }
    response = client.post(f'{API}/applications/xml', data=form, headers=headers(world.applicant))
    assert response.status_code == 422
    assert response.get_json()['error']['problems'][0]['code'] == 'schema'


def test_official_asks_applicant_resubmits_official_approves_applicant_downloads(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    created = file_over_api(client, world, trusted)
    url, official, applicant = created['url'], headers(world.executor), headers(world.applicant)
    seen = client.get(url, headers=official).get_json()
    assert seen['card_id'] is not None
    response = client.post(f'{url}/clarification', json={'text': 'Укажите телефон.'}, headers=official)
    assert response.get_json()['clarification'] == 'Укажите телефон.'
    data = samples.with_value(samples.temporary_registration(), 'contacts.phone', '+7 999 111-22-33')
    response = client.post(f'{url}/resubmit', json={'data': data}, headers=applicant)
    assert response.status_code == 200, response.get_json()
    assert 'Требовалось уточнение сведений' in response.get_json()['deadline_explanation']
    result = PDF_BYTES + b'% certificate'
    form = {'result': (io.BytesIO(result), 'свидетельство.pdf'), 'comment': 'Готово.'}
    response = client.post(f'{url}/approve', data=form, headers=official)
    assert response.status_code == 200, response.get_json()
    final = client.get(url, headers=applicant).get_json()
    assert (final['status'], final['status_label']) == ('done', 'Одобрено')
    assert [event['to'] for event in final['events']] == [
        'in_progress',
        'clarification_required',
        'in_progress',
        'done',
    ]
    with client.get(final['result_url'], headers=applicant) as download:
        assert (download.status_code, download.data) == (200, result)
    with client.get(final['files'][0]['url'], headers=applicant) as download:
        assert download.status_code == 200
        assert download.data.startswith(b'%PDF')
    assert client.get(final['result_url'], headers=headers(world.other_applicant)).status_code == 404


def test_refusal_over_the_api_and_a_reason_not_in_the_list(client: FlaskClient, world: World) -> None:
    application = world.file()
    url = f'{API}/applications/{application.id}'
    response = client.post(f'{url}/refuse', json={'reasons': ['holiday']}, headers=headers(world.executor))
    assert (response.status_code, list(response.get_json()['error']['fields'])) == (422, ['reasons'])
    body = {'reasons': ['personal_data'], 'comment': 'Паспорт недействителен.'}
    response = client.post(f'{url}/refuse', json=body, headers=headers(world.executor))
    refusal = response.get_json()['refusal']
    assert refusal['reasons'][0]['code'] == 'personal_data'
    assert refusal['comment'] == 'Паспорт недействителен.'
    again = client.post(f'{url}/approve', headers=headers(world.executor))
    assert again.status_code == 409


def test_another_applicant_and_another_agency_get_404(client: FlaskClient, world: World) -> None:
    application = world.file()
    url = f'{API}/applications/{application.id}'
    assert client.get(url, headers=headers(world.other_applicant)).status_code == 404
    assert client.get(url, headers=headers(world.tax_executor)).status_code == 404
    response = client.post(f'{url}/approve', headers=headers(world.tax_executor))
    assert response.status_code == 404
    response = client.post(f'{url}/resubmit', json={'data': {}}, headers=headers(world.other_applicant))
    assert response.status_code == 404


def test_lists_filter_and_refuse_unknown_filters(client: FlaskClient, world: World) -> None:
    first, second = world.file(), world.file('taxpayer_cabinet')
    applicant = headers(world.applicant)
    listed = client.get(f'{API}/applications?service=taxpayer_cabinet', headers=applicant).get_json()
    assert [item['id'] for item in listed['items']] == [second.id]
    listed = client.get(f'{API}/applications?per_page=1', headers=applicant).get_json()
    assert (listed['items'][0]['id'], listed['has_next']) == (second.id, True)
    agency = client.get(f'{API}/applications', headers=headers(world.clerk)).get_json()
    assert [item['id'] for item in agency['items']] == [first.id]
    response = client.get(f'{API}/applications?status=lost&colour=red', headers=applicant)
    assert (response.status_code, sorted(response.get_json()['error']['fields'])) == (422, ['colour', 'status'])


def test_providers_are_managed_by_the_system_administrator(client: FlaskClient, world: World) -> None:
    admin = headers(world.sysadmin)
    listed = client.get(f'{API}/service-providers?service_code=taxpayer_cabinet', headers=admin).get_json()
    [provider] = listed['items']
    assert provider['organization']['id'] == world.tax.id
    response = client.patch(provider['url'], json={'is_active': False}, headers=admin)
    assert response.get_json()['is_active'] is False
    body = {'service': 'taxpayer_cabinet', 'data': samples.taxpayer_cabinet(), 'on_behalf': {'name': 'Петров Пётр'}}
    refused = client.post(f'{API}/applications', json=body, headers=headers(world.bank_user))
    assert (refused.status_code, refused.get_json()['error']['code']) == (409, 'service_unavailable')
    body = {'service_code': 'taxpayer_cabinet', 'organization_id': world.migration.id}
    assert client.post(f'{API}/service-providers', json=body, headers=headers(world.clerk)).status_code == 403
    created = client.post(f'{API}/service-providers', json=body, headers=admin)
    assert created.status_code == 201
    assert client.get(created.get_json()['url'], headers=headers(world.clerk)).status_code == 404
    assert client.delete(created.get_json()['url'], headers=admin).status_code == 204


def test_catalogue_lists_the_services_with_their_reasons(client: FlaskClient, world: World) -> None:
    services = client.get(f'{API}/services', headers=headers(world.applicant)).get_json()['items']
    by_code = {service['code']: service for service in services}
    assert set(by_code) == {'legal_entity_cabinet', 'temporary_registration', 'taxpayer_cabinet'}
    assert 'personal_data' in {reason['code'] for reason in by_code['temporary_registration']['refusal_reasons']}
