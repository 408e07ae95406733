"""Validation of the signatures inside a PDF, as a `VerificationReport` with the same eight checks as a CMS report.

A PDF signature is a detached CMS over the bytes its /ByteRange names. Each one is judged twice:

* by the project's own verifier (`crypto.verify.verify_detached` over those bytes): format, integrity, signature value,
  chain, validity, revocation (crypto/crl.py), key usage and the qualified rule (`verify.qualified_check`) — so the
  report reads exactly like a CMS report, and GOST signatures (which pyhanko cannot check) are verified too;
* by pyhanko (`async_validate_pdf_signature`) with a `ValidationContext` built from the same `TrustData`: anchors,
  intermediates, CRLs, no fetching, at the signer's claimed time. It adds what only a PDF reader knows — whether the
  signature covers the whole document and what was changed after it (incremental updates, diff analysis) — and an
  independent verdict on the signature value and the trust path.

A check passes only when both agree; the worse status wins and its reason is added to the detail. Revocation:
pyhanko runs in `soft-fail` mode (a `hard-fail` context turns a missing CRL into an untrusted chain, hiding which
check failed); missing or stale CRLs are reported as `not_checked` by crypto/crl.py over the same path, a revocation
found by either side is `failed`, and pyhanko's stale-revocation indication (TRY_LATER) maps to `not_checked`.

PAdES puts no signingTime in the CMS: the claimed time is /M of the signature dictionary, and validity and revocation
are judged at it (CRL freshness at `TrustData.now`), as the CMS verifier does with signingTime.
Never raises on bad input: a file that is not a PDF, or has no signature, gives a failed `format` check.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.validation import KeyUsageConstraints
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature, async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from edms.signatures.crypto.chain import CertPool, build_path, check_validity, view_of
from edms.signatures.crypto.cms import ParsedSigner, SignatureFormatError, parse_signature
from edms.signatures.crypto.crl import check_revocation, crl_view
from edms.signatures.crypto.report import (
    CHECK_CODES,
    FAILED,
    NOT_CHECKED,
    PASSED,
    Check,
    SignerReport,
    VerificationReport,
    algorithm_name,
    format_moment,
    overall_verdict,
    verdict_of,
)
from edms.signatures.crypto.verify import FUTURE_TOLERANCE, TrustData, verify_detached
from edms.signatures.pyhanko_compat import run_outside_loop

logger = logging.getLogger(__name__)
T = TypeVar('T')

PADES = '/ETSI.CAdES.detached'
PKCS7 = '/adbe.pkcs7.detached'
#: key algorithms pyhanko can verify (GOST: only the project's verifier)
PYHANKO_KEYS = frozenset({'rsa', 'ec'})
_SEVERITY = {PASSED: 0, NOT_CHECKED: 1, FAILED: 2}
_KEY_USAGE = KeyUsageConstraints(key_usage={'digital_signature', 'non_repudiation'}, match_all_key_usages=False)
#: pyhanko's AdES sub-indication -> (our check, status, Russian reason)
_INDICATIONS: dict[str, tuple[str, str, str]] = {
    'REVOKED': ('revocation', FAILED, 'сертификат подписанта отозван'),
    'REVOKED_NO_POE': ('revocation', FAILED, 'сертификат подписанта отозван'),
    'REVOKED_CA_NO_POE': ('revocation', FAILED, 'сертификат удостоверяющего центра в цепочке отозван'),
    'TRY_LATER': ('revocation', NOT_CHECKED, 'актуального списка отзыва нет'),
    'NO_POE': ('revocation', NOT_CHECKED, 'нет доказательства существования подписи до отзыва или истечения'),
    'OUT_OF_BOUNDS_NO_POE': ('validity_at_signing_time', FAILED, 'сертификат не действовал на момент подписания'),
    'EXPIRED': ('validity_at_signing_time', FAILED, 'срок действия сертификата истёк'),
    'NOT_YET_VALID': ('validity_at_signing_time', FAILED, 'срок действия сертификата ещё не начался'),
    'CHAIN_CONSTRAINTS_FAILURE': ('key_usage', FAILED, 'назначение ключа или ограничения сертификата не соблюдены'),
    'SIG_CONSTRAINTS_FAILURE': ('key_usage', FAILED, 'назначение ключа не разрешает электронную подпись'),
    'CRYPTO_CONSTRAINTS_FAILURE': ('signature_value', FAILED, 'алгоритм подписи или хэширования ненадёжен'),
    'NO_CERTIFICATE_CHAIN_FOUND': ('chain', FAILED, 'цепочка до доверенного корневого сертификата не построена'),
}


def validate_pdf(pdf_bytes: bytes, trust: TrustData) -> VerificationReport:
    """Check every signature (/Sig) of a PDF against `trust`; never raises on bad input."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        if reader.encrypted:
            return _file_report(
                trust, 'Документ PDF зашифрован: проверка подписей в зашифрованных PDF не поддерживается.'
            )
        signatures = reader.embedded_regular_signatures
    except Exception:
        logger.info('PDF could not be read for validation', exc_info=True)
        return _file_report(trust, 'Файл не является документом PDF или повреждён: подписи прочитать нельзя.')
    if not signatures:
        return _file_report(trust, 'В документе PDF нет электронных подписей.')
    problems = list(trust.index.problems)
    signers = run_outside_loop(lambda: _validate_all(pdf_bytes, signatures, trust, problems))
    return VerificationReport(
        verdict=overall_verdict([], signers),
        signers=signers,
        problems=problems,
        checked_at=trust.moment_now,
        trust_fingerprint=trust.fingerprint,
    )


