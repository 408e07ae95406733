"""PKCS#12 (.pfx/.p12) containers: the key, its certificate and the chain, with one refusal class per problem.

RSA/EC containers open through `cryptography`; GOST containers (gost89 PBE, Streebog MAC) through the OpenSSL GOST
engine (`gost_pkcs12`). A wrong password is told from a broken file by checking the container's MAC first (the
PKCS#12 key derivation of RFC 7292 appendix B, done here because `cryptography` reports both as one error).
Whether the certificate may sign now (validity, key usage) is the caller's check:
`bundle.info.require_usable_for_signing(now)`. The password is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12

from edms.signatures.crypto import oids
from edms.signatures.crypto.certs import CertificateInfo, certificates_from_bytes
from edms.signatures.crypto.errors import (
    BadCertificate,
    BrokenContainer,
    GostUnavailable,
    KeyFormatError,
    KeyMismatch,
    NoCertificate,
    NoPrivateKey,
    WrongPassword,
)
from edms.signatures.crypto.gost_pkcs12 import RawBundle, read_gost_pkcs12
from edms.signatures.crypto.keys import PrivateKey, load_private_key, public_key_info, same_public_key

__all__ = [
    'BrokenContainer',
    'GostUnavailable',
    'KeyBundle',
    'KeyMismatch',
    'NoCertificate',
    'NoPrivateKey',
    'WrongPassword',
    'export_pkcs12',
    'load_pkcs12',
]

_MAC_HASHES = {
    oids.SHA1: 'sha1',
    oids.SHA224: 'sha224',
    oids.SHA256: 'sha256',
    oids.SHA384: 'sha384',
    oids.SHA512: 'sha512',
}
MAX_CONTAINER_SIZE = 1024 * 1024


@dataclass(frozen=True, eq=False)
class KeyBundle:
    """A private key with its certificate (DER) and the other certificates of the container (DER)."""

    key: PrivateKey
    certificate: bytes = field(repr=False)
    chain: list[bytes] = field(repr=False)

    @cached_property
    def info(self) -> CertificateInfo:
        return CertificateInfo.from_der(self.certificate)


def load_pkcs12(data: bytes, password: str) -> KeyBundle:
    """Open a container. Refusals: WrongPassword, BrokenContainer, NoPrivateKey (a certificate alone or a container
    without a key), NoCertificate, KeyMismatch, GostUnavailable (a GOST container and no GOST engine)."""
    if not data or len(data) > MAX_CONTAINER_SIZE:
        raise BrokenContainer
    pfx = _parse_pfx(data)
    if _uses_gost(pfx):
        raw = read_gost_pkcs12(data, password)
    else:
        _check_mac(pfx, password)
        raw = _read_with_cryptography(data, password)
    return _bundle(raw)


def _parse_pfx(data: bytes) -> asn1_pkcs12.Pfx:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        pfx['auth_safe']['content'].native  # noqa: B018 - forces the parse of the outer structure
        return pfx
    except (ValueError, TypeError, KeyError) as error:
        if _is_certificate_file(data):
            raise NoPrivateKey from error
        raise BrokenContainer from error


def _is_certificate_file(data: bytes) -> bool:
    try:
        return bool(certificates_from_bytes(data))
    except BadCertificate:
        return False


def _uses_gost(pfx: asn1_pkcs12.Pfx) -> bool:
    """A GOST container: a GOST MAC digest, or a GOST algorithm in the parameters of any of its encryptions."""
    mac = pfx['mac_data']
    if mac.native is not None and mac['mac']['digest_algorithm']['algorithm'].dotted.startswith(oids.GOST_OID_PREFIX):
        return True
    try:
        return any(_has_gost_oid(algorithm.dump()) for algorithm in _encryption_algorithms(pfx))
    except (ValueError, TypeError, KeyError) as error:
        raise BrokenContainer from error


def _encryption_algorithms(pfx: asn1_pkcs12.Pfx) -> Iterator[Any]:
    """The AlgorithmIdentifiers of the encrypted parts: EncryptedData contents and shrouded key bags."""
    for info in asn1_pkcs12.AuthenticatedSafe.load(bytes(pfx['auth_safe']['content'])):
        kind = info['content_type'].native
        if kind == 'encrypted_data':
            yield info['content']['encrypted_content_info']['content_encryption_algorithm']
        elif kind == 'data':
            for bag in asn1_pkcs12.SafeContents.load(bytes(info['content'])):
                if bag['bag_id'].native == 'pkcs8_shrouded_key_bag':
                    yield bag['bag_value']['encryption_algorithm']


def _has_gost_oid(der: bytes) -> bool:
    """An OBJECT IDENTIFIER under 1.2.643 (the Russian arc, 2A 85 03) anywhere in a small DER structure."""
    return any(der[index] == 0x06 and der[index + 2 : index + 5] == b'\x2a\x85\x03' for index in range(len(der) - 4))


def _check_mac(pfx: asn1_pkcs12.Pfx, password: str) -> None:
    """WrongPassword when the container's MAC does not verify with this password."""
    mac = pfx['mac_data']
    if mac.native is None:
        return
    name = _MAC_HASHES.get(mac['mac']['digest_algorithm']['algorithm'].dotted)
    if name is None:
        return  # an unusual MAC: the container reader decides
    content = bytes(pfx['auth_safe']['content'])
    size = hashlib.new(name).digest_size
    # an empty password is the BMPString terminator alone for most tools and no bytes at all for some
    secrets = [(password + '\0').encode('utf-16-be')] if password else [b'\0\0', b'']
    for secret in secrets:
        key = pkcs12_kdf(name, secret, mac['mac_salt'].native, 3, mac['iterations'].native, size)
        if hmac.compare_digest(hmac.new(key, content, name).digest(), mac['mac']['digest'].native):
            return
    raise WrongPassword


