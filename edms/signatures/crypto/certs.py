"""X.509 certificates: `CertificateInfo` reads everything the system shows or checks, once per certificate.

Besides the usual fields it reads the qualified profile of Приказ ФСБ № 795: ОГРН, ОГРНИП, ИНН, ИНН ЮЛ, СНИЛС in the
subject; subjectSignTool and issuerSignTool extensions; the signature-tool class policies (КС1…КА1). Subject and
issuer come as a dict by short attribute name (`CN`, `O`, `OGRN`, `SNILS`…, unknown OIDs by dotted string), as a
list of (Russian label, value) pairs for pages, as a one-line text and as raw DER.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar

from asn1crypto import cms as asn1_cms
from asn1crypto import core, pem, x509

from edms.signatures.crypto import oids
from edms.signatures.crypto.errors import (
    BadCertificate,
    CertificateExpired,
    CertificateNotYetValid,
    SigningNotAllowed,
)

#: short key, Russian label — in the order pages show them
NAME_ATTRIBUTES: dict[str, tuple[str, str]] = {
    oids.COMMON_NAME: ('CN', 'Владелец'),
    oids.SURNAME: ('SN', 'Фамилия'),
    oids.GIVEN_NAME: ('G', 'Имя и отчество'),
    oids.TITLE: ('T', 'Должность'),
    oids.ORGANIZATION: ('O', 'Организация'),
    oids.ORGANIZATIONAL_UNIT: ('OU', 'Подразделение'),
    oids.OGRN: ('OGRN', 'ОГРН'),
    oids.OGRNIP: ('OGRNIP', 'ОГРНИП'),
    oids.INNLE: ('INNLE', 'ИНН ЮЛ'),
    oids.INN: ('INN', 'ИНН'),
    oids.SNILS: ('SNILS', 'СНИЛС'),
    oids.EMAIL: ('E', 'Электронная почта'),
    oids.COUNTRY: ('C', 'Страна'),
    oids.STATE: ('ST', 'Регион'),
    oids.LOCALITY: ('L', 'Населённый пункт'),
    oids.STREET: ('STREET', 'Адрес'),
}
_KEY_ALGORITHMS = {
    oids.RSA: 'rsa',
    oids.EC: 'ec',
    oids.GOST2012_256: 'gost2012_256',
    oids.GOST2012_512: 'gost2012_512',
}
SIGNING_KEY_USAGES = frozenset({'digital_signature', 'non_repudiation'})
_PEM_CERTIFICATE = re.compile(rb'-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----')


class IssuerSignToolSyntax(core.Sequence):
    """issuerSignTool (1.2.643.100.112): the CA's signature tool, CA tool and their conformity certificates."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ('sign_tool', core.UTF8String),
        ('ca_tool', core.UTF8String),
        ('sign_tool_cert', core.UTF8String),
        ('ca_tool_cert', core.UTF8String),
    ]


@dataclass(frozen=True)
class IssuerSignTool:
    """The four fields of issuerSignTool, in the order of the extension."""

    sign_tool: str
    ca_tool: str
    sign_tool_cert: str
    ca_tool_cert: str


@dataclass(frozen=True)
class NameInfo:
    """A distinguished name: by short key, as (label, value) pairs, as one line, and its DER."""

    fields: dict[str, str]
    display: list[tuple[str, str]]
    text: str
    raw: bytes = field(repr=False)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)