def _file_report(trust: TrustData, detail: str) -> VerificationReport:
    check = Check.make('format', FAILED, detail)
    return VerificationReport(
        'invalid', [], [detail, *trust.index.problems], trust.moment_now, trust.fingerprint, [check]
    )


async def _validate_all(
    pdf_bytes: bytes, signatures: list[EmbeddedPdfSignature], trust: TrustData, problems: list[str]
) -> list[SignerReport]:
    reports = []
    for number, signature in enumerate(signatures, start=1):
        try:
            reports.append(await _validate_one(pdf_bytes, signature, trust, problems))
        except Exception:
            logger.exception('unexpected error while validating PDF signature %s', number)
            reports.append(
                _broken(f'Подпись № {number} не удалось проверить: её структура не соответствует ожидаемой.')
            )
    return reports


def _broken(detail: str) -> SignerReport:
    checks = [Check.make(code, FAILED if code == 'format' else NOT_CHECKED, detail) for code in CHECK_CODES]
    return SignerReport(None, None, checks, 'invalid', signer='подпись не прочитана')


async def _validate_one(
    pdf_bytes: bytes, signature: EmbeddedPdfSignature, trust: TrustData, problems: list[str]
) -> SignerReport:
    contents = asn1_cms.ContentInfo.load(signature.pkcs7_content).dump()
    signed = _signed_bytes(pdf_bytes, signature.byte_range)
    own = verify_detached(signed, contents, trust)
    if not own.signers:
        return _broken(own.checks[0].detail if own.checks else 'Подпись не является CMS SignedData.')
    report = own.signers[0]
    parsed = parse_signature(contents)
    claimed = report.signing_time or _aware(signature.self_reported_timestamp)
    checks = {check.code: check for check in report.checks}
    if report.signing_time is None and claimed is not None and report.certificate_der:
        checks.update(_at_claimed_time(report.certificate_der, parsed.certificates, parsed.crls, claimed, trust))
    checks['format'] = _format_check(signature, parsed.signers[0], checks['format'])
    status = await _pyhanko_status(signature, report, trust, claimed, problems)
    _combine(checks, 'integrity', _coverage_check(signature, status))
    for code, check in _pyhanko_checks(status).items():
        _combine(checks, code, check)
    ordered = [checks[code] for code in CHECK_CODES]
    return SignerReport(
        certificate=report.certificate,
        signing_time=claimed,
        checks=ordered,
        verdict=verdict_of(ordered),
        signer=report.signer,
        certificate_der=report.certificate_der,
    )


