"""The three GOST byte-order mistakes of SIGNATURES.md §3c, made on purpose: each must fail every verifier.

- `e_big_endian`: the number signed taken as int.from_bytes(H, 'big') instead of little-endian;
- `r_s_order`: the halves written r ‖ s instead of s ‖ r;
- `key_big_endian`: the private key's raw octets read big-endian (a different key signs).
Each returns a signature in wire layout over `data` for `key` (a GOST `PrivateKey`).
"""

from __future__ import annotations

from collections.abc import Callable

from edms.signatures.crypto import gost
from edms.signatures.crypto.keys import PrivateKey


def _digest(key: PrivateKey, data: bytes) -> bytes:
    return gost.streebog_python(data, key.handle.paramset.bits)


def _raw_sign(key: PrivateKey, d: int, e_be: bytes) -> bytes:
    """gostcrypto's r ‖ s for private scalar d over the big-endian digest bytes e_be."""
    size = key.handle.paramset.size
    return bytes(gost.curve_for(key.handle.paramset).sign(bytearray(d.to_bytes(size, 'big')), bytearray(e_be)))


def _swap(r_s: bytes) -> bytes:
    half = len(r_s) // 2
    return r_s[half:] + r_s[:half]


def e_big_endian(key: PrivateKey, data: bytes) -> bytes:
    return _swap(_raw_sign(key, key.handle.d, _digest(key, data)))


def r_s_order(key: PrivateKey, data: bytes) -> bytes:
    return _raw_sign(key, key.handle.d, _digest(key, data)[::-1])


def key_big_endian(key: PrivateKey, data: bytes) -> bytes:
    size = key.handle.paramset.size
    wrong_d = int.from_bytes(key.handle.d.to_bytes(size, 'little'), 'big') % gost.curve_for(key.handle.paramset)._q
    return _swap(_raw_sign(key, wrong_d, _digest(key, data)[::-1]))


def correct(key: PrivateKey, data: bytes) -> bytes:
    """The right conventions, written out the same way (a control: it must verify)."""
    return _swap(_raw_sign(key, key.handle.d, _digest(key, data)[::-1]))


FAULTS: dict[str, Callable[[PrivateKey, bytes], bytes]] = {
    'e_big_endian': e_big_endian,
    'r_s_order': r_s_order,
    'key_big_endian': key_big_endian,
}
