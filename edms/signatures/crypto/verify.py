"""Verifying a detached signature file against a file and a set of trust data: the eight checks and the report.

For each signer: format, integrity (the message digest over the exact bytes), the signature value (over the signed
attributes as received, SET-tagged), the chain to a trust anchor, validity of every certificate of the path at the
signing moment, revocation by CRL, key usage, and the qualified profile (an accredited CA in the path and the 795
fields for the subject's kind). The verdict follows `report.verdict_of`.

Determinism: the moment certificates are judged at is the signing time of the signer (the signingTime attribute),
or `TrustData.now` when the signature has none; CRL freshness is judged at `TrustData.now`; the report's
`checked_at` is `TrustData.now`. So the same file, signature and trust data (now included) always give an equal
report, and re-verifying later with a later `now` changes only what depends on CRL freshness.

Nothing raised by malformed input escapes: a file that is not a signature gives a report with a failed `format`
check; an unexpected error inside one signer's checks gives that signer a failed `format` check.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache

from asn1crypto import pem

from edms.signatures.crypto import oids
from edms.signatures.crypto.backends import digest, get_backend
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.chain import (
    CertPool,
    CertView,
    ChainResult,
    build_path,
    check_key_usage,
    check_validity,
    view_of,
)
from edms.signatures.crypto.cms import (
    ParsedSignature,
    ParsedSigner,
    SignatureFormatError,
    find_certificate,
    parse_signature,
)
from edms.signatures.crypto.crl import CrlView, check_revocation, crl_view
from edms.signatures.crypto.errors import UnsupportedAlgorithm
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

logger = logging.getLogger(__name__)
#: A signing time this far after `now` is impossible, not clock skew.
FUTURE_TOLERANCE = timedelta(minutes=10)
_ENCODING_NOTES = {
    'der': 'CMS SignedData в кодировке DER.',
    'pem': 'Подпись в текстовом формате PEM принята; по правилам МЭДО файл подписи должен быть в кодировке DER.',
    'base64': 'Подпись в кодировке base64 принята; по правилам МЭДО файл подписи должен быть в кодировке DER.',
}


@dataclass(frozen=True)
class TrustData:
    """What a verification trusts: anchors (root certificates), intermediates, CRLs (DER or PEM), the sha256
    fingerprints (hex) of accredited CA certificates, and the moment of the check (CRL freshness, `checked_at`)."""

    anchors: list[bytes]
    intermediates: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)
    accredited: set[str] = field(default_factory=set)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @cached_property
    def fingerprint(self) -> str:
        """sha256 over the sorted fingerprints of everything trusted (not `now`): equal trust data, equal value."""
        lines = sorted(
            [f'anchor:{hashlib.sha256(der).hexdigest()}' for der in self.anchors]
            + [f'intermediate:{hashlib.sha256(der).hexdigest()}' for der in self.intermediates]
            + [f'crl:{hashlib.sha256(der).hexdigest()}' for der in self.crls]
            + [f'accredited:{_normalize_fingerprint(value)}' for value in self.accredited]
        )
        return hashlib.sha256('\n'.join(lines).encode('ascii')).hexdigest()

    @cached_property
    def index(self) -> _TrustIndex:
        return _TrustIndex.build(self)

    @property
    def moment_now(self) -> datetime:
        return self.now if self.now.tzinfo else self.now.replace(tzinfo=UTC)


@dataclass
class _TrustIndex:
    anchors: CertPool
    pool: CertPool
    crls: list[CrlView]
    accredited: frozenset[str]
    problems: list[str]

    @classmethod
    def build(cls, trust: TrustData) -> _TrustIndex:
        problems: list[str] = []
        anchors = _views(trust.anchors, 'доверенный корневой сертификат', problems)
        intermediates = _views(trust.intermediates, 'промежуточный сертификат', problems)
        crls = _crls(trust.crls, problems)
        accredited = frozenset(_normalize_fingerprint(value) for value in trust.accredited)
        return cls(CertPool(anchors), CertPool([*anchors, *intermediates]), crls, accredited, problems)


def verify_detached(data: bytes, signature: bytes, trust: TrustData) -> VerificationReport:
    """Check `signature` (a detached CMS file) over `data` against `trust`; never raises on bad input."""
    index = trust.index
    try:
        parsed = parse_signature(signature)
    except SignatureFormatError as error:
        check = Check.make('format', FAILED, error.message)
        return _report(trust, [], [error.message, *index.problems], [check])
    problems = [*index.problems]
    embedded = CertPool(_views(list(parsed.certificates), 'сертификат из подписи', problems))
    unique = {crl.fingerprint: crl for crl in [*index.crls, *_crls(list(parsed.crls), problems)]}
    crls = [unique[fingerprint] for fingerprint in sorted(unique)]
    context = _Context(data, parsed, trust, index, embedded, crls)
    signers = [context.safe_verify(signer) for signer in parsed.signers]
    return _report(trust, signers, problems, [])


def _report(
    trust: TrustData, signers: list[SignerReport], problems: list[str], checks: list[Check]
) -> VerificationReport:
    return VerificationReport(
        verdict=overall_verdict(checks, signers),
        signers=signers,
        problems=problems,
        checked_at=trust.moment_now,
        trust_fingerprint=trust.fingerprint,
        checks=checks,
    )


@dataclass
class _Context:
    data: bytes
    parsed: ParsedSignature
    trust: TrustData
    index: _TrustIndex
    embedded: CertPool
    crls: list[CrlView]
    digests: dict[str, bytes] = field(default_factory=dict)

    def safe_verify(self, signer: ParsedSigner) -> SignerReport:
        try:
            return self.verify(signer)
        except Exception:
            logger.exception('unexpected error while verifying signer %s', signer.index)
            detail = 'Подпись не удалось проверить: её структура не соответствует ожидаемой.'
            checks = [Check.make(code, FAILED if code == 'format' else NOT_CHECKED, detail) for code in CHECK_CODES]
            return SignerReport(None, signer.signing_time, checks, 'invalid', signer=signer.sid.describe())

    def verify(self, signer: ParsedSigner) -> SignerReport:
        cert = find_certificate(signer.sid, [*self.embedded, *self.index.pool])
        checks = {'format': self.format_check(signer), 'integrity': self.integrity(signer)}
        if cert is None:
            checks.update(_without_certificate(signer))
        else:
            checks['signature_value'] = self.signature_value(signer, cert)
            checks.update(self.path_checks(signer, cert))
            if signer.signed_attrs is None and checks['integrity'].status == NOT_CHECKED:
                checks['integrity'] = _integrity_by_signature(checks['signature_value'])
        ordered = [checks[code] for code in CHECK_CODES]
        return SignerReport(
            certificate=_certificate_info(cert.der) if cert else None,
            signing_time=signer.signing_time,
            checks=ordered,
            verdict=verdict_of(ordered),
            signer=cert.label if cert else signer.sid.describe(),
            certificate_der=cert.der if cert else None,
        )

    def format_check(self, signer: ParsedSigner) -> Check:
        faults = list(signer.faults)
        if signer.content_type is not None and signer.content_type != self.parsed.content_type:
            faults.append('Атрибут contentType не совпадает с типом подписанного содержимого.')
        notes = ' '.join([_ENCODING_NOTES[self.parsed.encoding], *signer.notes])
        if faults:
            return Check.make('format', FAILED, ' '.join([*faults, notes]))
        return Check.make('format', PASSED, notes)

    def digest_of(self, digest_oid: str) -> bytes:
        if digest_oid not in self.digests:
            self.digests[digest_oid] = digest(digest_oid, self.data)
        return self.digests[digest_oid]

    def integrity(self, signer: ParsedSigner) -> Check:
        content = self.parsed.content
        if content is not None and content != self.data:
            return Check.make('integrity', FAILED, 'В подпись встроено другое содержимое, не совпадающее с файлом.')
        if signer.signed_attrs is None:
            detail = 'Подписанных атрибутов нет: целостность подтверждается только значением подписи над самим файлом.'
            return Check.make('integrity', NOT_CHECKED, detail)
        if signer.message_digest is None:
            return Check.make('integrity', FAILED, 'В подписи нет хэша документа (messageDigest).')
        try:
            actual = self.digest_of(signer.digest_oid)
        except UnsupportedAlgorithm:
            detail = f'Алгоритм хэширования {signer.digest_oid} не поддерживается настроенными криптомодулями.'
            return Check.make('integrity', NOT_CHECKED, detail)
        if hmac.compare_digest(actual, signer.message_digest):
            name = algorithm_name(signer.digest_oid)
            detail = f'Хэш файла ({name}) совпадает с хэшем в подписи: файл не изменён после подписания.'
            return Check.make('integrity', PASSED, detail)
        detail = (
            'Хэш файла не совпадает с хэшем в подписи: файл изменён после подписания '
            'или подпись сделана для другого файла.'
        )
        return Check.make('integrity', FAILED, detail)

    def signature_value(self, signer: ParsedSigner, cert: CertView) -> Check:
        problem = _algorithm_problem(signer, cert)
        if problem:
            return Check.make('signature_value', FAILED, problem)
        message = signer.signed_attrs if signer.signed_attrs is not None else self.data
        try:
            ok = get_backend(cert.key_oid).verify(cert.spki, signer.digest_oid, message, signer.signature)
        except UnsupportedAlgorithm as error:
            return Check.make('signature_value', NOT_CHECKED, error.message)
        except Exception:
            ok = False
        if not ok:
            detail = f'Значение подписи не подтверждается открытым ключом сертификата {cert.label}.'
            return Check.make('signature_value', FAILED, detail)
        binding = self.certificate_binding(signer, cert)
        if binding is not None:
            return Check.make('signature_value', FAILED, binding)
        return Check.make('signature_value', PASSED, f'Подпись создана закрытым ключом сертификата {cert.label}.')

    def certificate_binding(self, signer: ParsedSigner, cert: CertView) -> str | None:
        """The signing-certificate(-v2) attribute must name this certificate (CAdES: no certificate substitution)."""
        if not signer.cert_ids:
            return None
        first = signer.cert_ids[0]
        try:
            actual = digest(first.hash_oid, cert.der)
        except UnsupportedAlgorithm:
            return None
        if actual != first.cert_hash or (first.serial is not None and first.serial != cert.serial):
            return f'Подписанный атрибут signing-certificate-v2 указывает не на сертификат {cert.label}.'
        return None

    def path_checks(self, signer: ParsedSigner, cert: CertView) -> dict[str, Check]:
        now = self.trust.moment_now
        moment = signer.signing_time or now
        chain = build_path(cert, self.index.anchors, self.index.pool, self.embedded)
        validity = check_validity(chain.path, moment)
        if signer.signing_time is None:
            validity = (validity[0], f'{validity[1]} Время подписания в подписи не указано: взят момент проверки.')
        elif signer.signing_time > now + FUTURE_TOLERANCE:
            future = f'Время подписания {format_moment(moment)} позже момента проверки {format_moment(now)}.'
            validity = (FAILED, f'{future} {validity[1]}')
        revocation = check_revocation(chain.path, self.crls, self.index.anchors, moment, now)
        usage = check_key_usage(chain.path, self.index.anchors)
        return {
            'chain': Check.make('chain', chain.status, chain.detail),
            'validity_at_signing_time': Check.make('validity_at_signing_time', *validity),
            'revocation': Check.make('revocation', *revocation),
            'key_usage': Check.make('key_usage', *usage),
            'qualified': qualified_check(chain, _certificate_info(cert.der), self.index.accredited),
        }


def _integrity_by_signature(signature_value: Check) -> Check:
    """Without signed attributes the signature is computed over the file itself: it proves (or not) integrity."""
    outcome = {
        PASSED: 'значение подписи над самим файлом подтверждено: файл не изменён после подписания.',
        FAILED: 'значение подписи над самим файлом не подтверждается: файл изменён или подпись не к этому файлу.',
        NOT_CHECKED: 'значение подписи над самим файлом проверить не удалось.',
    }[signature_value.status]
    return Check.make('integrity', signature_value.status, f'Подписанных атрибутов нет: {outcome}')


def _algorithm_problem(signer: ParsedSigner, cert: CertView) -> str | None:
    """The CMS signature algorithm must match the certificate's key and the signer's digest algorithm."""
    parts = oids.SIGNATURE_ALGORITHM_PARTS.get(signer.signature_oid)
    key_oid, digest_oid = parts if parts else (signer.signature_oid, signer.digest_oid)
    if key_oid != cert.key_oid:
        return f'Алгоритм подписи {signer.signature_oid} не соответствует ключу сертификата {cert.label}.'
    if digest_oid != signer.digest_oid:
        return f'Алгоритм подписи {signer.signature_oid} не согласован с алгоритмом хэширования {signer.digest_oid}.'
    return None


def qualified_check(chain: ChainResult, info: CertificateInfo | None, accredited: frozenset[str]) -> Check:
    """An accredited CA in the path (any CA flagged: flagging a head CA root covers the CAs it certifies) and the
    795 profile fields for the subject's kind: ОГРН + ИНН ЮЛ for a legal entity, ОГРНИП + СНИЛС for an individual
    entrepreneur, СНИЛС for a person; subjectSignTool and issuerSignTool for everyone."""
    if not chain.anchored:
        detail = 'Цепочка до доверенного корневого сертификата не построена: аккредитацию УЦ проверить нельзя.'
        return Check.make('qualified', NOT_CHECKED, detail)
    if info is None:
        return Check.make('qualified', NOT_CHECKED, 'Поля сертификата подписанта прочитать не удалось.')
    kind, required = _profile_fields(info)
    missing = [name for name, value in required if not value]
    accredited_ca = next((ca for ca in chain.path[1:] if ca.fingerprint in accredited), None)
    problems = []
    if missing:
        listed = ', '.join(missing)
        problems.append(f'В сертификате ({kind}) нет обязательных полей квалифицированного сертификата: {listed}.')
    if accredited and accredited_ca is None:
        problems.append(
            'Ни один удостоверяющий центр цепочки не отмечен как аккредитованный: сертификат не квалифицированный.'
        )
    if problems:
        return Check.make('qualified', FAILED, ' '.join(problems))
    fields = ', '.join(name for name, _ in required)
    if not accredited:
        detail = f'Перечень аккредитованных УЦ пуст: аккредитация не проверена. Поля профиля ({kind}): {fields}.'
        return Check.make('qualified', NOT_CHECKED, detail)
    detail = f'Сертификат выдан аккредитованным УЦ (в цепочке {accredited_ca.label}); {kind}: есть {fields}.'
    return Check.make('qualified', PASSED, detail)


def _profile_fields(info: CertificateInfo) -> tuple[str, list[tuple[str, object]]]:
    tools = [('subjectSignTool', info.subject_sign_tool), ('issuerSignTool', info.issuer_sign_tool)]
    if info.ogrn or info.inn_le:
        return 'юридическое лицо', [('ОГРН', info.ogrn), ('ИНН ЮЛ', info.inn_le), *tools]
    if info.ogrnip:
        return 'индивидуальный предприниматель', [('ОГРНИП', info.ogrnip), ('СНИЛС', info.snils), *tools]
    return 'физическое лицо', [('СНИЛС', info.snils), *tools]


def _without_certificate(signer: ParsedSigner) -> dict[str, Check]:
    missing = f'Сертификат подписанта ({signer.sid.describe()}) не найден ни в подписи, ни в доверенных данных.'
    checks = {code: Check.make(code, NOT_CHECKED, missing) for code in CHECK_CODES[2:]}
    checks['chain'] = Check.make('chain', FAILED, missing)
    return checks


def _views(items: list[bytes], what: str, problems: list[str]) -> list[CertView]:
    views = []
    for number, der in enumerate(items, start=1):
        try:
            views.append(view_of(_pem_to_der(der)))
        except Exception:
            problems.append(f'Не удалось прочитать {what} № {number}: он пропущен.')
    return views


def _crls(items: list[bytes], problems: list[str]) -> list[CrlView]:
    views = []
    for number, der in enumerate(items, start=1):
        try:
            views.append(crl_view(_pem_to_der(der)))
        except Exception:
            problems.append(f'Не удалось прочитать список отзыва № {number}: он пропущен.')
    return views


def _pem_to_der(data: bytes) -> bytes:
    if not data.lstrip().startswith(b'-----BEGIN'):
        return data
    return pem.unarmor(data.strip())[2]


def _normalize_fingerprint(value: str) -> str:
    return value.replace(':', '').replace(' ', '').lower()


@lru_cache(maxsize=1024)
def _certificate_info(der: bytes) -> CertificateInfo | None:
    try:
        return CertificateInfo.from_der(der)
    except Exception:
        logger.warning('certificate info could not be read', exc_info=True)
        return None