def _signed_bytes(pdf_bytes: bytes, byte_range: Any) -> bytes:
    """The bytes the signature covers: the ranges of /ByteRange, concatenated."""
    values = [int(value) for value in byte_range]
    if len(values) % 2 or any(value < 0 for value in values):
        raise SignatureFormatError('Поле /ByteRange подписи повреждено.')
    pairs = zip(values[::2], values[1::2], strict=True)
    return b''.join(pdf_bytes[start : start + length] for start, length in pairs)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _at_claimed_time(
    leaf_der: bytes, embedded: tuple[bytes, ...], cms_crls: tuple[bytes, ...], claimed: datetime, trust: TrustData
) -> dict[str, Check]:
    """Validity and revocation judged at the time of /M (the CMS verifier had no signingTime and used `now`)."""
    index = trust.index
    pool = CertPool(_readable(view_of, embedded))
    chain = build_path(view_of(leaf_der), index.anchors, index.pool, pool)
    now = trust.moment_now
    status, detail = check_validity(chain.path, claimed)
    source = f'Время подписания {format_moment(claimed)} взято из словаря подписи PDF (/M): это заявление подписанта.'
    if claimed > now + FUTURE_TOLERANCE:
        status, detail = FAILED, f'Время подписания позже момента проверки {format_moment(now)}. {detail}'
    crls = [*index.crls, *_readable(crl_view, cms_crls)]
    revocation = check_revocation(chain.path, crls, index.anchors, claimed, now)
    return {
        'validity_at_signing_time': Check.make('validity_at_signing_time', status, f'{detail} {source}'),
        'revocation': Check.make('revocation', *revocation),
    }


def _readable(read: Callable[[bytes], T], items: tuple[bytes, ...]) -> list[T]:
    """The items `read` can parse (the own verifier has already reported the others among the problems)."""
    result = []
    for item in items:
        try:
            result.append(read(item))
        except Exception:
            logger.debug('an unreadable certificate or CRL in a PDF signature is skipped', exc_info=True)
    return result


def _format_check(signature: EmbeddedPdfSignature, signer: ParsedSigner, cms_format: Check) -> Check:
    subfilter = str(signature.sig_object.get('/SubFilter', ''))
    faults = list(signer.faults) if cms_format.status == FAILED else []
    digest = algorithm_name(signer.digest_oid)
    if subfilter == PADES:
        kind = f'PAdES (ETSI.CAdES.detached): CMS SignedData в словаре подписи PDF, хэш {digest}.'
        if not signer.cert_ids:
            faults.append('Нет подписанного атрибута signing-certificate-v2, обязательного для PAdES.')
    elif subfilter == PKCS7:
        kind = f'Подпись PDF adbe.pkcs7.detached (CMS SignedData, не PAdES), хэш {digest}.'
    else:
        return Check.make('format', FAILED, f'Тип подписи PDF {subfilter or "(не указан)"} не поддерживается.')
    if faults:
        return Check.make('format', FAILED, ' '.join([kind, *faults]))
    return Check.make('format', PASSED, kind)


async def _pyhanko_status(
    signature: EmbeddedPdfSignature,
    report: SignerReport,
    trust: TrustData,
    claimed: datetime | None,
    problems: list[str],
) -> PdfSignatureStatus | None:
    """pyhanko's verdict (RSA/ECDSA only); None for GOST or when pyhanko could not process the signature."""
    if report.certificate is None or report.certificate.key_algorithm not in PYHANKO_KEYS:
        return None
    roots, others, crls = _pyhanko_trust(trust)
    moment = claimed if claimed is not None and claimed <= trust.moment_now else trust.moment_now
    context = ValidationContext(
        trust_roots=roots,
        other_certs=others,
        crls=crls,
        allow_fetching=False,
        revocation_mode='soft-fail',
        moment=moment,
        retroactive_revinfo=True,
    )
    try:
        return await async_validate_pdf_signature(signature, context, key_usage_settings=_KEY_USAGE)
    except Exception as error:
        logger.info('pyhanko could not validate a PDF signature', exc_info=True)
        problems.append(f'Независимая проверка подписи библиотекой pyHanko не выполнена: {error}.')
        return None


_TRUST_CACHE: dict[str, tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate], list[Any]]] = {}


