"""PAdES of a card's PDF: `sign_pdf_attachment` keeps the signed PDF (with the visible mark) as a new file beside the
original, with its validation report; poppler's pdfsig finds it valid and trusted; GOST, a file that is not a PDF,
a wrong password and another organization are refused; `verify_pdf_upload` checks a signed PDF alone."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.errors import NotFound
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from edms.signatures.crypto.errors import WrongPassword
from edms.signatures.models import VerificationRecord
from edms.signatures.operations import add_client_certificate, import_certificate, verify_pdf_upload
from edms.signatures.operations.pades_signing import NotPdf, sign_pdf_attachment, signed_name
from edms.signatures.pades import GostPadesUnsupported
from scripts.make_test_pki import TestPki
from tests.factories import make_organization, make_user
from tests.signatures.openssl_tools import requires_engine
from tests.signatures.pdf_helpers import make_pdf, nss_database, pdfsig, pdftotext
from tests.signatures.store_setup import Ministry, add_file, install_trust, make_ministry, p12

PASSWORD = 'test123'


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


@pytest.fixture
def pdf(ministry: Ministry) -> Attachment:
    return add_file(ministry, make_pdf(), 'приказ № 5.pdf')


@pytest.fixture(scope='module')
def nssdb(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> str:
    return nss_database(tmp_path_factory.mktemp('nss'), test_pki.cas['root'].cert_pem)


def bind(ministry: Ministry, person: str) -> int:
    user = ministry.person(person)
    with atomic():
        return import_certificate(user, user, p12(ministry.pki, person), PASSWORD).id


def sign(ministry: Ministry, person: str, attachment: Attachment, certificate_id: int, password: str = PASSWORD):
    with atomic():
        return sign_pdf_attachment(ministry.person(person), attachment, certificate_id, password)


def content(attachment: Attachment) -> bytes:
    with blob_store().open_verified(attachment.sha256) as file:
        return file.read()


def card_files(ministry: Ministry) -> list[Attachment]:
    db.session.expire_all()
    return db.session.get(Card, ministry.card.id).attachments


@pytest.mark.parametrize('person', ['rsa', 'ec'])
def test_the_signed_pdf_is_a_new_file_valid_for_pdfsig_and_the_original_is_kept(ministry, pdf, nssdb, tmp_path, person):
    original = content(pdf)
    signed = sign(ministry, person, pdf, bind(ministry, person))
    assert signed.filename == 'приказ № 5 (подписан).pdf'
    assert signed.content_type == 'application/pdf'
    assert signed.id != pdf.id
    files = card_files(ministry)
    assert [item.id for item in files][-2:] == [pdf.id, signed.id]
    assert content(db.session.get(Attachment, pdf.id)) == original
    data = content(signed)
    assert data.startswith(original)  # an incremental update of the original
    [found] = pdfsig(data, tmp_path, nssdb)
    assert found['Signature Validation'] == 'Signature is Valid.'
    assert found['Certificate Validation'] == 'Certificate is Trusted.'
    assert 'ПОДПИСАН' in pdftotext(data, tmp_path)
    record = db.session.execute(select(VerificationRecord).where(VerificationRecord.attachment_id == signed.id)).one()[
        0
    ]
    assert record.verdict == 'valid'
    assert record.file_sha256 == record.signature_sha256 == signed.sha256
    actions = {entry.action for entry in db.session.execute(select(AuditEntry)).scalars()}
    assert {'signatures.pades.sign', 'attachment.add'} <= actions


def test_a_second_signer_signs_the_signed_copy_and_both_signatures_stay_valid(ministry, pdf, nssdb, tmp_path):
    first = sign(ministry, 'rsa', pdf, bind(ministry, 'rsa'))
    second = sign(ministry, 'ec', first, bind(ministry, 'ec'))
    assert second.filename == first.filename
    found = pdfsig(content(second), tmp_path, nssdb)
    assert [item['Signature Validation'] for item in found] == ['Signature is Valid.'] * 2


def test_signed_names():
    assert signed_name('письмо.pdf') == 'письмо (подписан).pdf'
    assert signed_name('письмо (подписан).pdf') == 'письмо (подписан).pdf'
    assert len(signed_name('я' * 251 + '.pdf')) <= 255


def test_gost_pades_is_refused_with_its_message_before_the_container_is_opened(ministry, pdf):
    user = ministry.person('gost256')
    with atomic():
        certificate = add_client_certificate(user, user, ministry.pki.user_der('gost256'))
    with pytest.raises(GostPadesUnsupported, match='откреплённой подписью ГОСТ'):
        sign(ministry, 'gost256', pdf, certificate.id, 'any')
    assert len(card_files(ministry)) == 2


@requires_engine
def test_gost_pades_is_refused_for_a_stored_gost_container_too(ministry, pdf):
    with pytest.raises(GostPadesUnsupported):
        sign(ministry, 'gost256', pdf, bind(ministry, 'gost256'))
    assert len(card_files(ministry)) == 2


def test_refusals_store_nothing(ministry, pdf):
    certificate_id = bind(ministry, 'rsa')
    with pytest.raises(WrongPassword):
        sign(ministry, 'rsa', pdf, certificate_id, 'wrong')
    text = add_file(ministry, 'Служебная записка'.encode(), 'записка.txt')
    with pytest.raises(NotPdf):
        sign(ministry, 'rsa', text, certificate_id)
    with atomic():
        stranger = make_user(make_organization('Чужое ведомство'), 'clerk', 'manager')
    with pytest.raises(NotFound), atomic():
        sign_pdf_attachment(stranger, pdf, certificate_id, PASSWORD)
    assert [item.id for item in card_files(ministry)] == [ministry.attachment.id, pdf.id, text.id]


def test_verify_pdf_upload_keeps_the_report_with_the_hash_only(ministry, pdf):
    signed = sign(ministry, 'rsa', pdf, bind(ministry, 'rsa'))
    data = content(signed)
    user = ministry.person('ec')
    with atomic():
        record = verify_pdf_upload(user, data, file_name='проверка.pdf')
        garbage = verify_pdf_upload(user, b'not a pdf at all', file_name='x.pdf')
    assert record.verdict == 'valid'
    assert record.file_sha256 == record.signature_sha256 == hashlib.sha256(data).hexdigest()
    assert record.checked_by_id == user.id
    assert garbage.verdict == 'invalid'
    assert garbage.verification_report.checks[0].code == 'format'
    entries = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'signatures.verify_upload')).scalars()
    assert [entry.data['pades'] for entry in entries] == [True, True]
