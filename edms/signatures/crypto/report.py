"""The verification report: the checks made on each signer, their Russian titles and details, and the verdict rule.

A report is plain data: it is built by `verify.verify_detached`, shown by the web pages, stored with the card through
`to_dict()` and read back with `from_dict()`. The verdict rule (the issue-4 contract):

* **invalid** when any check failed;
* **indeterminate** when none failed but one that matters was not checked (revocation with no CRL, an algorithm no
  backend handles, no list of accredited CAs…);
* **valid** only when every check passed; a report with no signer is never valid.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from edms.signatures.crypto.certs import CertificateInfo

Status = Literal['passed', 'failed', 'not_checked']
Verdict = Literal['valid', 'invalid', 'indeterminate']

PASSED: Status = 'passed'
FAILED: Status = 'failed'
NOT_CHECKED: Status = 'not_checked'

#: The checks of one signer, in the order they are made and shown.
CHECK_TITLES: dict[str, str] = {
    'format': 'Формат подписи',
    'integrity': 'Целостность документа',
    'signature_value': 'Значение электронной подписи',
    'chain': 'Цепочка сертификатов до доверенного корневого',
    'validity_at_signing_time': 'Срок действия сертификатов на момент подписания',
    'revocation': 'Отзыв сертификатов (списки отзыва)',
    'key_usage': 'Назначение ключей',
    'qualified': 'Квалифицированный сертификат',
}
CHECK_CODES: tuple[str, ...] = tuple(CHECK_TITLES)

STATUS_TITLES: dict[str, str] = {PASSED: 'пройдена', FAILED: 'не пройдена', NOT_CHECKED: 'не выполнена'}
VERDICT_TITLES: dict[str, str] = {
    'valid': 'Подпись действительна',
    'invalid': 'Подпись недействительна',
    'indeterminate': 'Действительность подписи не установлена',
}


@dataclass(frozen=True)
class Check:
    """One check: `status` is passed, failed or not_checked; `detail` says in Russian what was found and why."""

    code: str
    title: str
    status: Status
    detail: str

    @classmethod
    def make(cls, code: str, status: Status, detail: str) -> Check:
        return cls(code=code, title=CHECK_TITLES[code], status=status, detail=detail)

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[self.status]

    def to_dict(self) -> dict[str, str]:
        return {'code': self.code, 'title': self.title, 'status': self.status, 'detail': self.detail}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Check:
        return cls(code=raw['code'], title=raw['title'], status=raw['status'], detail=raw['detail'])


def verdict_of(checks: list[Check]) -> Verdict:
    """The contract's rule over a list of checks; an empty list is indeterminate, never valid."""
    statuses = {check.status for check in checks}
    if FAILED in statuses:
        return 'invalid'
    if not checks or NOT_CHECKED in statuses:
        return 'indeterminate'
    return 'valid'