@dataclass(frozen=True, eq=False)
class CertificateInfo:
    """What the system knows about one certificate. Build with `CertificateInfo.from_der` (cached per DER)."""

    der: bytes = field(repr=False)
    subject: NameInfo
    issuer: NameInfo
    serial_number: int
    serial: str
    not_before: datetime
    not_after: datetime
    key_algorithm: str
    key_algorithm_oid: str
    key_parameters: str | None
    signature_algorithm_oid: str
    key_usage: frozenset[str]
    key_usage_present: bool
    extended_key_usage: tuple[str, ...]
    is_ca: bool
    policies: tuple[str, ...]
    tool_classes: tuple[str, ...]
    subject_sign_tool: str | None
    issuer_sign_tool: IssuerSignTool | None
    crl_urls: tuple[str, ...]
    ca_issuer_urls: tuple[str, ...]
    subject_key_id: bytes | None
    authority_key_id: bytes | None
    fingerprint: str
    thumbprint_sha1: str
    spki_der: bytes = field(repr=False)
    asn1: x509.Certificate = field(repr=False)

    @classmethod
    def from_der(cls, der: bytes) -> CertificateInfo:
        """Read a DER certificate (PEM accepted too); BadCertificate when it is not one."""
        if _PEM_CERTIFICATE.search(der[:200]):
            der = pem_to_der(der)
        return _from_der(bytes(der))

    # --- the profile
    @property
    def ogrn(self) -> str | None:
        return self.subject.get('OGRN')

    @property
    def ogrnip(self) -> str | None:
        return self.subject.get('OGRNIP')

    @property
    def snils(self) -> str | None:
        return self.subject.get('SNILS')

    @property
    def inn(self) -> str | None:
        return self.subject.get('INN')

    @property
    def inn_le(self) -> str | None:
        """ИНН ЮЛ; certificates issued before 2021 wrote it as a 12-digit INN with two leading zeros."""
        value = self.subject.get('INNLE')
        inn = self.inn
        if value is None and inn and len(inn) == 12 and inn.startswith('00'):
            return inn[2:]
        return value

    @property
    def owner(self) -> str:
        """The owner as people read it: surname with given names, else the common name."""
        surname, given = self.subject.get('SN'), self.subject.get('G')
        if surname and given:
            return f'{surname} {given}'
        return self.subject.get('CN') or self.subject.text

    @property
    def organization(self) -> str | None:
        return self.subject.get('O')

    @property
    def is_self_issued(self) -> bool:
        return self.subject.raw == self.issuer.raw

    # --- checks the callers make
    def is_valid_at(self, moment: datetime) -> bool:
        """True when `moment` (timezone-aware) is within notBefore … notAfter."""
        return self.not_before <= moment <= self.not_after

    def allows_signing(self) -> bool:
        """True when keyUsage has digitalSignature or nonRepudiation (or there is no keyUsage, RFC 5280 §4.2.1.3)."""
        return not self.key_usage_present or bool(self.key_usage & SIGNING_KEY_USAGES)

    def require_usable_for_signing(self, moment: datetime) -> None:
        """Refuse a certificate that cannot sign at `moment`: expired, not yet valid, key usage without signing."""
        if moment > self.not_after:
            raise CertificateExpired(f'Срок действия сертификата истёк {self.not_after:%d.%m.%Y}.')
        if moment < self.not_before:
            raise CertificateNotYetValid(f'Срок действия сертификата начинается {self.not_before:%d.%m.%Y}.')
        if not self.allows_signing():
            raise SigningNotAllowed


@lru_cache(maxsize=2048)
def _from_der(der: bytes) -> CertificateInfo:
    try:
        cert = x509.Certificate.load(der, strict=True)
        return _build(der, cert)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        raise BadCertificate from error


def _build(der: bytes, cert: x509.Certificate) -> CertificateInfo:
    tbs = cert['tbs_certificate']
    spki = tbs['subject_public_key_info']
    key_oid = spki['algorithm']['algorithm'].dotted
    policies = _policies(cert)
    return CertificateInfo(
        der=der,
        subject=read_name(tbs['subject']),
        issuer=read_name(tbs['issuer']),
        serial_number=tbs['serial_number'].native,
        serial=_serial_hex(tbs['serial_number'].native),
        not_before=tbs['validity']['not_before'].native,
        not_after=tbs['validity']['not_after'].native,
        key_algorithm=_KEY_ALGORITHMS.get(key_oid, key_oid),
        key_algorithm_oid=key_oid,
        key_parameters=_key_parameters(spki),
        signature_algorithm_oid=cert['signature_algorithm']['algorithm'].dotted,
        key_usage=frozenset(cert.key_usage_value.native) if cert.key_usage_value else frozenset(),
        key_usage_present=cert.key_usage_value is not None,
        extended_key_usage=tuple(oid.dotted for oid in cert.extended_key_usage_value or ()),
        is_ca=bool(cert.basic_constraints_value and cert.basic_constraints_value['ca'].native),
        policies=policies,
        tool_classes=tuple(oids.TOOL_CLASSES[oid] for oid in policies if oid in oids.TOOL_CLASSES),
        subject_sign_tool=_subject_sign_tool(cert),
        issuer_sign_tool=_issuer_sign_tool(cert),
        crl_urls=tuple(_crl_urls(cert)),
        ca_issuer_urls=tuple(_ca_issuer_urls(cert)),
        subject_key_id=cert.key_identifier,
        authority_key_id=cert.authority_key_identifier,
        fingerprint=hashlib.sha256(der).hexdigest(),
        thumbprint_sha1=hashlib.sha1(der).hexdigest().upper(),  # noqa: S324 - the thumbprint CryptoPro shows
        spki_der=spki.dump(),
        asn1=cert,
    )


def _serial_hex(number: int) -> str:
    text = format(number, 'x')
    return text if len(text) % 2 == 0 else '0' + text


def read_name(name: x509.Name) -> NameInfo:
    """A distinguished name read with the 795 attributes by name; values of any string type (NumericString too).

    `display` lists (Russian label, value) in the order of `NAME_ATTRIBUTES`, unknown attributes last.
    """
    order = {oid: index for index, oid in enumerate(NAME_ATTRIBUTES)}
    items: list[tuple[int, str, str]] = []
    fields: dict[str, str] = {}
    parts: list[str] = []
    for rdn in reversed(name.chosen):
        for attribute in rdn:
            oid = attribute['type'].dotted
            value = _string_value(attribute['value'])
            key, label = NAME_ATTRIBUTES.get(oid, (oid, oid))
            fields.setdefault(key, value)
            items.append((order.get(oid, len(order)), label, value))
            parts.append(f'{key}={value}')
    display = [(label, value) for _, label, value in sorted(items, key=lambda item: item[0])]
    return NameInfo(fields=fields, display=display, text=', '.join(parts), raw=name.dump())


