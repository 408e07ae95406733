"""ctypes access to the system libcrypto.so.3 (the one Python's `_hashlib` links) with the GOST engine loaded into it.

The engine is loaded at run time (`ENGINE_by_id('dynamic')`, `SO_PATH`, `LOAD`, `ENGINE_set_default(ALL)`), so no
`OPENSSL_CONF` is needed before the process starts. `load()` returns None, with `unavailable_reason()` saying why,
when the library is not OpenSSL 3 or the engine is not installed. Only what the GOST backend and the GOST PKCS#12
reader need is bound.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

ENGINE_PATH = os.environ.get('EDMS_GOST_ENGINE_PATH', '/usr/lib/x86_64-linux-gnu/engines-3/gost.so')
_ENGINE_METHOD_ALL = 0xFFFF

V = ctypes.c_void_p
_INT = ctypes.c_int
_BUF = ctypes.c_char_p
_PTR_BUF = ctypes.POINTER(ctypes.c_char_p)
_PROTOTYPES: dict[str, tuple[object, tuple[object, ...]]] = {
    'OpenSSL_version_num': (ctypes.c_ulong, ()),
    'ERR_get_error': (ctypes.c_ulong, ()),
    'ERR_clear_error': (None, ()),
    'ENGINE_by_id': (V, (_BUF,)),
    'ENGINE_ctrl_cmd_string': (_INT, (V, _BUF, _BUF, _INT)),
    'ENGINE_init': (_INT, (V,)),
    'ENGINE_set_default': (_INT, (V, ctypes.c_uint)),
    'ENGINE_free': (_INT, (V,)),
    'EVP_get_digestbyname': (V, (_BUF,)),
    'EVP_Digest': (_INT, (_BUF, ctypes.c_size_t, _BUF, ctypes.POINTER(ctypes.c_uint), V, V)),
    'EVP_MD_CTX_new': (V, ()),
    'EVP_MD_CTX_free': (None, (V,)),
    'EVP_DigestSignInit': (_INT, (V, V, V, V, V)),
    'EVP_DigestSign': (_INT, (V, _BUF, ctypes.POINTER(ctypes.c_size_t), _BUF, ctypes.c_size_t)),
    'EVP_DigestVerifyInit': (_INT, (V, V, V, V, V)),
    'EVP_DigestVerify': (_INT, (V, _BUF, ctypes.c_size_t, _BUF, ctypes.c_size_t)),
    'd2i_AutoPrivateKey': (V, (V, _PTR_BUF, ctypes.c_long)),
    'd2i_PUBKEY': (V, (V, _PTR_BUF, ctypes.c_long)),
    'EVP_PKEY_free': (None, (V,)),
    'EVP_PKEY2PKCS8': (V, (V,)),
    'i2d_PKCS8_PRIV_KEY_INFO': (_INT, (V, ctypes.POINTER(V))),
    'PKCS8_PRIV_KEY_INFO_free': (None, (V,)),
    'd2i_PKCS12': (V, (V, _PTR_BUF, ctypes.c_long)),
    'PKCS12_mac_present': (_INT, (V,)),
    'PKCS12_verify_mac': (_INT, (V, _BUF, _INT)),
    'PKCS12_parse': (_INT, (V, _BUF, ctypes.POINTER(V), ctypes.POINTER(V), ctypes.POINTER(V))),
    'PKCS12_free': (None, (V,)),
    'i2d_X509': (_INT, (V, ctypes.POINTER(V))),
    'X509_free': (None, (V,)),
    'OPENSSL_sk_num': (_INT, (V,)),
    'OPENSSL_sk_value': (V, (V, _INT)),
    'OPENSSL_sk_free': (None, (V,)),
    'OPENSSL_cleanse': (None, (V, ctypes.c_size_t)),
}

_lock = threading.Lock()
_reason: list[str] = []
_state: list[Library | None] = []


class Library:
    """The bound functions of libcrypto (attributes named as in C) plus small marshalling helpers."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        for name, (restype, argtypes) in _PROTOTYPES.items():
            function = getattr(cdll, name)
            function.restype = restype
            function.argtypes = list(argtypes)
            setattr(self, name, function)

    def d2i(self, function_name: str, der: bytes) -> int | None:
        """Call a `d2i_*` function on DER bytes; None (and a cleared error queue) when it fails."""
        cursor = ctypes.c_char_p(der)
        handle = getattr(self, function_name)(None, ctypes.byref(cursor), len(der))
        if not handle:
            self.ERR_clear_error()
        return handle

    def i2d(self, function_name: str, handle: int, *, secret: bool = False) -> bytes:
        """Call an `i2d_*` function and return the DER bytes (the C buffer is wiped when `secret`)."""
        function = getattr(self, function_name)
        size = function(handle, None)
        if size <= 0:
            self.ERR_clear_error()
            raise ValueError(f'{function_name} failed')
        buffer = ctypes.create_string_buffer(size)
        cursor = V(ctypes.addressof(buffer))
        function(handle, ctypes.byref(cursor))
        data = buffer.raw[:size]
        if secret:
            self.OPENSSL_cleanse(ctypes.addressof(buffer), size)
        return data