def _pyhanko_trust(trust: TrustData) -> tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate], list[Any]]:
    """The trust data as asn1crypto objects, parsed once per distinct trust data (by fingerprint)."""
    cached = _TRUST_CACHE.get(trust.fingerprint)
    if cached is None:
        cached = (
            _loaded(trust.anchors, asn1_x509.Certificate),
            _loaded(trust.intermediates, asn1_x509.Certificate),
            _loaded(trust.crls, asn1_crl.CertificateList),
        )
        if len(_TRUST_CACHE) >= 16:
            _TRUST_CACHE.clear()
        _TRUST_CACHE[trust.fingerprint] = cached
    return cached


def _loaded(items: list[bytes], kind: Any) -> list[Any]:
    loaded = []
    for item in items:
        try:
            der = pem.unarmor(item.strip())[2] if item.lstrip().startswith(b'-----BEGIN') else item
            value = kind.load(der)
            value.native  # noqa: B018 - parse now, so that a broken item is skipped here
        except Exception:  # the own verifier reports it among the report's problems
            logger.debug('a trust item pyhanko cannot read is skipped', exc_info=True)
            continue
        loaded.append(value)
    return loaded


def _coverage_check(signature: EmbeddedPdfSignature, status: PdfSignatureStatus | None) -> Check:
    """Whether the signature covers the whole document, and what was added after it."""
    if status is not None and not status.intact:
        return Check.make('integrity', FAILED, 'pyHanko: хэш подписанных байтов документа не совпадает с подписью.')
    if signature.coverage is None:  # pyhanko did not run (GOST): coverage and changes need no cryptography
        signature.coverage = signature.evaluate_signature_coverage()
    coverage = signature.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_REVISION and signature.diff_result is None:
        signature.diff_result = signature.evaluate_modifications(DEFAULT_DIFF_POLICY)
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return Check.make('integrity', PASSED, 'Подпись охватывает весь документ PDF.')
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return Check.make('integrity', FAILED, 'Подпись охватывает не весь документ PDF (нестандартный /ByteRange).')
    return _changes_check(signature)


def _changes_check(signature: EmbeddedPdfSignature) -> Check:
    diff = signature.diff_result
    level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
    docmdp = signature.docmdp_level
    if level == ModificationLevel.OTHER or (docmdp is not None and level.value > docmdp.value):
        detail = (
            'После подписания документ PDF изменён недопустимым образом: подписанная редакция не совпадает с текущей.'
        )
        return Check.make('integrity', FAILED, detail)
    if level == ModificationLevel.ANNOTATIONS:
        detail = (
            'Подписанная редакция документа цела, но после подписания добавлены аннотации (комментарии, пометки): '
            'отображаемый документ отличается от подписанного.'
        )
        return Check.make('integrity', NOT_CHECKED, detail)
    added = {
        ModificationLevel.NONE: 'изменений нет',
        ModificationLevel.LTA_UPDATES: 'добавлены только данные для проверки подписей (DSS, метки времени)',
        ModificationLevel.FORM_FILLING: 'добавлены другие подписи или заполнены поля формы — это допустимо',
    }[level]
    return Check.make('integrity', PASSED, f'Подпись охватывает свою редакцию документа PDF; после подписания {added}.')


def _pyhanko_checks(status: PdfSignatureStatus | None) -> dict[str, Check]:
    if status is None:
        return {}
    checks = {}
    if not status.valid:
        checks['signature_value'] = Check.make(
            'signature_value', FAILED, 'pyHanko: значение подписи не подтверждается.'
        )
    indication = status.trust_problem_indic
    if indication is not None:
        code, state, reason = _INDICATIONS.get(
            indication.name, ('chain', FAILED, f'проверка сертификата не пройдена ({indication.name})')
        )
        checks[code] = Check.make(code, state, f'Независимая проверка (pyHanko): {reason}.')
    return checks


def _combine(checks: dict[str, Check], code: str, other: Check) -> None:
    """Keep the worse of two checks of one code; a worse second opinion adds its reason to the first one's."""
    own = checks[code]
    if _SEVERITY[other.status] > _SEVERITY[own.status]:
        checks[code] = Check.make(code, other.status, f'{own.detail} {other.detail}')
    elif code == 'integrity' and own.status == other.status == PASSED:
        checks[code] = Check.make(code, PASSED, f'{own.detail} {other.detail}')
