"""Signing attachments on the server (RSA, ECDSA, GOST 256/512 — every signature accepted by `openssl cms -verify`),
client signatures accepted or refused with the failed check named, re-verification, revoked signers, the upload
check that keeps only hashes, access across organizations, the journal, and the password nowhere."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from edms.audit.models import AuditEntry
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.errors import AttachmentNotFound, CardNotFound
from edms.registry.operations import add_attachment, remove_attachment
from edms.signatures.crypto import keys
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.errors import WrongPassword
from edms.signatures.crypto.pkcs12 import export_pkcs12
from edms.signatures.crypto.verify import verify_detached
from edms.signatures.errors import (
    AlreadySigned,
    CertificateNotFound,
    NoContainer,
    SignatureNotFound,
    SignatureRefused,
    VerificationNotFound,
)
from edms.signatures.models import AttachmentSignature, VerificationRecord
from edms.signatures.operations import (
    add_client_certificate,
    add_client_signature,
    import_certificate,
    sign_attachment,
    verify_attachment_signature,
    verify_upload,
)
from edms.signatures.operations.common import attachment_bytes
from edms.signatures.operations.signing import store_signatures
from edms.signatures.queries import get_signature, get_verification, signature_bytes
from edms.signatures.trust import trust_data
from scripts.make_test_pki import TestPki
from tests.factories import make_card, make_organization, make_user
from tests.signatures.openssl_tools import openssl, requires_engine, requires_openssl
from tests.signatures.store_setup import (
    DOCUMENT,
    Ministry,
    add_file,
    install_trust,
    make_ministry,
    openssl_verifies,
    p12,
)

PASSWORD = 'test123'
SIGNED_AT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


def bind(ministry: Ministry, pki: TestPki, person: str):
    user = ministry.person(person)
    with atomic():
        return import_certificate(user, user, p12(pki, person), PASSWORD)


def client_sign(pki: TestPki, person: str, data: bytes = DOCUMENT) -> bytes:
    """What a user's own tool produces: a detached CAdES-BES made outside the system with the user's key."""
    key = keys.load_private_key(pki.users[person].key_der.read_bytes())
    return sign_detached(data, key, pki.user_der(person), pki.chain_ders(person), signing_time=SIGNED_AT)


@pytest.mark.parametrize(
    'person',
    [
        pytest.param('rsa', marks=requires_openssl),
        pytest.param('ec', marks=requires_openssl),
        pytest.param('gost256', marks=requires_engine),
        pytest.param('gost512', marks=requires_engine),
    ],
)
def test_server_signing_makes_a_valid_signature_that_openssl_accepts(ministry, test_pki, tmp_path, person):
    certificate = bind(ministry, test_pki, person)
    user = ministry.person(person)
    with atomic():
        signature = sign_attachment(user, ministry.attachment, certificate.id, PASSWORD, signing_time=SIGNED_AT)
    stored = db.session.get(AttachmentSignature, signature.id)
    cms = signature_bytes(stored)
    assert openssl_verifies(test_pki, tmp_path, person, DOCUMENT, cms)
    assert not openssl_verifies(test_pki, tmp_path, person, DOCUMENT + b' ', cms)
    assert stored.method == 'server'
    assert stored.last_verdict == 'valid'
    assert stored.signer_fingerprint == certificate.fingerprint
    assert stored.signing_time == SIGNED_AT
    assert stored.file_sha256 == ministry.attachment.sha256 == hashlib.sha256(DOCUMENT).hexdigest()
    record = db.session.execute(select(VerificationRecord)).scalar_one()
    assert record.attachment_signature_id == stored.id
    assert record.verdict == 'valid'
    assert record.verification_report.signers[0].check('qualified').status == 'passed'
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'signatures.signature.add')).scalar_one()
    assert entry.data['attachment_id'] == ministry.attachment.id
    assert entry.data['verdict'] == 'valid'


def test_one_signature_per_signer_per_file_and_the_password_is_required(ministry, test_pki):
    certificate = bind(ministry, test_pki, 'rsa')
    user = ministry.person('rsa')
    with pytest.raises(WrongPassword):
        sign_attachment(user, ministry.attachment, certificate.id, 'not-the-password')
    db.session.rollback()
    with atomic():
        sign_attachment(user, ministry.attachment, certificate.id, PASSWORD)
    with pytest.raises(AlreadySigned):
        sign_attachment(user, ministry.attachment, certificate.id, PASSWORD)
    db.session.rollback()
    with pytest.raises(CertificateNotFound):  # signing is personal: nobody signs with another user's certificate
        sign_attachment(ministry.person('ec'), ministry.attachment, certificate.id, PASSWORD)
    db.session.rollback()
    with atomic():
        client_only = add_client_certificate(ministry.person('ec'), ministry.person('ec'), test_pki.user_der('ec'))
    with pytest.raises(NoContainer, match='нет контейнера с ключом'):
        sign_attachment(ministry.person('ec'), ministry.attachment, client_only.id, PASSWORD)
    assert db.session.execute(select(func.count(AttachmentSignature.id))).scalar_one() == 1


def test_a_client_signature_by_the_users_certificate_is_accepted(ministry, test_pki):
    user, cms = ministry.person('ec'), client_sign(test_pki, 'ec')
    with atomic():
        certificate = add_client_certificate(user, user, test_pki.user_der('ec'))
        result = add_client_signature(user, ministry.attachment, cms, signature_name='приказ.pdf.sig')
    assert result.accepted
    assert result.refusal is None
    result.raise_if_refused()
    stored = db.session.get(AttachmentSignature, result.signature.id)
    assert stored.method == 'client'
    assert stored.last_verdict == 'valid'
    assert stored.user_certificate_id == certificate.id
    assert result.record.attachment_signature_id == stored.id
    assert signature_bytes(stored) == cms


@pytest.mark.parametrize(
    ('person', 'digest'),
    [
        pytest.param('rsa', 'sha256', marks=requires_openssl),
        pytest.param('gost256', 'md_gost12_256', marks=requires_engine),
    ],
)
def test_a_signature_made_by_openssl_cms_sign_is_accepted(ministry, test_pki, tmp_path, person, digest):
    (tmp_path / 'doc.bin').write_bytes(DOCUMENT)
    files = test_pki.users[person]
    made = openssl(
        'cms', '-sign', '-binary', '-cades', '-nosmimecap', '-in', tmp_path / 'doc.bin', '-outform', 'DER',
        '-signer', files.cert_pem, '-inkey', files.key_pem, '-md', digest, '-out', tmp_path / 'doc.bin.sig',
        conf=test_pki.openssl_conf if person.startswith('gost') else None,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr.decode()
    user = ministry.person(person)
    with atomic():
        add_client_certificate(user, user, files.cert_pem.read_bytes())
        result = add_client_signature(user, ministry.attachment, (tmp_path / 'doc.bin.sig').read_bytes())
    assert result.accepted, result.refusal
    assert result.signature.last_verdict == 'valid'


def test_a_client_signature_over_another_file_is_refused_naming_the_integrity_check(ministry, test_pki):
    user = ministry.person('rsa')
    with atomic():
        add_client_certificate(user, user, test_pki.user_der('rsa'))
        result = add_client_signature(user, ministry.attachment, client_sign(test_pki, 'rsa', b'another file'))
    assert not result.accepted
    assert result.failed == ['integrity']
    assert '«Целостность документа» не пройдена' in result.refusal
    with pytest.raises(SignatureRefused, match='Целостность документа') as caught:
        result.raise_if_refused()
    assert caught.value.record_id == result.record.id
    record = db.session.get(VerificationRecord, result.record.id)  # the report is kept although the file was refused
    assert record.verdict == 'invalid'
    assert record.attachment_id == ministry.attachment.id
    assert record.attachment_signature_id is None
    assert db.session.execute(select(func.count(AttachmentSignature.id))).scalar_one() == 0
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == 'signatures.signature.refuse')
    ).scalar_one()
    assert entry.data['failed'] == ['integrity']


def test_garbage_is_refused_with_the_format_check(ministry, test_pki):
    user = ministry.person('rsa')
    with atomic():
        result = add_client_signature(user, ministry.attachment, b'PK\x03\x04 not a signature' * 10)
    assert not result.accepted
    assert result.failed == ['format']
    assert '«Формат подписи» не пройдена' in result.refusal


def test_a_signature_by_an_unbound_signer_is_refused_unless_any_signer_is_allowed(ministry, test_pki):
    user, signature = ministry.person('rsa'), client_sign(test_pki, 'ec')
    with atomic():
        refused = add_client_signature(user, ministry.attachment, signature)
    assert refused.failed == ['signer_not_bound']
    assert 'Петрова Мария Сергеевна' in refused.refusal
    with atomic():
        accepted = add_client_signature(user, ministry.attachment, signature, any_signer=True)
    assert accepted.accepted
    with atomic():
        again = add_client_signature(user, ministry.attachment, signature, any_signer=True)
    assert again.failed == ['already_signed']


def test_a_revoked_signer_is_accepted_as_the_users_but_reported_invalid(ministry, test_pki):
    user = ministry.person('revoked')
    with atomic():
        add_client_certificate(user, user, test_pki.user_der('revoked'))
        result = add_client_signature(user, ministry.attachment, client_sign(test_pki, 'revoked'))
    assert result.accepted
    report = result.record.verification_report
    assert report.verdict == 'invalid'
    assert report.failed_checks() == {'revocation'}
    assert 'отозван' in report.signers[0].check('revocation').detail
    assert db.session.get(AttachmentSignature, result.signature.id).last_verdict == 'invalid'


def test_re_verification_gives_the_same_verdict_with_the_same_trust_data(ministry, test_pki):
    person = 'gost256' if test_pki.gost_pkcs12 else 'rsa'
    certificate, user = bind(ministry, test_pki, person), ministry.person(person)
    with atomic():
        signature = sign_attachment(user, ministry.attachment, certificate.id, PASSWORD)
    with atomic():
        record = verify_attachment_signature(ministry.clerk, signature)
    records = list(db.session.execute(select(VerificationRecord).order_by(VerificationRecord.id)).scalars())
    assert len(records) == 2
    assert records[1].id == record.id
    assert records[0].verdict == records[1].verdict == 'valid'
    assert records[0].trust_fingerprint == records[1].trust_fingerprint
    first, second = (item.verification_report for item in records)
    assert [c.status for c in first.all_checks()] == [c.status for c in second.all_checks()]
    assert record.checked_by_id == ministry.clerk.id
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == 'signatures.signature.verify')).scalar_one()


def test_verify_upload_keeps_the_report_and_hashes_not_the_files(ministry, test_pki):
    data, signature = (
        b'Any file a citizen sent.' * 10,
        client_sign(test_pki, 'gost256', b'Any file a citizen sent.' * 10),
    )
    with atomic():
        record = verify_upload(ministry.clerk, data, signature, file_name='заявление.txt', signature_name='z.sig')
    stored = db.session.get(VerificationRecord, record.id)
    assert stored.verdict == 'valid'
    assert stored.file_name == 'заявление.txt'
    assert stored.file_sha256 == hashlib.sha256(data).hexdigest()
    assert stored.signature_sha256 == hashlib.sha256(signature).hexdigest()
    assert stored.attachment_signature_id is None
    assert stored.attachment_id is None
    assert blob_store().verify(stored.file_sha256) is None
    assert blob_store().verify(stored.signature_sha256) is None
    assert get_verification(ministry.clerk, record.id).id == record.id
    with pytest.raises(VerificationNotFound):
        get_verification(ministry.person('rsa'), record.id)
    with atomic():
        tampered = verify_upload(ministry.clerk, data + b'!', signature)
    assert tampered.verdict == 'invalid'
    assert 'integrity' in tampered.verification_report.failed_checks()


def test_another_organizations_attachment_and_signature_do_not_exist(ministry, test_pki):
    certificate = bind(ministry, test_pki, 'rsa')
    with atomic():
        signature = sign_attachment(ministry.person('rsa'), ministry.attachment, certificate.id, PASSWORD)
        stranger = make_user(make_organization('Минфин'), 'manager')
    record_id = db.session.execute(select(VerificationRecord.id)).scalar_one()
    with pytest.raises(CardNotFound):
        sign_attachment(stranger, ministry.attachment, certificate.id, PASSWORD)
    with pytest.raises(CardNotFound):
        add_client_signature(stranger, ministry.attachment, client_sign(test_pki, 'rsa'))
    with pytest.raises(SignatureNotFound):
        verify_attachment_signature(stranger, signature)
    with pytest.raises(SignatureNotFound):
        get_signature(stranger, signature.id)
    with pytest.raises(VerificationNotFound):
        get_verification(stranger, record_id)
    for error in (CardNotFound, SignatureNotFound, VerificationNotFound):
        assert error.status == 404


def test_a_removed_attachment_cannot_be_signed(ministry, test_pki):
    certificate = bind(ministry, test_pki, 'rsa')
    attachment = add_file(ministry, DOCUMENT + b'2')
    with atomic():
        remove_attachment(ministry.clerk, ministry.card, attachment)
    with pytest.raises(AttachmentNotFound):
        sign_attachment(ministry.person('rsa'), attachment, certificate.id, PASSWORD)


def test_the_password_is_nowhere_in_the_database_the_journal_or_the_log(ministry, test_pki, caplog):
    secret = 'Пароль-ОченьСекретный-97531'
    user = ministry.person('rsa')
    key = keys.load_private_key(test_pki.users['rsa'].key_der.read_bytes())
    container = export_pkcs12(key, test_pki.user_der('rsa'), test_pki.chain_ders('rsa'), secret)
    caplog.set_level(logging.DEBUG)
    with atomic():
        certificate = import_certificate(user, user, container, secret)
    with atomic():
        sign_attachment(user, ministry.attachment, certificate.id, secret)
    with pytest.raises(WrongPassword) as caught:
        sign_attachment(user, add_file(ministry, DOCUMENT + b'4'), certificate.id, secret + 'x')
    db.session.rollback()
    assert secret not in caught.value.message
    tables = [table.name for table in db.metadata.sorted_tables]
    for name in tables:
        rows = db.session.execute(text(f'SELECT row_to_json(t)::text FROM {name} t')).scalars()
        for row in rows:
            assert secret not in row, name
            assert secret.encode('utf-8').hex() not in row, name
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() > 0
    assert secret not in caplog.text
    with blob_store().open_verified(certificate.container_sha256) as file:
        assert secret.encode('utf-8') not in file.read()


def test_restricted_cards_hide_their_signatures_from_users_without_access(ministry, test_pki):
    with atomic():
        secret_card = make_card(ministry.clerk, access_mark='restricted')
        attachment = add_attachment(ministry.clerk, secret_card, io.BytesIO(DOCUMENT + b'3'), 'дсп.pdf')
    user = ministry.person('ec')
    with atomic():
        add_client_certificate(user, user, test_pki.user_der('ec'))
    with pytest.raises(CardNotFound):
        add_client_signature(user, attachment, client_sign(test_pki, 'ec', DOCUMENT + b'3'))


def test_several_signatures_stored_at_once_each_linked_to_its_verification_record(ministry, test_pki):
    second = add_file(ministry, DOCUMENT + b' annex', 'приложение.pdf')
    signed = [
        (ministry.attachment, client_sign(test_pki, 'rsa')),
        (second, client_sign(test_pki, 'ec', DOCUMENT + b' annex')),
    ]
    with atomic():
        pairs = store_signatures(
            ministry.clerk,
            ministry.card,
            [
                (attachment, cms, verify_detached(attachment_bytes(attachment), cms, trust_data()))
                for attachment, cms in signed
            ],
            'client',
        )
    db.session.expire_all()
    assert len(pairs) == 2
    entries = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == 'signatures.signature.add').order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    for (signature, verification), (attachment, cms), entry in zip(pairs, signed, entries, strict=True):
        stored = db.session.get(AttachmentSignature, signature.id)
        record = db.session.get(VerificationRecord, verification.id)
        assert stored is not None
        assert record is not None
        assert (stored.attachment_id, stored.signature_sha256) == (attachment.id, hashlib.sha256(cms).hexdigest())
        assert record.attachment_signature_id == stored.id
        assert record.signature_name == f'{attachment.filename}.{stored.id}.sig' == stored.signature_filename
        assert (record.verdict, stored.last_verdict) == ('valid', 'valid')
        assert (entry.object_id, entry.data['verification_id']) == (str(stored.id), record.id)
