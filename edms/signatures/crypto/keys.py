"""Private keys: one `PrivateKey` type for RSA, ECDSA and GOST R 34.10-2012, read from PKCS#8 once and reused.

`handle` is a `cryptography` key object for RSA/EC and a `gost.GostPrivateKey` for GOST. A key never appears in a
repr, a log line or an error message.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import keys as asn1_keys
from cryptography.exceptions import UnsupportedAlgorithm as CryptographyUnsupported
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from edms.signatures.crypto import gost, oids
from edms.signatures.crypto.errors import KeyFormatError, UnsupportedAlgorithm

ALGORITHMS = ('rsa', 'ec', 'gost2012_256', 'gost2012_512')
_KEY_OIDS = {
    'rsa': oids.RSA,
    'ec': oids.EC,
    'gost2012_256': oids.GOST2012_256,
    'gost2012_512': oids.GOST2012_512,
}
_PEM_PRIVATE = re.compile(rb'-----BEGIN (?:RSA |EC )?PRIVATE KEY-----(.+?)-----END (?:RSA |EC )?PRIVATE KEY-----', re.S)


@dataclass(frozen=True, eq=False)
class PrivateKey:
    """A signing key: `algorithm` is 'rsa', 'ec', 'gost2012_256' or 'gost2012_512'; `handle` the parsed key.

    Equality and hash are by identity (two loads of one key are two objects); parse a key once and reuse it.
    """

    algorithm: str
    handle: Any = field(repr=False)

    @property
    def key_oid(self) -> str:
        """The SubjectPublicKeyInfo algorithm OID, the value `get_backend()` selects by."""
        return _KEY_OIDS[self.algorithm]

    @property
    def default_digest_oid(self) -> str:
        """The digest this key signs with by default: SHA-256, or Streebog of the key's size for GOST."""
        return oids.GOST_DIGEST_FOR_KEY.get(self.key_oid, oids.SHA256)


def load_private_key(pkcs8_der: bytes) -> PrivateKey:
    """Read an unencrypted PKCS#8 key (DER, or PEM). GOST: raw LE octets, a wrapped OCTET STRING or an INTEGER."""
    der = _pem_to_der(pkcs8_der) if pkcs8_der.lstrip().startswith(b'-----') else pkcs8_der
    try:
        info = asn1_keys.PrivateKeyInfo.load(der, strict=True)
        key_oid = info['private_key_algorithm']['algorithm'].dotted
    except (ValueError, TypeError, KeyError) as error:
        return _load_traditional(der, error)
    if key_oid in oids.GOST_KEYS:
        handle = gost.private_key_from_pkcs8(info)
        return PrivateKey(handle.algorithm, handle)
    if key_oid not in (oids.RSA, oids.EC):
        raise UnsupportedAlgorithm(f'Ключи алгоритма {key_oid} не поддерживаются.')
    return _from_cryptography(der)


def _pem_to_der(data: bytes) -> bytes:
    match = _PEM_PRIVATE.search(data)
    if not match:
        raise KeyFormatError('Файл PEM не содержит незашифрованного закрытого ключа.')
    body = b''.join(line for line in match.group(1).splitlines() if b':' not in line)
    try:
        return base64.b64decode(body, validate=False)
    except ValueError as error:
        raise KeyFormatError from error


def _load_traditional(der: bytes, error: Exception) -> PrivateKey:
    """PKCS#1 RSA and SEC1 EC keys (not PKCS#8) through cryptography; anything else is a broken key."""
    try:
        return _from_cryptography(der)
    except KeyFormatError:
        raise KeyFormatError from error


def _from_cryptography(der: bytes) -> PrivateKey:
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, CryptographyUnsupported) as error:
        raise KeyFormatError from error
    return wrap_cryptography_key(key)


def wrap_cryptography_key(key: Any) -> PrivateKey:
    """A `PrivateKey` around an RSA or EC key object of `cryptography`."""
    if isinstance(key, rsa.RSAPrivateKey):
        return PrivateKey('rsa', key)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return PrivateKey('ec', key)
    raise UnsupportedAlgorithm('Поддерживаются ключи RSA, ECDSA и ГОСТ Р 34.10-2012.')


def private_key_to_pkcs8(key: PrivateKey) -> bytes:
    """Unencrypted PKCS#8 DER of the key (GOST as raw little-endian octets, the gost-engine 3.x form)."""
    if isinstance(key.handle, gost.GostPrivateKey):
        return key.handle.pkcs8_der()
    return key.handle.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_info(key: PrivateKey) -> bytes:
    """The SubjectPublicKeyInfo DER of the key's public half (to compare with a certificate's)."""
    if isinstance(key.handle, gost.GostPrivateKey):
        return key.handle.public_key().spki_der
    return key.handle.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def same_public_key(first_spki: bytes, second_spki: bytes) -> bool:
    """True when two SubjectPublicKeyInfo carry the same key. GOST: the same curve and point, whatever optional
    parameters (digestParamSet) each encoding wrote; others: the same DER."""
    if first_spki == second_spki:
        return True
    try:
        first, second = gost.parse_public_key(first_spki), gost.parse_public_key(second_spki)
    except (KeyFormatError, UnsupportedAlgorithm):
        return False
    return (first.paramset.key_oid, first.paramset.curve_name, first.x, first.y) == (
        second.paramset.key_oid,
        second.paramset.curve_name,
        second.x,
        second.y,
    )


def generate_private_key(algorithm: str, *, paramset: str | None = None, rsa_bits: int = 2048) -> PrivateKey:
    """A new key (for the test PKI and tests): RSA, EC P-256, or GOST on `paramset` (CryptoPro-A / tc26-512-A)."""
    if algorithm == 'rsa':
        return PrivateKey('rsa', rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits))
    if algorithm == 'ec':
        return PrivateKey('ec', ec.generate_private_key(ec.SECP256R1()))
    if algorithm in ('gost2012_256', 'gost2012_512'):
        default = oids.CRYPTOPRO_A if algorithm == 'gost2012_256' else oids.TC26_512_A
        handle = gost.generate_private_key(paramset or default)
        if handle.algorithm != algorithm:
            raise UnsupportedAlgorithm(f'Набор параметров {paramset} не подходит для {algorithm}.')
        return PrivateKey(algorithm, handle)
    raise UnsupportedAlgorithm(f'Алгоритм ключа {algorithm} не поддерживается.')
