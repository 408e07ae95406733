"""The signature pages: «Мои сертификаты» (a PKCS#12 with its password, a certificate alone, each refusal next to its
field, the qualified profile), signing a card's file on the server, a signature made by `openssl cms -sign` uploaded
and verified before it is accepted, re-verification, the `.sig` file and the report as HTML and PDF, «Проверка
подписи» keeping only hashes, and the qualified signature of a resolution form."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.tx import atomic
from edms.resolutions.models import Resolution
from edms.resolutions.operations import draft_resolution
from edms.signatures.models import AttachmentSignature, UserCertificate, VerificationRecord
from edms.signatures.operations import add_client_certificate, import_certificate
from edms.signatures.pades import sign_pdf
from scripts.make_test_pki import SIGN_TOOL, TestPki
from tests.factories import login, make_organization, make_user, page_text, resolution_data, working_day
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.openssl_tools import openssl, requires_openssl
from tests.signatures.pdf_helpers import bundle_of, make_pdf
from tests.signatures.store_setup import DOCUMENT, Ministry, install_trust, make_ministry, openssl_verifies, p12

PASSWORD = 'test123'


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:  # noqa: F811
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), name)


def post_files(client, url: str, fields: dict) -> TestResponse:
    """A multipart POST encoded in memory (the test client would spool a large body to a file it never closes)."""
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f'multipart/form-data; boundary={boundary}')


def bind(ministry: Ministry, person: str = 'rsa') -> UserCertificate:
    user = ministry.person(person)
    with atomic():
        return import_certificate(user, user, p12(ministry.pki, person), PASSWORD)


def files_tab(client, ministry: Ministry) -> str:
    return client.get(f'/cards/{ministry.card.id}?tab=files').get_data(as_text=True)


def sign_url(ministry: Ministry) -> str:
    return f'/cards/{ministry.card.id}/attachments/{ministry.attachment.id}/sign'


def test_pkcs12_import_binds_the_certificate_and_shows_the_qualified_profile(client, ministry):
    user = ministry.person('rsa')
    login(client, user)
    assert 'Мои сертификаты' in client.get('/certificates/').get_data(as_text=True)
    data = {'container': upload(p12(ministry.pki, 'rsa'), 'ivanov.pfx'), 'password': PASSWORD}
    response = post_files(client, '/certificates/import', data)
    assert response.status_code == 302
    page = client.get(response.headers['Location']).get_data(as_text=True)
    profile = ministry.pki.users['rsa'].profile
    for label, value in [('ОГРН', profile['ogrn']), ('ИНН ЮЛ', profile['inn_le']), ('СНИЛС', profile['snils'])]:
        assert re.search(rf'data-field="{label}">{value}<', page), label
    assert SIGN_TOOL in page
    assert re.search(r'data-field="Класс средства ЭП">КС1, КС2<', page)
    assert 'digitalSignature' in page
    assert 'Тестовый ПАК' in page
    assert ministry.pki.users['rsa'].profile['inn'] in page
    assert PASSWORD not in page
    certificate = db.session.execute(select(UserCertificate)).scalar_one()
    assert certificate.user_id == user.id
    assert certificate.has_key


@pytest.mark.parametrize(
    ('person', 'password', 'field', 'message'),
    [
        ('rsa', 'неверный-пароль', 'password', 'Неверный пароль'),
        ('expired', PASSWORD, 'container', 'истёк'),
        ('not_yet_valid', PASSWORD, 'container', 'начинается'),
        ('no_signing', PASSWORD, 'container', 'не разрешает электронную подпись'),
    ],
)
def test_each_container_refusal_stands_next_to_its_field_and_the_password_never_returns(
    client, ministry, person, password, field, message
):
    login(client, ministry.person(person))
    data = {'container': upload(p12(ministry.pki, person), 'key.p12'), 'password': password}
    response = post_files(client, '/certificates/import', data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    feedback = re.search(rf'id="f-{field}"[^>]*>\s*<div class="invalid-feedback">([^<]*)<', page)
    assert feedback is not None, page[:3000]
    assert message in feedback.group(1)
    assert password not in page
    assert 'value=""' in re.search(r'<input[^>]*id="f-password"[^>]*>', page).group(0)
    assert db.session.execute(select(func.count(UserCertificate.id))).scalar_one() == 0


@pytest.mark.parametrize(
    ('content', 'message'),
    [('cer', 'нет закрытого ключа'), ('garbage', 'не является контейнером'), ('huge', 'не является контейнером')],
)
def test_a_certificate_or_garbage_given_as_a_container_is_refused(client, ministry, content, message):
    login(client, ministry.person('rsa'))
    data = {
        'cer': ministry.pki.cer_only.read_bytes(),
        'garbage': b'not a container' * 10,
        'huge': b'\x30' * (3 * 1024 * 1024),
    }[content]
    response = post_files(client, '/certificates/import', {'container': upload(data, 'x.pfx'), 'password': PASSWORD})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_certificate_of_another_person_is_not_bound_and_the_mismatch_is_named(client, ministry):
    with atomic():
        stranger = make_user(ministry.organization, 'manager', snils=ministry.pki.users['ec'].profile['snils'])
    login(client, stranger)
    data = {'container': upload(p12(ministry.pki, 'rsa'), 'ivanov.pfx'), 'password': PASSWORD}
    page = post_files(client, '/certificates/import', data).get_data(as_text=True)
    assert 'СНИЛС в сертификате' in page
    assert 'не совпадает' in page


def test_a_certificate_alone_is_bound_for_signing_with_ones_own_tool_and_can_be_withdrawn(client, ministry):
    login(client, ministry.person('ec'))
    pem = ministry.pki.users['ec'].cert_pem.read_bytes()
    response = post_files(client, '/certificates/add', {'certificate': upload(pem, 'petrova.pem')})
    assert response.status_code == 302
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'подписание своим средством ЭП' in page
    certificate = db.session.execute(select(UserCertificate)).scalar_one()
    assert certificate.has_key is False
    assert client.post(f'/certificates/{certificate.id}/disable').status_code == 302
    db.session.expire_all()
    assert db.session.get(UserCertificate, certificate.id).is_active is False
    garbage = post_files(client, '/certificates/add', {'certificate': upload(b'-----BEGIN', 'x.cer')})
    assert garbage.status_code == 422
    assert 'invalid-feedback' in garbage.get_data(as_text=True)


def test_server_signing_shows_the_verdict_the_sig_file_and_the_report_as_html_and_pdf(client, ministry, tmp_path):
    bind(ministry)
    login(client, ministry.person('rsa'))
    tab = files_tab(client, ministry)
    assert 'Подписать файл' in tab
    assert 'name="csrf_token"' in tab
    response = client.post(sign_url(ministry), data={'certificate_id': str(bind_id()), 'password': PASSWORD})
    assert response.status_code == 302
    tab = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'Подпись действительна' in tab
    signature = db.session.execute(select(AttachmentSignature)).scalar_one()
    base = f'/cards/{ministry.card.id}/attachments/{ministry.attachment.id}/signatures/{signature.id}'
    sig = client.get(f'{base}/file')
    assert sig.status_code == 200
    assert sig.mimetype == 'application/pkcs7-signature'
    assert "filename*=UTF-8''%D0%BF%D1%80%D0%B8%D0%BA%D0%B0%D0%B7.pdf.sig" in sig.headers['Content-Disposition']
    assert openssl_verifies(ministry.pki, tmp_path, 'rsa', DOCUMENT, sig.data)
    report = client.get(base, follow_redirects=True).get_data(as_text=True)
    assert 'Протокол проверки электронной подписи' in report
    assert 'data-verdict="valid"' in report
    record = db.session.execute(select(VerificationRecord)).scalar_one()
    pdf = client.get(f'/signatures/verifications/{record.id}/pdf')
    assert pdf.status_code == 200
    assert pdf.data.startswith(b'%PDF-')
    assert pdf.mimetype == 'application/pdf'


def bind_id() -> int:
    return db.session.execute(select(UserCertificate.id)).scalar_one()


def test_signing_refusals_stand_in_the_sign_form_of_that_file(client, ministry):
    bind(ministry)
    login(client, ministry.person('rsa'))
    key = f'sign-{ministry.attachment.id}'
    wrong = client.post(sign_url(ministry), data={'form': key, 'certificate_id': bind_id(), 'password': 'nope-nope'})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert 'Неверный пароль' in page
    assert 'nope-nope' not in page
    empty = client.post(sign_url(ministry), data={'form': key, 'certificate_id': ''})
    assert empty.status_code == 422
    assert 'выберите сертификат' in empty.get_data(as_text=True)
    # An unknown or someone else's certificate: the same message next to the certificate field, nothing revealed.
    foreign = client.post(sign_url(ministry), data={'form': key, 'certificate_id': '999999', 'password': PASSWORD})
    assert foreign.status_code == 422
    assert '«Сертификат»: такого сертификата нет среди ваших сертификатов.' in page_text(foreign.get_data(as_text=True))
    assert db.session.execute(select(func.count(AttachmentSignature.id))).scalar_one() == 0


@requires_openssl
def test_a_signature_made_by_openssl_is_accepted_and_one_over_another_file_is_refused(client, ministry, tmp_path):
    user = ministry.person('rsa')
    with atomic():
        add_client_certificate(user, user, ministry.pki.user_der('rsa'))
    login(client, user)
    url = f'/cards/{ministry.card.id}/attachments/{ministry.attachment.id}/signatures'
    other = client.post(url, data={'signature': upload(openssl_sign(ministry, tmp_path, b'other'), 'x.sig')})
    assert other.status_code == 302
    assert '/signatures/verifications/' in other.headers['Location']
    refused = client.get(other.headers['Location']).get_data(as_text=True)
    assert 'Подпись не принята' in refused
    assert 'Целостность документа' in refused
    accepted = client.post(url, data={'signature': upload(openssl_sign(ministry, tmp_path, DOCUMENT), 'a.sig')})
    assert accepted.status_code == 302
    assert 'Подпись действительна' in client.get(accepted.headers['Location']).get_data(as_text=True)
    signature = db.session.execute(select(AttachmentSignature)).scalar_one()
    assert signature.method == 'client'
    assert signature.last_verdict == 'valid'
    again = client.post(f'{url}/{signature.id}/verify', follow_redirects=True).get_data(as_text=True)
    assert 'Все проверки этой подписи' in again
    assert 'этот протокол' in again
    records = (
        db.session.execute(select(VerificationRecord).where(VerificationRecord.attachment_signature_id == signature.id))
        .scalars()
        .all()
    )
    assert len(records) == 2
    assert records[0].trust_fingerprint == records[1].trust_fingerprint
    assert {record.verdict for record in records} == {'valid'}
    missing = client.post(url, data={'form': f'upload-sig-{ministry.attachment.id}'})
    assert missing.status_code == 422
    assert 'выберите файл подписи' in missing.get_data(as_text=True)


def openssl_sign(ministry: Ministry, folder, data: bytes) -> bytes:
    files = ministry.pki.users['rsa']
    (folder / 'doc.bin').write_bytes(data)
    made = openssl(
        'cms', '-sign', '-binary', '-cades', '-nosmimecap', '-in', folder / 'doc.bin', '-outform', 'DER',
        '-signer', files.cert_pem, '-inkey', files.key_pem, '-md', 'sha256', '-out', folder / 'doc.sig',
    )  # fmt: skip
    assert made.returncode == 0, made.stderr.decode()
    return (folder / 'doc.sig').read_bytes()


@requires_openssl
def test_the_verify_page_gives_the_report_and_keeps_only_hashes(client, ministry, tmp_path):
    login(client, ministry.clerk)
    data = b'Letter to check ' * 100
    signature = openssl_sign(ministry, tmp_path, data)
    response = client.post(
        '/signatures/verify', data={'file': upload(data, 'letter.txt'), 'signature': upload(signature, 'letter.sig')}
    )
    assert response.status_code == 302
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'data-verdict="valid"' in page
    assert 'letter.txt' in page
    record = db.session.execute(select(VerificationRecord)).scalar_one()
    assert record.file_sha256 == hashlib.sha256(data).hexdigest()
    assert not blob_store().exists(record.file_sha256)
    assert not blob_store().exists(record.signature_sha256)
    assert client.get(f'/signatures/verifications/{record.id}/pdf').data.startswith(b'%PDF-')


@pytest.mark.parametrize('kind', ['garbage', 'pem-text', 'huge'])
def test_bad_signatures_on_the_verify_page_give_a_failed_report_never_a_500(client, ministry, kind):
    login(client, ministry.clerk)
    signature = {
        'garbage': b'\x00\x01garbage',
        'pem-text': b'-----BEGIN PKCS7-----\nnot base64 at all\n-----END PKCS7-----\n',
        'huge': b'\x30\x84' + b'\x00' * (50 * 1024 * 1024),
    }[kind]
    fields = {'file': upload(DOCUMENT, 'doc.pdf'), 'signature': upload(signature, 'doc.sig')}
    response = post_files(client, '/signatures/verify', fields)
    assert response.status_code == 302
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'data-verdict="invalid"' in page
    assert 'data-check="format" data-status="failed"' in page


def test_a_signed_pdf_alone_is_verified_and_a_plain_file_without_signature_is_refused(client, ministry):
    login(client, ministry.clerk)
    signed = sign_pdf(make_pdf(), bundle_of(ministry.pki, 'rsa'), signing_time=datetime.now(UTC))
    response = client.post('/signatures/verify', data={'file': upload(signed, 'signed.pdf')})
    assert response.status_code == 302
    assert 'data-verdict="valid"' in client.get(response.headers['Location']).get_data(as_text=True)
    refused = client.post('/signatures/verify', data={'file': upload(b'plain text', 'a.txt')})
    assert refused.status_code == 422
    assert 'отсоединённой подписи' in refused.get_data(as_text=True)
    empty = client.post('/signatures/verify', data={})
    assert empty.status_code == 422
    assert 'выберите файл' in empty.get_data(as_text=True)


def test_another_organizations_certificate_signature_and_report_are_not_found(client, ministry):
    certificate = bind(ministry)
    user = ministry.person('rsa')
    login(client, user)
    client.post(sign_url(ministry), data={'certificate_id': certificate.id, 'password': PASSWORD})
    signature = db.session.execute(select(AttachmentSignature)).scalar_one()
    record = db.session.execute(select(VerificationRecord)).scalar_one()
    with atomic():
        outsider = make_user(make_organization('Чужое ведомство'), 'clerk', 'administrator', 'manager')
    client.post('/logout')
    login(client, outsider)
    base = f'/cards/{ministry.card.id}/attachments/{ministry.attachment.id}/signatures/{signature.id}'
    for url in [f'/certificates/{certificate.id}', base, f'{base}/file', f'/signatures/verifications/{record.id}']:
        assert client.get(url).status_code == 404, url
    assert client.post(f'{base}/verify').status_code == 404
    assert client.get(f'/signatures/verifications/{record.id}/pdf').status_code == 404


def test_resolution_form_offers_the_qualified_signature_and_signs_with_it(client, ministry):
    manager = ministry.person('rsa')
    url = f'/cards/{ministry.card.id}/resolutions/new'
    login(client, manager)
    assert 'Подписать квалифицированной подписью' not in client.get(url).get_data(as_text=True)
    certificate = bind(ministry)
    form = client.get(url).get_data(as_text=True)
    assert 'Подписать квалифицированной подписью' in form
    assert 'value="simple" id="sig-simple" checked' in form
    data = resolution_form(ministry)
    data.update(signature_method='qualified', certificate_id=str(certificate.id), password='wrong-secret')
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    assert 'wrong-secret' not in refused.get_data(as_text=True)
    assert 'value="qualified" id="sig-qualified" checked' in refused.get_data(as_text=True)
    data['password'] = PASSWORD
    assert client.post(url, data=data).status_code == 302
    resolution = db.session.execute(select(Resolution)).scalar_one()
    assert resolution.signature_method == 'qualified'
    assert resolution.signature_value


def resolution_form(ministry: Ministry) -> dict[str, str]:
    with atomic():
        executor = make_user(ministry.organization, 'executor')
    return {
        'text': 'Подготовить ответ',
        'executors-0-user_id': str(executor.id),
        'responsible': '0',
        'executors-0-deadline': working_day(10).isoformat(),
    }


def test_a_draft_approved_as_is_from_the_card_may_be_signed_with_the_qualified_signature(client, ministry):
    manager = ministry.person('rsa')
    certificate = bind(ministry)
    with atomic():
        assistant, executor = (
            make_user(ministry.organization, 'assistant'),
            make_user(ministry.organization, 'executor'),
        )
        raw = {**resolution_data(executor), 'author_id': manager.id}
        draft = draft_resolution(assistant, ministry.card, raw)
    login(client, manager)
    tab = client.get(f'/cards/{ministry.card.id}?tab=resolutions').get_data(as_text=True)
    assert f'id="approve-{draft.id}-signature_method"' in tab
    url = f'/cards/{ministry.card.id}/resolutions/{draft.id}/approve'
    form = {'form': f'approve-{draft.id}', 'signature_method': 'qualified', 'certificate_id': str(certificate.id)}
    refused = client.post(url, data={**form, 'password': 'wrong-secret'})
    assert refused.status_code == 422
    assert 'wrong-secret' not in refused.get_data(as_text=True)
    assert 'Неверный пароль' in refused.get_data(as_text=True)
    approved = client.post(url, data={**form, 'password': PASSWORD}, follow_redirects=True)
    assert 'подписан квалифицированной ЭП' in approved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Resolution, draft.id).signature_method == 'qualified'
