"""Detached CMS SignedData in the CAdES-BES profile: making one signature and reading signature files back.

Signing follows SIGNATURES.md §2: the signed attributes (content type, signing time, message digest,
signing-certificate-v2) are written as DER by hand and sorted as a DER SET OF; the signature covers them with the
universal SET tag; ESSCertIDv2 carries its hashAlgorithm explicitly unless it is SHA-256 (the DEFAULT); GOST uses
digest 1.2.643.7.1.1.2.2/.3 and the key OID as the CMS signature algorithm, parameters absent. Building DER directly
(not through asn1crypto objects) keeps an RSA signature near one millisecond.

Reading accepts DER, PEM (`-----BEGIN PKCS7-----`, `CMS`, `PKCS #7 SIGNED DATA`) and bare base64, refuses anything
larger than `MAX_SIGNATURE_SIZE` before looking at it, and turns every other input into `SignatureFormatError` with a
Russian message. Signers are identified by issuer and serial number or by subjectKeyIdentifier; a file may hold
several signers. Algorithm parameters (absent or NULL, GOST parameter sets) are tolerated on reading.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from asn1crypto import cms as asn1_cms
from asn1crypto import core, tsp

from edms.signatures.crypto import oids
from edms.signatures.crypto.backends import digest, get_backend
from edms.signatures.crypto.chain import CertView, view_of
from edms.signatures.crypto.errors import BadCertificate, CryptoError, UnsupportedAlgorithm
from edms.signatures.crypto.keys import PrivateKey

#: A signature file larger than this is refused unread (real МЭДО signatures are about 6.5 KB; a chain with CRLs
#: embedded stays well under a megabyte).
MAX_SIGNATURE_SIZE = 4 * 1024 * 1024

ID_DATA = '1.2.840.113549.1.7.1'
ID_SIGNED_DATA = '1.2.840.113549.1.7.2'
ATTR_CONTENT_TYPE = '1.2.840.113549.1.9.3'
ATTR_MESSAGE_DIGEST = '1.2.840.113549.1.9.4'
ATTR_SIGNING_TIME = '1.2.840.113549.1.9.5'
ATTR_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12'
ATTR_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47'
_SINGLE_VALUED = {ATTR_CONTENT_TYPE, ATTR_MESSAGE_DIGEST, ATTR_SIGNING_TIME}
_PEM_LABELS = {b'PKCS7', b'CMS', b'PKCS #7 SIGNED DATA'}
_KEY_OIDS = {'rsa': oids.RSA, 'ec': oids.EC, 'gost2012_256': oids.GOST2012_256, 'gost2012_512': oids.GOST2012_512}


class SignatureFormatError(CryptoError):
    """The bytes given as a signature are not a readable CMS SignedData with at least one signer."""

    code = 'signature_format'
    message = 'Файл не является электронной подписью в формате CMS (PKCS#7 SignedData).'


@dataclass(frozen=True)
class SignerId:
    """How a SignerInfo names its certificate: issuer DER + serial, or a subjectKeyIdentifier."""

    issuer: bytes | None = None
    serial: int | None = None
    key_id: bytes | None = None

    def matches(self, cert: CertView) -> bool:
        if self.key_id is not None:
            return cert.ski == self.key_id
        return cert.serial == self.serial and self.issuer is not None and cert.issued_by_name(self.issuer)

    def describe(self) -> str:
        if self.key_id is not None:
            return f'идентификатор ключа {self.key_id.hex().upper()}'
        return f'серийный номер {self.serial:X}' if self.serial is not None else 'без идентификатора'


@dataclass(frozen=True)
class EssCertId:
    """One ESSCertID(v2) of the signing-certificate attribute: the hash of the certificate the signer meant."""

    hash_oid: str
    cert_hash: bytes
    serial: int | None


@dataclass(frozen=True)
class ParsedSigner:
    """One SignerInfo as received. `signed_attrs` holds the signed attributes exactly as received, re-tagged as SET
    (the bytes the signature covers), or None when the signer has no signed attributes."""

    index: int
    sid: SignerId
    digest_oid: str
    signature_oid: str
    signature: bytes
    signed_attrs: bytes | None
    content_type: str | None
    message_digest: bytes | None
    signing_time: datetime | None
    cert_ids: tuple[EssCertId, ...]
    #: Russian descriptions of structural faults (a missing messageDigest, a repeated attribute…): format fails.
    faults: tuple[str, ...]
    #: Russian remarks that do not fail the format (no signing-certificate-v2: CMS, not CAdES-BES).
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ParsedSignature:
    """A signature file read back: its encoding ('der', 'pem', 'base64'), the embedded certificates and CRLs (DER),
    the encapsulated content (None for a detached signature) and the signers."""

    encoding: str
    content_type: str
    content: bytes | None
    certificates: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    signers: tuple[ParsedSigner, ...]


# --- signing --------------------------------------------------------------------------------------------------------


def sign_detached(
    data: bytes,
    key: PrivateKey,
    certificate: bytes,
    chain: list[bytes],
    *,
    signing_time: datetime,
    digest_oid: str | None = None,
) -> bytes:
    """A detached CAdES-BES signature (DER) of `data` by `key`, whose certificate is `certificate`.

    `chain` (DER certificates, the signer's own may repeat) is embedded beside the signer's certificate. The key is
    not checked against the certificate beyond its algorithm: callers load both from one PKCS#12 bundle.
    """
    key_oid = _KEY_OIDS.get(key.algorithm)
    try:
        cert = view_of(certificate)
    except Exception as error:  # asn1crypto raises ValueError, TypeError… on a malformed certificate
        raise BadCertificate() from error
    if key_oid is None or cert.key_oid != key_oid:
        raise UnsupportedAlgorithm('Закрытый ключ и сертификат используют разные алгоритмы.')
    digest_oid = digest_oid or oids.GOST_DIGEST_FOR_KEY.get(key_oid, oids.SHA256)
    signature_algorithm = _signature_algorithm(key_oid, digest_oid)
    attrs = _set_of(
        [
            _attribute(ATTR_CONTENT_TYPE, _oid(ID_DATA)),
            _attribute(ATTR_SIGNING_TIME, _time(signing_time)),
            _attribute(ATTR_MESSAGE_DIGEST, _tlv(0x04, digest(digest_oid, data))),
            _attribute(ATTR_SIGNING_CERTIFICATE_V2, _signing_certificate_v2(cert, digest_oid)),
        ]
    )
    value = get_backend(key_oid).sign(key, digest_oid, attrs)
    signer_info = _seq(
        _integer(1),
        _seq(cert.issuer_der, _integer(cert.serial)),
        _algorithm(digest_oid),
        b'\xa0' + attrs[1:],
        signature_algorithm,
        _tlv(0x04, value),
    )
    certificates = sorted({certificate, *chain})
    signed_data = _seq(
        _integer(1),
        _set_of([_algorithm(digest_oid)]),
        _seq(_oid(ID_DATA)),
        _tlv(0xA0, b''.join(certificates)),
        _set_of([signer_info]),
    )
    return _seq(_oid(ID_SIGNED_DATA), _tlv(0xA0, signed_data))


def _signature_algorithm(key_oid: str, digest_oid: str) -> bytes:
    if key_oid in oids.GOST_KEYS:
        if oids.GOST_DIGEST_FOR_KEY[key_oid] != digest_oid:
            raise UnsupportedAlgorithm(
                'Ключ ГОСТ Р 34.10-2012 подписывает только с хэшем ГОСТ Р 34.11-2012 своего размера.'
            )
        return _algorithm(key_oid)
    if key_oid == oids.RSA and (oids.RSA, digest_oid) in oids.SIGNATURE_ALGORITHMS:
        return _seq(_oid(oids.RSA), b'\x05\x00')
    if key_oid == oids.EC and (oids.EC, digest_oid) in oids.SIGNATURE_ALGORITHMS:
        return _algorithm(oids.SIGNATURE_ALGORITHMS[(oids.EC, digest_oid)])
    raise UnsupportedAlgorithm()


@lru_cache(maxsize=256)
def _signing_certificate_v2(cert: CertView, digest_oid: str) -> bytes:
    """SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { [hashAlgorithm], certHash, issuerSerial } }."""
    issuer_serial = _seq(_seq(_tlv(0xA4, cert.issuer_der)), _integer(cert.serial))
    algorithm = b'' if digest_oid == oids.SHA256 else _algorithm(digest_oid)
    ess_cert_id = _seq(algorithm, _tlv(0x04, digest(digest_oid, cert.der)), issuer_serial)
    return _seq(_seq(ess_cert_id))


def _attribute(oid: str, value: bytes) -> bytes:
    return _seq(_oid(oid), _set_of([value]))


def _time(moment: datetime) -> bytes:
    """UTCTime for 1950–2049 (RFC 5652 §11.3), GeneralizedTime otherwise; whole seconds, UTC."""
    if moment.tzinfo is None:
        raise ValueError('signing_time must be timezone-aware')
    moment = moment.astimezone(UTC)
    if 1950 <= moment.year < 2050:
        return _tlv(0x17, moment.strftime('%y%m%d%H%M%SZ').encode('ascii'))
    return _tlv(0x18, moment.strftime('%Y%m%d%H%M%SZ').encode('ascii'))


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, 'big')
    return bytes((tag, 0x80 | len(length))) + length + content


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b''.join(parts))


def _set_of(items: list[bytes]) -> bytes:
    return _tlv(0x31, b''.join(sorted(items)))


@lru_cache(maxsize=64)
def _oid(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


@lru_cache(maxsize=64)
def _algorithm(dotted: str) -> bytes:
    """AlgorithmIdentifier with parameters absent (RFC 5754 for SHA-2, RFC 9215 for GOST)."""
    return _seq(_oid(dotted))


def _integer(value: int) -> bytes:
    return core.Integer(value).dump()


# --- reading --------------------------------------------------------------------------------------------------------


def parse_signature(blob: bytes) -> ParsedSignature:
    """Read a signature file; `SignatureFormatError` (Russian message) for anything that is not CMS with a signer."""
    if len(blob) > MAX_SIGNATURE_SIZE:
        raise SignatureFormatError(
            f'Файл подписи слишком большой ({len(blob) // (1024 * 1024)} МБ; допустимо не более '
            f'{MAX_SIGNATURE_SIZE // (1024 * 1024)} МБ): это не файл электронной подписи.'
        )
    der, encoding = _decode(blob)
    try:
        return _parse_der(der, encoding)
    except SignatureFormatError:
        raise
    except Exception as exc:  # asn1crypto raises ValueError, TypeError, KeyError… on malformed input
        raise SignatureFormatError(
            'Файл подписи повреждён или не является подписью CMS (PKCS#7 SignedData): структура ASN.1 не читается.'
        ) from exc


def find_certificate(sid: SignerId, candidates: Iterable[CertView]) -> CertView | None:
    """The first candidate the signer identifier names."""
    return next((cert for cert in candidates if sid.matches(cert)), None)


def _decode(blob: bytes) -> tuple[bytes, str]:
    if not blob.strip():
        raise SignatureFormatError('Файл подписи пуст.')
    if blob[:1] == b'\x30':
        return blob, 'der'
    text = blob.removeprefix(b'\xef\xbb\xbf').strip()
    if text.startswith(b'-----BEGIN '):
        match = re.match(rb'-----BEGIN ([A-Z0-9 #]+)-----(.*?)-----END \1-----', text, re.DOTALL)
        if match is None:
            raise SignatureFormatError('Файл подписи в формате PEM повреждён: нет строки END.')
        if match.group(1) not in _PEM_LABELS:
            label = match.group(1).decode('ascii')
            raise SignatureFormatError(f'Файл в формате PEM содержит «{label}», а не подпись CMS (PKCS7).')
        return _base64(match.group(2), 'PEM'), 'pem'
    compact = re.sub(rb'\s+', b'', text)
    if re.fullmatch(rb'[A-Za-z0-9+/]+={0,2}', compact):
        der = _base64(compact, 'base64')
        if der[:1] == b'\x30':
            return der, 'base64'
    raise SignatureFormatError(
        'Файл не является электронной подписью: ожидается CMS (PKCS#7 SignedData) в кодировке DER, PEM или base64.'
    )


def _base64(text: bytes, kind: str) -> bytes:
    try:
        return base64.b64decode(re.sub(rb'\s+', b'', text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureFormatError(f'Файл подписи в кодировке {kind} повреждён: недопустимые символы base64.') from exc


def _parse_der(der: bytes, encoding: str) -> ParsedSignature:
    info = asn1_cms.ContentInfo.load(der)
    if der[len(info.dump()) :].strip(b'\x00\r\n\t '):
        raise SignatureFormatError('После подписи CMS в файле есть посторонние данные.')
    content_type = info['content_type'].dotted
    if content_type != ID_SIGNED_DATA:
        raise SignatureFormatError(f'Файл содержит структуру CMS типа {content_type}, а не подпись (SignedData).')
    signed_data = info['content']
    encap = signed_data['encap_content_info']
    content = None if isinstance(encap['content'], core.Void) else encap['content'].native
    signers = tuple(_parse_signer(index, si) for index, si in enumerate(signed_data['signer_infos']))
    if not signers:
        raise SignatureFormatError('В файле подписи нет ни одного подписанта (SignerInfo): подписи нет.')
    return ParsedSignature(
        encoding=encoding,
        content_type=encap['content_type'].dotted,
        content=content if isinstance(content, bytes) else None,
        certificates=_choices(signed_data['certificates'], 'certificate'),
        crls=_choices(signed_data['crls'], 'crl'),
        signers=signers,
    )


def _choices(field: core.Asn1Value, name: str) -> tuple[bytes, ...]:
    if isinstance(field, core.Void):
        return ()
    return tuple(choice.chosen.dump() for choice in field if choice.name == name)


def _parse_signer(index: int, si: asn1_cms.SignerInfo) -> ParsedSigner:
    sid = si['sid']
    if sid.name == 'subject_key_identifier':
        signer_id = SignerId(key_id=sid.chosen.native)
    else:
        signer_id = SignerId(issuer=sid.chosen['issuer'].dump(), serial=sid.chosen['serial_number'].native)
    fields = _SignedAttributes.read(si['signed_attrs'])
    return ParsedSigner(
        index=index,
        sid=signer_id,
        digest_oid=si['digest_algorithm']['algorithm'].dotted,
        signature_oid=si['signature_algorithm']['algorithm'].dotted,
        signature=si['signature'].native,
        signed_attrs=fields.raw,
        content_type=fields.content_type,
        message_digest=fields.message_digest,
        signing_time=fields.signing_time,
        cert_ids=fields.cert_ids,
        faults=tuple(fields.faults),
        notes=tuple(fields.notes),
    )


@dataclass
class _SignedAttributes:
    raw: bytes | None = None
    content_type: str | None = None
    message_digest: bytes | None = None
    signing_time: datetime | None = None
    cert_ids: tuple[EssCertId, ...] = ()
    faults: list[str] | None = None
    notes: list[str] | None = None

    @classmethod
    def read(cls, attrs: core.Asn1Value) -> _SignedAttributes:
        found = cls(faults=[], notes=[])
        if isinstance(attrs, core.Void):
            found.notes.append('Подписанных атрибутов нет: это подпись PKCS#7, а не CAdES-BES.')
            return found
        found.raw = b'\x31' + attrs.dump()[1:]
        seen: set[str] = set()
        for attr in attrs:
            kind = attr['type'].dotted
            values = attr['values']
            if kind in seen and kind in _SINGLE_VALUED | {ATTR_SIGNING_CERTIFICATE_V2}:
                found.faults.append(f'Подписанный атрибут {kind} повторяется.')
            seen.add(kind)
            if kind in _SINGLE_VALUED and len(values) != 1:
                found.faults.append(f'Подписанный атрибут {kind} должен иметь ровно одно значение.')
                continue
            found._take(kind, values)
        found._require(seen)
        return found

    def _take(self, kind: str, values: core.Asn1Value) -> None:
        if kind == ATTR_CONTENT_TYPE:
            self.content_type = values[0].dotted
        elif kind == ATTR_MESSAGE_DIGEST:
            self.message_digest = values[0].native
        elif kind == ATTR_SIGNING_TIME:
            self.signing_time = values[0].native
        elif kind in (ATTR_SIGNING_CERTIFICATE_V2, ATTR_SIGNING_CERTIFICATE) and not self.cert_ids:
            spec = tsp.SigningCertificateV2 if kind == ATTR_SIGNING_CERTIFICATE_V2 else tsp.SigningCertificate
            parsed = [value.parse(spec) if isinstance(value, core.Any) else value for value in values]
            self.cert_ids = tuple(_ess_cert_id(item, kind) for value in parsed for item in value['certs'])

    def _require(self, seen: set[str]) -> None:
        if ATTR_MESSAGE_DIGEST not in seen:
            self.faults.append('Нет обязательного подписанного атрибута messageDigest (хэш документа).')
        if ATTR_CONTENT_TYPE not in seen:
            self.faults.append('Нет обязательного подписанного атрибута contentType.')
        if ATTR_SIGNING_TIME not in seen:
            self.notes.append('Время подписания (signingTime) в подписи не указано.')
        if ATTR_SIGNING_CERTIFICATE_V2 not in seen:
            self.notes.append('Нет атрибута signing-certificate-v2: подпись CMS, но не CAdES-BES.')


def _ess_cert_id(item: core.Asn1Value, kind: str) -> EssCertId:
    hash_oid = oids.SHA1 if kind == ATTR_SIGNING_CERTIFICATE else item['hash_algorithm']['algorithm'].dotted
    issuer_serial = item['issuer_serial']
    serial = None if isinstance(issuer_serial, core.Void) else issuer_serial['serial_number'].native
    return EssCertId(hash_oid=hash_oid, cert_hash=item['cert_hash'].native, serial=serial)