@dataclass(frozen=True)
class SignerReport:
    """The checks of one signer. `certificate` is None when the signer's certificate was not found anywhere."""

    certificate: CertificateInfo | None
    signing_time: datetime | None
    checks: list[Check]
    verdict: Verdict
    #: Who signed, for people: «Иванов Иван Иванович, сертификат 01AB…» or how the signer was identified.
    signer: str = ''
    certificate_der: bytes | None = field(default=None, repr=False)

    def check(self, code: str) -> Check:
        """The check with this code (every signer report holds all eight)."""
        for check in self.checks:
            if check.code == code:
                return check
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        der = self.certificate_der
        return {
            'signer': self.signer,
            'signing_time': self.signing_time.isoformat() if self.signing_time else None,
            'verdict': self.verdict,
            'checks': [check.to_dict() for check in self.checks],
            'certificate_der': base64.b64encode(der).decode('ascii') if der else None,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SignerReport:
        der = base64.b64decode(raw['certificate_der']) if raw.get('certificate_der') else None
        return cls(
            certificate=_certificate_info(der),
            signing_time=datetime.fromisoformat(raw['signing_time']) if raw.get('signing_time') else None,
            checks=[Check.from_dict(item) for item in raw['checks']],
            verdict=raw['verdict'],
            signer=raw.get('signer', ''),
            certificate_der=der,
        )


@dataclass(frozen=True)
class VerificationReport:
    """The result of verifying one signature file against one file and one set of trust data.

    `checks` holds the checks of the signature file as a whole: a file that is not a CMS signature at all, or one
    with no signer, has no signer report and its failed `format` check is here. `checked_at` is the `now` of the
    trust data (not the wall clock), so the same inputs always give an equal report.
    """

    verdict: Verdict
    signers: list[SignerReport]
    problems: list[str]
    checked_at: datetime
    trust_fingerprint: str
    checks: list[Check] = field(default_factory=list)

    @property
    def verdict_title(self) -> str:
        return VERDICT_TITLES[self.verdict]

    def failed_checks(self) -> set[str]:
        """Codes of every failed check, of the file and of all signers."""
        return {c.code for c in self.all_checks() if c.status == FAILED}

    def not_checked(self) -> set[str]:
        return {c.code for c in self.all_checks() if c.status == NOT_CHECKED}

    def all_checks(self) -> list[Check]:
        return [*self.checks, *(check for signer in self.signers for check in signer.checks)]

    def to_dict(self) -> dict[str, Any]:
        return {
            'verdict': self.verdict,
            'signers': [signer.to_dict() for signer in self.signers],
            'problems': list(self.problems),
            'checked_at': self.checked_at.isoformat(),
            'trust_fingerprint': self.trust_fingerprint,
            'checks': [check.to_dict() for check in self.checks],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> VerificationReport:
        return cls(
            verdict=raw['verdict'],
            signers=[SignerReport.from_dict(item) for item in raw['signers']],
            problems=list(raw.get('problems', [])),
            checked_at=datetime.fromisoformat(raw['checked_at']),
            trust_fingerprint=raw['trust_fingerprint'],
            checks=[Check.from_dict(item) for item in raw.get('checks', [])],
        )


def overall_verdict(file_checks: list[Check], signers: list[SignerReport]) -> Verdict:
    """Invalid if the file or any signer is invalid; valid only when there are signers and all of them are valid."""
    verdicts = {signer.verdict for signer in signers}
    if 'invalid' in verdicts or any(check.status == FAILED for check in file_checks):
        return 'invalid'
    if not signers or 'indeterminate' in verdicts or any(c.status == NOT_CHECKED for c in file_checks):
        return 'indeterminate'
    return 'valid'


#: Names of algorithms as reports show them.
ALGORITHM_NAMES: dict[str, str] = {
    '1.3.14.3.2.26': 'SHA-1',
    '2.16.840.1.101.3.4.2.4': 'SHA-224',
    '2.16.840.1.101.3.4.2.1': 'SHA-256',
    '2.16.840.1.101.3.4.2.2': 'SHA-384',
    '2.16.840.1.101.3.4.2.3': 'SHA-512',
    '1.2.643.7.1.1.2.2': 'ГОСТ Р 34.11-2012 (256 бит)',
    '1.2.643.7.1.1.2.3': 'ГОСТ Р 34.11-2012 (512 бит)',
}
#: keyUsage bits by their RFC 5280 names.
KEY_USAGE_NAMES: dict[str, str] = {
    'digital_signature': 'digitalSignature',
    'non_repudiation': 'nonRepudiation',
    'key_encipherment': 'keyEncipherment',
    'data_encipherment': 'dataEncipherment',
    'key_agreement': 'keyAgreement',
    'key_cert_sign': 'keyCertSign',
    'crl_sign': 'cRLSign',
    'encipher_only': 'encipherOnly',
    'decipher_only': 'decipherOnly',
}


def algorithm_name(oid: str) -> str:
    return ALGORITHM_NAMES.get(oid, oid)


def key_usage_names(usages: frozenset[str]) -> str:
    return ', '.join(sorted(KEY_USAGE_NAMES.get(usage, usage) for usage in usages))


def format_moment(moment: datetime) -> str:
    """A moment as reports show it: 22.06.2023 15:31:54 UTC."""
    return moment.astimezone(UTC).strftime('%d.%m.%Y %H:%M:%S UTC')


def _certificate_info(der: bytes | None) -> CertificateInfo | None:
    if der is None:
        return None
    try:
        return CertificateInfo.from_der(der)
    except Exception:  # a stored report must stay readable even if the certificate parser changes
        return None
