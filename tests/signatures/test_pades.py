"""PAdES: sign_pdf with the visible mark and validate_pdf, checked against poppler's pdfsig with an NSS database.

pdfsig (NSS) is the independent verifier: «Signature is Valid» / «Certificate is Trusted» for the system's RSA and
ECDSA PDFs, «Digest Mismatch» for a tampered copy, «Certificate has been Revoked» once the CA's CRL is imported with
crlutil. validate_pdf must agree in every case. The mark's Cyrillic must come back out of pdftotext.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.report import AdESIndeterminate

from edms.core.clock import to_local
from edms.signatures.crypto.errors import CertificateExpired, SigningNotAllowed
from edms.signatures.crypto.report import CHECK_CODES, Check
from edms.signatures.pades import CachedKeySigner, GostPadesUnsupported, PdfSigningFailed, sign_pdf, validate_pdf
from edms.signatures.pades_verify import _combine, _pyhanko_checks
from edms.signatures.pyhanko_compat import _read_hex_string
from scripts.make_test_pki import TestPki
from tests.signatures.pdf_helpers import (
    PAGE_TEXT,
    bundle_of,
    import_crl,
    make_pdf,
    nss_database,
    pdfsig,
    pdftotext,
    require_tool,
    sign_gost_pdf,
    trust_for,
)

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope='module')
def signed(test_pki: TestPki) -> dict[str, bytes]:
    """One signed PDF per user, signed once for the module."""
    return {
        user: sign_pdf(make_pdf(), bundle_of(test_pki, user), signing_time=NOW) for user in ('rsa', 'ec', 'revoked')
    }


@pytest.fixture(scope='module')
def nssdb(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> str:
    return nss_database(tmp_path_factory.mktemp('nss'), test_pki.cas['root'].cert_pem)


def _widget_rects(pdf: bytes) -> list[tuple[float, ...]]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return [tuple(float(v) for v in sig.sig_field['/Rect']) for sig in reader.embedded_regular_signatures]


@pytest.mark.parametrize('user', ['rsa', 'ec'])
def test_rsa_and_ec_pdfs_are_valid_and_trusted_for_pdfsig_and_validate_pdf(
    user: str, signed: dict[str, bytes], nssdb: str, test_pki: TestPki, tmp_path: Path
) -> None:
    [found] = pdfsig(signed[user], tmp_path, nssdb)
    assert found['Signature Type'] == 'ETSI.CAdES.detached'
    assert found['Signature Validation'] == 'Signature is Valid.'
    assert found['Certificate Validation'] == 'Certificate is Trusted.'
    report = validate_pdf(signed[user], trust_for(test_pki))
    assert report.verdict == 'valid'
    [signer] = report.signers
    assert [check.code for check in signer.checks] == list(CHECK_CODES)
    assert {check.status for check in signer.checks} == {'passed'}
    assert signer.check('format').detail.startswith('PAdES (ETSI.CAdES.detached)')
    assert signer.signing_time == NOW


def test_tampered_copy_is_a_digest_mismatch_for_both(
    signed: dict[str, bytes], nssdb: str, test_pki: TestPki, tmp_path: Path
) -> None:
    tampered = signed['rsa'].replace(b'(' + PAGE_TEXT + b')', b'(Jello)', 1)
    assert tampered != signed['rsa']
    [found] = pdfsig(tampered, tmp_path, nssdb)
    assert found['Signature Validation'] == 'Digest Mismatch.'
    report = validate_pdf(tampered, trust_for(test_pki))
    assert report.verdict == 'invalid'
    assert report.signers[0].check('integrity').status == 'failed'


def test_revoked_signer_is_revoked_for_pdfsig_after_crlutil_and_for_validate_pdf(
    signed: dict[str, bytes], test_pki: TestPki, tmp_path: Path
) -> None:
    database = nss_database(tmp_path / 'nss', test_pki.cas['root'].cert_pem)
    [before] = pdfsig(signed['revoked'], tmp_path, database)
    assert before['Certificate Validation'] == 'Certificate is Trusted.'  # NSS knows no CRL yet
    import_crl(database, test_pki.cas['ca'].crl_der)
    [after] = pdfsig(signed['revoked'], tmp_path, database)
    assert after['Signature Validation'] == 'Signature is Valid.'
    assert after['Certificate Validation'] == 'Certificate has been Revoked.'
    report = validate_pdf(signed['revoked'], trust_for(test_pki))
    assert report.verdict == 'invalid'
    assert report.failed_checks() == {'revocation'}


def test_content_added_after_signing_fails_integrity(signed: dict[str, bytes], test_pki: TestPki) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed['ec']))
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=b'BT /F1 24 Tf 72 600 Td (X) Tj ET'))
    )
    changed = io.BytesIO()
    writer.write(changed)
    report = validate_pdf(changed.getvalue(), trust_for(test_pki))
    integrity = report.signers[0].check('integrity')
    assert integrity.status == 'failed'
    assert 'изменён недопустимым образом' in integrity.detail
    assert report.signers[0].check('signature_value').status == 'passed'  # the signed revision itself is intact


def test_pyhanko_indications_map_onto_the_checks_and_the_worse_opinion_wins() -> None:
    status = SimpleNamespace(valid=False, trust_problem_indic=AdESIndeterminate.REVOKED_NO_POE)
    found = _pyhanko_checks(status)  # type: ignore[arg-type]
    assert {code: check.status for code, check in found.items()} == {
        'signature_value': 'failed',
        'revocation': 'failed',
    }
    checks = {'revocation': Check.make('revocation', 'not_checked', 'Списка отзыва нет.')}
    _combine(checks, 'revocation', found['revocation'])
    assert checks['revocation'].status == 'failed'
    assert (
        checks['revocation'].detail
        == 'Списка отзыва нет. Независимая проверка (pyHanko): сертификат подписанта отозван.'
    )
    _combine(checks, 'revocation', Check.make('revocation', 'passed', 'Не отозван.'))
    assert checks['revocation'].status == 'failed'
    stale = _pyhanko_checks(SimpleNamespace(valid=True, trust_problem_indic=AdESIndeterminate.TRY_LATER))  # type: ignore[arg-type]
    assert [(code, check.status) for code, check in stale.items()] == [('revocation', 'not_checked')]


def test_untrusted_root_fails_the_chain(signed: dict[str, bytes], test_pki: TestPki) -> None:
    report = validate_pdf(signed['rsa'], trust_for(test_pki, anchors=('other_root',)))
    assert report.verdict == 'invalid'
    assert report.signers[0].check('chain').status == 'failed'


def test_without_crls_revocation_is_not_checked(signed: dict[str, bytes], test_pki: TestPki) -> None:
    report = validate_pdf(signed['rsa'], trust_for(test_pki, crls=False))
    assert report.verdict == 'indeterminate'
    assert report.not_checked() == {'revocation'}


def test_the_mark_is_extractable_cyrillic_text(signed: dict[str, bytes], test_pki: TestPki, tmp_path: Path) -> None:
    info = bundle_of(test_pki, 'rsa').info
    text = pdftotext(signed['rsa'], tmp_path)
    since, until = to_local(info.not_before), to_local(info.not_after)
    assert 'ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ' in text
    assert f'Сертификат: {info.serial.upper()}' in text
    assert 'Владелец: Иванов Иван Иванович' in text
    assert f'Действителен: с {since:%d.%m.%Y} по {until:%d.%m.%Y}' in text


def test_the_mark_is_drawn_at_the_bottom_of_the_page(signed: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / 'signed.pdf'
    path.write_bytes(signed['ec'])
    command = [require_tool('pdftoppm'), '-r', '36', '-gray', '-singlefile', str(path), str(tmp_path / 'page')]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    width, height, pixels = _read_pgm((tmp_path / 'page.pgm').read_bytes())
    dark = [index // width for index, value in enumerate(pixels) if value < 160]
    low = sum(1 for row in dark if row > height * 0.8)
    assert low > 150  # the framed mark with its text in the bottom fifth of the page
    [(x1, y1, x2, _y2)] = _widget_rects(signed['ec'])
    assert y1 < 100
    assert x2 <= 595
    assert x2 - x1 >= 200


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    parts = data.split(maxsplit=4)
    assert parts[0] == b'P5'
    return int(parts[1]), int(parts[2]), parts[4]


def test_a_second_signature_does_not_cover_the_first_and_keeps_both_valid(
    signed: dict[str, bytes], test_pki: TestPki, nssdb: str, tmp_path: Path
) -> None:
    twice = sign_pdf(signed['rsa'], bundle_of(test_pki, 'ec'), signing_time=NOW, reason='Согласовано')
    first, second = _widget_rects(twice)
    assert first[2] <= second[0] or second[2] <= first[0] or first[3] <= second[1] or second[3] <= first[1]
    report = validate_pdf(twice, trust_for(test_pki))
    assert [signer.verdict for signer in report.signers] == ['valid', 'valid']
    assert 'добавлены другие подписи' in report.signers[0].check('integrity').detail
    assert [item['Signature Validation'] for item in pdfsig(twice, tmp_path, nssdb)] == ['Signature is Valid.'] * 2


def test_page_box_and_invisible_signature(test_pki: TestPki) -> None:
    bundle = bundle_of(test_pki, 'ec')
    boxed = sign_pdf(make_pdf(pages=2), bundle, signing_time=NOW, page=0, box=(100, 500, 360, 580))
    reader = PdfFileReader(io.BytesIO(boxed))
    [signature] = reader.embedded_regular_signatures
    assert [float(v) for v in signature.sig_field['/Rect']] == [100, 500, 360, 580]
    assert signature.sig_field['/P'].get_object() == reader.root['/Pages']['/Kids'][0].get_object()
    hidden = sign_pdf(make_pdf(), bundle, signing_time=NOW, stamp=False)
    assert [float(v) for v in PdfFileReader(io.BytesIO(hidden)).embedded_regular_signatures[0].sig_field['/Rect']] == [
        0
    ] * 4
    with pytest.raises(PdfSigningFailed, match='страницы с номером 5'):
        sign_pdf(make_pdf(), bundle, signing_time=NOW, page=5)


def test_gost_keys_are_refused_with_the_detached_signature_advice(test_pki: TestPki) -> None:
    with pytest.raises(GostPadesUnsupported) as caught:
        sign_pdf(make_pdf(), bundle_of(test_pki, 'gost256'), signing_time=NOW)
    assert 'ГОСТ' in caught.value.message
    assert 'откреплённой подписью' in caught.value.message
    assert caught.value.status == 422


def test_certificates_that_cannot_sign_are_refused(test_pki: TestPki) -> None:
    with pytest.raises(CertificateExpired):
        sign_pdf(make_pdf(), bundle_of(test_pki, 'expired'), signing_time=NOW)
    with pytest.raises(SigningNotAllowed):
        sign_pdf(make_pdf(), bundle_of(test_pki, 'no_signing'), signing_time=NOW)


def test_bad_input_is_refused_or_reported_never_raised(test_pki: TestPki) -> None:
    with pytest.raises(PdfSigningFailed, match='не является документом PDF'):
        sign_pdf(b'%PDF-1.7 garbage', bundle_of(test_pki, 'rsa'), signing_time=NOW)
    trust = trust_for(test_pki)
    for data, reason in ((b'not a pdf at all', 'не является документом PDF'), (make_pdf(), 'нет электронных подписей')):
        report = validate_pdf(data, trust)
        assert report.verdict == 'invalid'
        assert not report.signers
        assert report.checks[0].code == 'format'
        assert reason in report.checks[0].detail


def test_a_document_locked_by_a_certification_signature_is_refused(test_pki: TestPki) -> None:
    bundle = bundle_of(test_pki, 'rsa')
    meta = signers.PdfSignatureMetadata(
        field_name='Certification', certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES
    )
    certified = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(make_pdf()))
    signers.PdfSigner(meta, signer=CachedKeySigner(bundle)).sign_pdf(writer, output=certified)
    assert validate_pdf(certified.getvalue(), trust_for(test_pki)).verdict == 'valid'
    with pytest.raises(PdfSigningFailed, match='запрещающей изменения'):
        sign_pdf(certified.getvalue(), bundle, signing_time=NOW)


def test_a_gost_signed_pdf_is_verified_by_the_own_verifier(test_pki: TestPki) -> None:
    bundle = bundle_of(test_pki, 'gost256')
    pdf = sign_gost_pdf(make_pdf(), bundle, NOW)
    report = validate_pdf(pdf, trust_for(test_pki))
    assert report.verdict == 'valid', [check.detail for check in report.signers[0].checks]
    assert 'ГОСТ Р 34.11-2012' in report.signers[0].check('format').detail
    tampered = validate_pdf(pdf.replace(b'(' + PAGE_TEXT + b')', b'(Jello)', 1), trust_for(test_pki))
    assert tampered.signers[0].check('integrity').status == 'failed'


def test_signing_time_in_the_future_fails_validity(test_pki: TestPki) -> None:
    later = NOW + timedelta(days=2)
    pdf = sign_pdf(make_pdf(), bundle_of(test_pki, 'rsa'), signing_time=later)
    report = validate_pdf(pdf, trust_for(test_pki))
    assert report.signers[0].signing_time == later
    assert report.signers[0].check('validity_at_signing_time').status == 'failed'


def test_validate_and_sign_work_inside_a_running_event_loop(signed: dict[str, bytes], test_pki: TestPki) -> None:
    async def inside() -> tuple[str, bytes]:
        report = validate_pdf(signed['ec'], trust_for(test_pki))
        return report.verdict, sign_pdf(make_pdf(), bundle_of(test_pki, 'ec'), signing_time=NOW)

    verdict, pdf = asyncio.run(inside())
    assert verdict == 'valid'
    assert validate_pdf(pdf, trust_for(test_pki)).verdict == 'valid'


@pytest.mark.parametrize(
    'raw',
    [b'<48656C6C6F>rest', b'<48 65\n6c 6C\t6f>x', b'<486>', b'<>', b'<48%comment\n65>', b'<48 zz>'],
)
def test_the_fast_hex_reader_matches_pyhanko(raw: bytes) -> None:
    original = _read_hex_string.original  # type: ignore[attr-defined]
    results = []
    for reader in (original, _read_hex_string):
        stream = io.BytesIO(raw)
        try:
            value = reader(stream)
            results.append((bytes(value.original_bytes), stream.tell()))
        except Exception as error:
            results.append((type(error), str(error)))
    assert results[0] == results[1]
    assert generic.read_hex_string_from_stream is _read_hex_string