def _libcrypto_path() -> str:
    """The libcrypto that `_hashlib` has mapped into this process, or the soname when it cannot be told."""
    import _hashlib  # noqa: F401 - make sure Python's own libcrypto is loaded first

    try:
        for line in Path('/proc/self/maps').read_text().splitlines():
            path = line.split()[-1]
            if '/libcrypto.so' in path:
                return path
    except OSError:
        pass
    return 'libcrypto.so.3'


def _load_engine(lib: Library) -> bool:
    return _use_loaded_engine(lib) or _load_dynamic_engine(lib)


def _use_loaded_engine(lib: Library) -> bool:
    """The engine an OPENSSL_CONF of the process already loaded (SIGNATURES.md's configs do)."""
    engine = lib.ENGINE_by_id(b'gost')
    lib.ERR_clear_error()
    if not engine:
        return False
    ok = lib.ENGINE_init(engine) == 1 and lib.ENGINE_set_default(engine, _ENGINE_METHOD_ALL) == 1
    lib.ENGINE_free(engine)
    lib.ERR_clear_error()
    return ok and bool(lib.EVP_get_digestbyname(b'md_gost12_256'))


def _load_dynamic_engine(lib: Library) -> bool:
    engine = lib.ENGINE_by_id(b'dynamic')
    if not engine:
        return False
    commands = ((b'SO_PATH', ENGINE_PATH.encode()), (b'ID', b'gost'), (b'LOAD', None))
    ok = all(lib.ENGINE_ctrl_cmd_string(engine, name, value, 0) == 1 for name, value in commands)
    ok = ok and lib.ENGINE_init(engine) == 1 and lib.ENGINE_set_default(engine, _ENGINE_METHOD_ALL) == 1
    lib.ENGINE_free(engine)  # ENGINE_init holds its own functional reference
    lib.ERR_clear_error()
    return ok and bool(lib.EVP_get_digestbyname(b'md_gost12_256'))


def load() -> Library | None:
    """The library with the GOST engine loaded (once per process), or None (see `unavailable_reason()`)."""
    with _lock:
        if not _state:
            _state.append(_load())
        return _state[0]


def _load() -> Library | None:
    if not Path(ENGINE_PATH).is_file():
        _reason.append(f'нет модуля {ENGINE_PATH} (пакет libengine-gost-openssl не установлен)')
        return None
    try:
        lib = Library(ctypes.CDLL(_libcrypto_path()))
    except (OSError, AttributeError) as error:
        _reason.append(f'libcrypto.so.3 (OpenSSL 3) недоступна: {error}')
        return None
    if lib.OpenSSL_version_num() < 0x30000000:
        _reason.append('системная OpenSSL старше версии 3.0')
        return None
    if not _load_engine(lib):
        _reason.append(f'движок GOST из {ENGINE_PATH} не загрузился')
        return None
    return lib


def unavailable_reason() -> str:
    """Why `load()` returned None (empty while it has not been called or succeeded)."""
    return _reason[-1] if _reason else ''
