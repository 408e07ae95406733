"""The pure-Python GOST backend: GOST R 34.10-2012 through gostcrypto (sped up, see `gost_curve`), Streebog through
hashlib when its OpenSSL has the GOST provider and through gostcrypto otherwise. Always available: the fallback
when the OpenSSL GOST engine is not installed.
"""

from __future__ import annotations

from edms.signatures.crypto import gost, oids
from edms.signatures.crypto.errors import UnsupportedAlgorithm
from edms.signatures.crypto.keys import PrivateKey


class GostPythonBackend:
    """GOST R 34.10-2012 (256 and 512) with GOST R 34.11-2012 in Python."""

    name = 'gost-python'

    @staticmethod
    def available() -> bool:
        return True

    def supports(self, key_algorithm_oid: str) -> bool:
        return key_algorithm_oid in oids.GOST_KEYS

    def supports_digest(self, digest_oid: str) -> bool:
        return digest_oid in oids.STREEBOG_DIGESTS

    def digest(self, digest_oid: str, data: bytes) -> bytes:
        return gost.streebog(data, gost.digest_bits(digest_oid))

    def sign(self, key: PrivateKey, digest_oid: str, data: bytes) -> bytes:
        handle = key.handle
        if not isinstance(handle, gost.GostPrivateKey):
            raise UnsupportedAlgorithm(f'Бэкенд {self.name} не подписывает ключами {key.algorithm}.')
        gost.check_digest_for_key(handle.key_oid, digest_oid)
        return gost.sign_digest(handle, self.digest(digest_oid, data))

    def verify(self, spki_der: bytes, digest_oid: str, data: bytes, signature: bytes) -> bool:
        public = gost.parse_public_key(spki_der)
        gost.check_digest_for_key(public.paramset.key_oid, digest_oid)
        return gost.verify_digest(public, self.digest(digest_oid, data), signature)