def pkcs12_kdf(hash_name: str, secret: bytes, salt: bytes, purpose: int, iterations: int, length: int) -> bytes:
    """The PKCS#12 key derivation (RFC 7292 B.2); `secret` is the BMPString password with its terminator."""
    block = hashlib.new(hash_name).block_size
    d_block = bytes([purpose]) * block
    i_block = _stretch(salt, block) + _stretch(secret, block)
    modulus = 1 << (8 * block)
    output = b''
    while len(output) < length:
        a = d_block + i_block
        for _ in range(iterations):
            a = hashlib.new(hash_name, a).digest()
        output += a
        b = int.from_bytes(_stretch(a, block), 'big') + 1
        chunks = (i_block[i : i + block] for i in range(0, len(i_block), block))
        i_block = b''.join(((int.from_bytes(chunk, 'big') + b) % modulus).to_bytes(block, 'big') for chunk in chunks)
    return output[:length]


def _stretch(value: bytes, block: int) -> bytes:
    """`value` repeated to fill whole blocks (empty stays empty)."""
    if not value:
        return b''
    size = block * ((len(value) + block - 1) // block)
    return (value * (size // len(value) + 1))[:size]


def _read_with_cryptography(data: bytes, password: str) -> RawBundle:
    try:
        loaded = crypto_pkcs12.load_pkcs12(data, password.encode('utf-8') if password else None)
    except ValueError as error:
        raise BrokenContainer from error
    key = loaded.key
    pkcs8 = None
    if key is not None:
        pkcs8 = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    certificate = loaded.cert.certificate.public_bytes(serialization.Encoding.DER) if loaded.cert else None
    others = [item.certificate.public_bytes(serialization.Encoding.DER) for item in loaded.additional_certs]
    return RawBundle(pkcs8, certificate, others)


def _bundle(raw: RawBundle) -> KeyBundle:
    if raw.pkcs8 is None:
        raise NoPrivateKey('В контейнере PKCS#12 нет закрытого ключа.')
    try:
        key = load_private_key(raw.pkcs8)
    except KeyFormatError as error:
        raise BrokenContainer('Закрытый ключ в контейнере повреждён или записан в неизвестном формате.') from error
    spki = public_key_info(key)
    candidates = ([raw.certificate] if raw.certificate else []) + raw.others
    own = next((der for der in candidates if same_public_key(_spki_of(der), spki)), None)
    if own is None:
        raise KeyMismatch if candidates else NoCertificate
    return KeyBundle(key, own, [der for der in candidates if der != own])


def _spki_of(der: bytes) -> bytes:
    try:
        return CertificateInfo.from_der(der).spki_der
    except BadCertificate:
        return b''


def export_pkcs12(key: PrivateKey, certificate: bytes, chain: list[bytes], password: str, *, name: str = '') -> bytes:
    """An RSA/EC container (AES-256 PBES2, SHA-256 MAC) through cryptography; GOST containers are made by openssl."""
    if key.algorithm not in ('rsa', 'ec'):
        raise GostUnavailable('Контейнеры PKCS#12 с ключами ГОСТ создаются утилитой openssl с движком GOST.')
    return crypto_pkcs12.serialize_key_and_certificates(
        name.encode('utf-8') or None,
        key.handle,
        x509.load_der_x509_certificate(certificate),
        [x509.load_der_x509_certificate(der) for der in chain] or None,
        serialization.BestAvailableEncryption(password.encode('utf-8')),
    )
