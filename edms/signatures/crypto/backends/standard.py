"""The standard backend: RSA (PKCS#1 v1.5) and ECDSA through `cryptography`, SHA-1/2 digests through hashlib."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as CryptographyUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from edms.signatures.crypto import oids
from edms.signatures.crypto.errors import KeyFormatError, UnsupportedAlgorithm
from edms.signatures.crypto.keys import PrivateKey

_HASHES: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    oids.SHA1: ('sha1', hashes.SHA1),
    oids.SHA224: ('sha224', hashes.SHA224),
    oids.SHA256: ('sha256', hashes.SHA256),
    oids.SHA384: ('sha384', hashes.SHA384),
    oids.SHA512: ('sha512', hashes.SHA512),
}
#: SHA-1 is accepted for verifying old signatures, never for new ones.
_SIGNING_DIGESTS = frozenset({oids.SHA224, oids.SHA256, oids.SHA384, oids.SHA512})


class StandardBackend:
    """RSA and ECDSA with SHA-2 (and SHA-1 for verification only)."""

    name = 'standard'

    @staticmethod
    def available() -> bool:
        return True

    def supports(self, key_algorithm_oid: str) -> bool:
        return key_algorithm_oid in (oids.RSA, oids.EC)

    def supports_digest(self, digest_oid: str) -> bool:
        return digest_oid in _HASHES

    def digest(self, digest_oid: str, data: bytes) -> bytes:
        return hashlib.new(_hash(digest_oid)[0], data).digest()

    def sign(self, key: PrivateKey, digest_oid: str, data: bytes) -> bytes:
        if digest_oid not in _SIGNING_DIGESTS:
            raise UnsupportedAlgorithm(f'Подпись с алгоритмом хэширования {digest_oid} не создаётся.')
        algorithm = _hash(digest_oid)[1]()
        if key.algorithm == 'rsa':
            return key.handle.sign(data, padding.PKCS1v15(), algorithm)
        if key.algorithm == 'ec':
            return key.handle.sign(data, ec.ECDSA(algorithm))
        raise UnsupportedAlgorithm(f'Бэкенд {self.name} не подписывает ключами {key.algorithm}.')

    def verify(self, spki_der: bytes, digest_oid: str, data: bytes, signature: bytes) -> bool:
        algorithm = _hash(digest_oid)[1]()
        public = _public_key(spki_der)
        try:
            if isinstance(public, rsa.RSAPublicKey):
                public.verify(signature, data, padding.PKCS1v15(), algorithm)
            else:
                public.verify(signature, data, ec.ECDSA(algorithm))
        except (InvalidSignature, ValueError):
            return False
        return True


def _hash(digest_oid: str) -> tuple[str, type[hashes.HashAlgorithm]]:
    try:
        return _HASHES[digest_oid]
    except KeyError:
        raise UnsupportedAlgorithm(f'Алгоритм хэширования {digest_oid} не поддерживается.') from None


@lru_cache(maxsize=1024)
def _public_key(spki_der: bytes) -> Any:
    """The `cryptography` public key of an SPKI, parsed once per distinct key."""
    try:
        public = serialization.load_der_public_key(spki_der)
    except (ValueError, TypeError) as error:
        raise KeyFormatError('Открытый ключ повреждён.') from error
    except CryptographyUnsupported as error:
        raise UnsupportedAlgorithm('Алгоритм открытого ключа не поддерживается.') from error
    if not isinstance(public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise UnsupportedAlgorithm('Бэкенд standard проверяет только подписи RSA и ECDSA.')
    return public