def _string_value(value: Any) -> str:
    native = value.native
    if isinstance(native, str):
        return native
    parsed = core.Asn1Value.load(value.dump()) if not isinstance(value, core.Any) else value.parsed
    native = parsed.native
    if isinstance(native, bytes):
        return native.hex()
    return str(native)


def _key_parameters(spki: Any) -> str | None:
    parameters = spki['algorithm']['parameters']
    if isinstance(parameters, core.Void) or parameters.native is None:
        return None
    try:
        if isinstance(parameters, core.Any):
            parameters = parameters.parsed
        if isinstance(parameters, core.ObjectIdentifier):
            return parameters.dotted
        if (
            isinstance(parameters, core.Sequence)
            and len(parameters)
            and isinstance(parameters[0], core.ObjectIdentifier)
        ):
            return parameters[0].dotted
        chosen = getattr(parameters, 'chosen', None)
        if isinstance(chosen, core.ObjectIdentifier):
            return chosen.dotted
    except (ValueError, TypeError, KeyError):
        return None
    return None


def _extension(cert: x509.Certificate, oid: str) -> bytes | None:
    for extension in cert['tbs_certificate']['extensions']:
        if extension['extn_id'].dotted == oid:
            return extension['extn_value'].contents
    return None


def _policies(cert: x509.Certificate) -> tuple[str, ...]:
    raw = _extension(cert, oids.CERTIFICATE_POLICIES)
    if raw is None:
        return ()
    return tuple(info['policy_identifier'].dotted for info in x509.CertificatePolicies.load(raw))


def _subject_sign_tool(cert: x509.Certificate) -> str | None:
    raw = _extension(cert, oids.SUBJECT_SIGN_TOOL)
    if raw is None:
        return None
    native = core.Asn1Value.load(raw).native
    return native if isinstance(native, str) else str(native)


def _issuer_sign_tool(cert: x509.Certificate) -> IssuerSignTool | None:
    raw = _extension(cert, oids.ISSUER_SIGN_TOOL)
    if raw is None:
        return None
    parsed = IssuerSignToolSyntax.load(raw)
    return IssuerSignTool(
        *(parsed[name].native or '' for name in ('sign_tool', 'ca_tool', 'sign_tool_cert', 'ca_tool_cert'))
    )


def _crl_urls(cert: x509.Certificate) -> list[str]:
    urls: list[str] = []
    for point in cert.crl_distribution_points:
        name = point['distribution_point']
        if name.name == 'full_name':
            urls.extend(general.native for general in name.chosen if general.name == 'uniform_resource_identifier')
    return urls


def _ca_issuer_urls(cert: x509.Certificate) -> list[str]:
    access = cert.authority_information_access_value
    if not access:
        return []
    return [
        item['access_location'].native
        for item in access
        if item['access_method'].native == 'ca_issuers'
        and item['access_location'].name == 'uniform_resource_identifier'
    ]


# --- reading certificate files


def pem_to_der(data: bytes) -> bytes:
    """The first certificate of a PEM text as DER."""
    try:
        for _, _, der in pem.unarmor(data, multiple=True):
            return der
    except ValueError as error:
        raise BadCertificate from error
    raise BadCertificate


def certificates_from_bytes(data: bytes) -> list[bytes]:
    """All certificates in a file: DER or PEM certificate(s), or a PKCS#7 certificate bundle (.p7b), DER or PEM."""
    if pem.detect(data):
        try:
            blocks = list(pem.unarmor(data, multiple=True))
        except ValueError as error:
            raise BadCertificate from error
        return [der for block in blocks for der in _certificates_from_der(block[2])]
    text = data.strip()
    if text[:1] not in (b'0',) and re.fullmatch(rb'[A-Za-z0-9+/=\s]+', text or b'-'):
        try:
            data = base64.b64decode(text)
        except ValueError as error:
            raise BadCertificate from error
    return _certificates_from_der(data)


def _certificates_from_der(der: bytes) -> list[bytes]:
    try:
        CertificateInfo.from_der(der)
        return [der]
    except BadCertificate:
        pass
    try:
        info = asn1_cms.ContentInfo.load(der, strict=True)
        if info['content_type'].native != 'signed_data':
            raise BadCertificate
        certs = [choice.chosen.dump() for choice in info['content']['certificates'] if choice.name == 'certificate']
    except (ValueError, TypeError, KeyError) as error:
        raise BadCertificate from error
    if not certs:
        raise BadCertificate('В файле нет сертификатов.')
    return certs
