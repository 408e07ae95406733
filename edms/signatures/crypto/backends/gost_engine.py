"""The GOST backend on the OpenSSL GOST engine (Debian `libengine-gost-openssl`), in process through ctypes.

Keys are handed to the engine as DER (PKCS#8 for private keys, SubjectPublicKeyInfo for public ones), signatures are
made and checked with `EVP_DigestSign` / `EVP_DigestVerify`, Streebog with `EVP_Digest`. The engine's signature is
already the wire format (s ‖ r). Public keys are first read by `gost.parse_public_key`, as the Python backend reads
them, so that a malformed key gets the same answer from both backends. Optional: `available()` is False when the
library or the engine is missing, and the registry then uses `gost-python`.

`OPENSSL_CONFIG` is the minimal openssl.cnf that loads the engine for the `openssl` command line (tests, the
GOST PKCS#12 fallback); `openssl_config_file()` writes it to a temporary file for the duration of a block.
"""

from __future__ import annotations

import ctypes
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock

from edms.signatures.crypto import gost, oids
from edms.signatures.crypto.backends import openssl_lib
from edms.signatures.crypto.errors import KeyFormatError, UnsupportedAlgorithm
from edms.signatures.crypto.keys import PrivateKey

OPENSSL_CONFIG = """\
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = {engine_path}
default_algorithms = ALL
"""
_DIGEST_NAMES = {oids.STREEBOG256: b'md_gost12_256', oids.STREEBOG512: b'md_gost12_512'}
_PUBLIC_CACHE_SIZE = 512


def available() -> bool:
    """True when the system libcrypto is OpenSSL 3 and the GOST engine loaded into it."""
    return openssl_lib.load() is not None


@contextmanager
def openssl_config_file() -> Iterator[Path]:
    """A temporary openssl.cnf that loads the GOST engine: `OPENSSL_CONF=<path> openssl …` inside the block."""
    with tempfile.TemporaryDirectory(prefix='edms-gost-') as folder:
        path = Path(folder) / 'openssl-gost.cnf'
        path.write_text(OPENSSL_CONFIG.format(engine_path=openssl_lib.ENGINE_PATH))
        yield path


class _NativeKey:
    """An EVP_PKEY owned by Python: freed when the object goes."""

    def __init__(self, lib: openssl_lib.Library, pointer: int) -> None:
        self.lib = lib
        self.pointer = pointer

    def __del__(self) -> None:
        self.lib.EVP_PKEY_free(self.pointer)


class GostEngineBackend:
    """GOST R 34.10-2012 (256/512) and GOST R 34.11-2012 through the OpenSSL GOST engine."""

    name = 'gost-engine'
    available = staticmethod(available)

    def __init__(self) -> None:
        lib = openssl_lib.load()
        if lib is None:
            raise UnsupportedAlgorithm(f'Движок OpenSSL GOST недоступен: {openssl_lib.unavailable_reason()}.')
        self._lib = lib
        self._public: OrderedDict[bytes, _NativeKey] = OrderedDict()
        self._lock = Lock()

    def supports(self, key_algorithm_oid: str) -> bool:
        return key_algorithm_oid in oids.GOST_KEYS

    def supports_digest(self, digest_oid: str) -> bool:
        return digest_oid in _DIGEST_NAMES

    def digest(self, digest_oid: str, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(64)
        size = ctypes.c_uint()
        if self._lib.EVP_Digest(data, len(data), out, ctypes.byref(size), self._md(digest_oid), None) != 1:
            self._lib.ERR_clear_error()
            raise UnsupportedAlgorithm(f'Движок GOST не вычислил хэш {digest_oid}.')
        return out.raw[: size.value]

    def sign(self, key: PrivateKey, digest_oid: str, data: bytes) -> bytes:
        handle = key.handle
        if not isinstance(handle, gost.GostPrivateKey):
            raise UnsupportedAlgorithm(f'Бэкенд {self.name} не подписывает ключами {key.algorithm}.')
        gost.check_digest_for_key(handle.key_oid, digest_oid)
        native = self._private(handle)
        lib = self._lib
        ctx = lib.EVP_MD_CTX_new()
        try:
            out = ctypes.create_string_buffer(2 * handle.paramset.size)
            size = ctypes.c_size_t(len(out))
            ok = lib.EVP_DigestSignInit(ctx, None, self._md(digest_oid), None, native.pointer) == 1
            ok = ok and lib.EVP_DigestSign(ctx, out, ctypes.byref(size), data, len(data)) == 1
        finally:
            lib.EVP_MD_CTX_free(ctx)
        if not ok:
            lib.ERR_clear_error()
            raise KeyFormatError('Движок GOST не смог подписать данные этим ключом.')
        return out.raw[: size.value]

    def verify(self, spki_der: bytes, digest_oid: str, data: bytes, signature: bytes) -> bool:
        public = gost.parse_public_key(spki_der)
        gost.check_digest_for_key(public.paramset.key_oid, digest_oid)
        if len(signature) != 2 * public.paramset.size:
            return False
        native = self._public_key(spki_der)
        lib = self._lib
        ctx = lib.EVP_MD_CTX_new()
        try:
            ok = lib.EVP_DigestVerifyInit(ctx, None, self._md(digest_oid), None, native.pointer) == 1
            result = lib.EVP_DigestVerify(ctx, signature, len(signature), data, len(data)) if ok else -1
        finally:
            lib.EVP_MD_CTX_free(ctx)
        lib.ERR_clear_error()
        return result == 1

    def _md(self, digest_oid: str) -> int:
        name = _DIGEST_NAMES.get(digest_oid)
        md = self._lib.EVP_get_digestbyname(name) if name else None
        if not md:
            raise UnsupportedAlgorithm(f'Алгоритм хэширования {digest_oid} не поддерживается движком GOST.')
        return md

    def _private(self, handle: gost.GostPrivateKey) -> _NativeKey:
        native = handle.natives.get(self.name)
        if native is None:
            pointer = self._lib.d2i('d2i_AutoPrivateKey', handle.pkcs8_der())
            if not pointer:
                raise KeyFormatError('Движок GOST не принял закрытый ключ.')
            native = handle.natives[self.name] = _NativeKey(self._lib, pointer)
        return native

    def _public_key(self, spki_der: bytes) -> _NativeKey:
        with self._lock:
            native = self._public.get(spki_der)
            if native is not None:
                self._public.move_to_end(spki_der)
                return native
        pointer = self._lib.d2i('d2i_PUBKEY', spki_der)
        if not pointer:
            raise KeyFormatError('Движок GOST не принял открытый ключ.')
        native = _NativeKey(self._lib, pointer)
        with self._lock:
            self._public[spki_der] = native
            while len(self._public) > _PUBLIC_CACHE_SIZE:
                self._public.popitem(last=False)
        return native
