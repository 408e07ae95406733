"""What the project needs from pyhanko 0.38 beyond its API: quiet loggers, GOST keys kept readable, a fast
hex-string reader, and its coroutines run from sync code. Importing this module applies the first three once.

* pyhanko and certvalidator log revocation and trust failures at WARNING with tracebacks (SIGNATURES.md §1d
  pitfall 5): the loggers are set to ERROR; the verdicts are in the reports.
* Importing `pyhanko_certvalidator` replaces asn1crypto's public-key spec callback in place, dropping the GOST one of
  crypto/asn1_patch.py if that ran first: a GOST-aware callback is put back on top.
* pyhanko reads a PDF hex string byte by byte; /Contents of a signature holds ~10,000 hex digits, which made opening
  a signed PDF cost more than validating it. `_read_hex_string` does the same at C speed, falling back to the
  original for anything but hex digits and whitespace.
* pyhanko's sync wrappers call `asyncio.run`, which fails inside a running event loop: `run_outside_loop` runs the
  coroutine in a worker thread then.
"""

from __future__ import annotations

import asyncio
import binascii
import logging
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pyhanko_certvalidator.asn1_types  # noqa: F401 - its asn1crypto patch must run before ours
from pyhanko.pdf_utils import generic

from edms.signatures.crypto.asn1_patch import patch_asn1crypto

T = TypeVar('T')
for _name in ('pyhanko', 'pyhanko_certvalidator', 'fontTools'):
    logging.getLogger(_name).setLevel(logging.ERROR)


# Importing pyhanko_certvalidator replaces asn1crypto's public-key spec callback in place (for ML-DSA keys), which
# drops the GOST one installed on import of edms.signatures.crypto: install it again on top.
patch_asn1crypto()
_HEX_BODY = re.compile(rb'[0-9A-Fa-f \n\r\t\f\x00]*')


def _read_hex_string(stream: Any) -> Any:
    """pyhanko's `read_hex_string_from_stream` at C speed: it reads a hex string one byte at a time, which is most of
    the time to open a signed PDF (/Contents holds ~10,000 hex digits). Same result and final position; anything but
    hex digits and whitespace (a comment, a bad token) goes to the original, which handles or reports it."""
    start = stream.tell()
    stream.read(1)
    chunks: list[bytes] = []
    while chunk := stream.read(65536):
        end = chunk.find(b'>')
        if end < 0:
            chunks.append(chunk)
            continue
        body = b''.join([*chunks, chunk[:end]])
        if not _HEX_BODY.fullmatch(body):
            break
        stream.seek(start + len(body) + 2)
        digits = body.translate(None, b' \n\r\t\f\x00')
        return generic.pdf_string(binascii.unhexlify(digits + b'0' * (len(digits) % 2)))
    stream.seek(start)
    return _ORIGINAL_HEX_READER(stream)


_ORIGINAL_HEX_READER = getattr(generic.read_hex_string_from_stream, 'original', generic.read_hex_string_from_stream)
_read_hex_string.original = _ORIGINAL_HEX_READER  # type: ignore[attr-defined]
generic.read_hex_string_from_stream = _read_hex_string


def run_outside_loop(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run pyhanko's coroutines to completion from sync code; inside a running event loop, in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
