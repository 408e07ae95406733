"""Reading GOST-protected PKCS#12 containers (gost89 PBE, Streebog MAC), which `cryptography` cannot open.

In process through the GOST engine loaded into the system libcrypto (`PKCS12_verify_mac`, `PKCS12_parse`) when it is
available; otherwise through `openssl pkcs12 -nodes` with a temporary engine config, when the command and the
engine are installed; otherwise `GostUnavailable`. The password goes to openssl on standard input, never on the
command line; it is never stored or logged.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem

from edms.signatures.crypto.backends import openssl_lib
from edms.signatures.crypto.backends.gost_engine import openssl_config_file
from edms.signatures.crypto.errors import BrokenContainer, GostUnavailable, WrongPassword

_OPENSSL_TIMEOUT = 30


@dataclass(frozen=True)
class RawBundle:
    """What a container held: the key as PKCS#8 DER (or None), certificates as DER (the key's one first if known)."""

    pkcs8: bytes | None
    certificate: bytes | None
    others: list[bytes]


def read_gost_pkcs12(data: bytes, password: str) -> RawBundle:
    """Open a GOST PKCS#12: in process, else with the openssl command, else GostUnavailable."""
    lib = openssl_lib.load()
    if lib is not None:
        return _read_in_process(lib, data, password)
    if shutil.which('openssl') and Path(openssl_lib.ENGINE_PATH).is_file():
        return read_with_openssl_command(data, password)
    raise GostUnavailable


def _read_in_process(lib: openssl_lib.Library, data: bytes, password: str) -> RawBundle:
    p12 = lib.d2i('d2i_PKCS12', data)
    if not p12:
        raise BrokenContainer
    secret = password.encode('utf-8')
    key, cert, chain = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    try:
        if lib.PKCS12_mac_present(p12) and lib.PKCS12_verify_mac(p12, secret, len(secret)) != 1:
            lib.ERR_clear_error()
            raise WrongPassword
        if lib.PKCS12_parse(p12, secret, ctypes.byref(key), ctypes.byref(cert), ctypes.byref(chain)) != 1:
            lib.ERR_clear_error()
            raise BrokenContainer
        return RawBundle(_pkcs8(lib, key.value), _certificate(lib, cert.value), _stack(lib, chain.value))
    finally:
        _free(lib, key.value, cert.value, chain.value)
        lib.PKCS12_free(p12)


def _pkcs8(lib: openssl_lib.Library, key: int | None) -> bytes | None:
    if not key:
        return None
    info = lib.EVP_PKEY2PKCS8(key)
    if not info:
        lib.ERR_clear_error()
        raise BrokenContainer
    try:
        return lib.i2d('i2d_PKCS8_PRIV_KEY_INFO', info, secret=True)
    finally:
        lib.PKCS8_PRIV_KEY_INFO_free(info)


def _certificate(lib: openssl_lib.Library, cert: int | None) -> bytes | None:
    return lib.i2d('i2d_X509', cert) if cert else None


def _stack(lib: openssl_lib.Library, stack: int | None) -> list[bytes]:
    if not stack:
        return []
    return [lib.i2d('i2d_X509', lib.OPENSSL_sk_value(stack, index)) for index in range(lib.OPENSSL_sk_num(stack))]


def _free(lib: openssl_lib.Library, key: int | None, cert: int | None, stack: int | None) -> None:
    if key:
        lib.EVP_PKEY_free(key)
    if cert:
        lib.X509_free(cert)
    if stack:
        for index in range(lib.OPENSSL_sk_num(stack)):
            lib.X509_free(lib.OPENSSL_sk_value(stack, index))
        lib.OPENSSL_sk_free(stack)


def read_with_openssl_command(data: bytes, password: str) -> RawBundle:
    """`openssl pkcs12 -nodes` with the engine config written to a temporary file (the fallback path)."""
    if '\n' in password or '\r' in password:
        raise WrongPassword
    with tempfile.TemporaryDirectory(prefix='edms-p12-') as folder, openssl_config_file() as config:
        source = Path(folder) / 'container.p12'
        source.write_bytes(data)
        result = subprocess.run(
            ['openssl', 'pkcs12', '-in', str(source), '-nodes', '-passin', 'stdin'],
            input=(password + '\n').encode('utf-8'),
            capture_output=True,
            timeout=_OPENSSL_TIMEOUT,
            env={**os.environ, 'OPENSSL_CONF': str(config)},
            check=False,
        )
    if result.returncode != 0:
        if b'mac verify' in result.stderr.lower() or b'invalid password' in result.stderr.lower():
            raise WrongPassword
        raise BrokenContainer
    return _bundle_from_pem(result.stdout)


def _bundle_from_pem(text: bytes) -> RawBundle:
    key: bytes | None = None
    certificates: list[bytes] = []
    for kind, _, der in pem.unarmor(text, multiple=True):
        if kind == 'PRIVATE KEY':
            key = der
        elif kind == 'CERTIFICATE':
            certificates.append(der)
    return RawBundle(key, None, certificates)
