"""The backend registry: which implementation signs, verifies and hashes for each algorithm.

The list of backends comes from configuration, as dotted paths of classes (or of module attributes holding an
instance), tried in order; the first one that is available and `supports()` the key algorithm wins:

    SIGNATURE_BACKENDS = ['standard', 'gost-engine', 'gost-python']            # the default
    SIGNATURE_BACKENDS = ['standard', 'myorg.cryptopro.CryptoProBackend', 'gost-python']

Short names stand for the built-in backends. The application passes its `SIGNATURE_BACKENDS` setting to
`configure_backends()` at start-up; without that call the `EDMS_SIGNATURE_BACKENDS` environment variable
(comma-separated) or the default is used. A certified provider (CryptoPro CSP through pycades, a DSS) plugs in by
writing a class with the four methods of `base.SignatureBackend` and naming it first for the GOST key OIDs.
A backend class may define `available()`; an unavailable backend is skipped (the GOST engine when
libengine-gost-openssl is not installed, so that gost-python serves).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from typing import Any

from edms.signatures.crypto.backends.base import SignatureBackend
from edms.signatures.crypto.errors import UnsupportedAlgorithm

BUILTIN_BACKENDS = {
    'standard': 'edms.signatures.crypto.backends.standard.StandardBackend',
    'gost-engine': 'edms.signatures.crypto.backends.gost_engine.GostEngineBackend',
    'gost-python': 'edms.signatures.crypto.backends.gost_python.GostPythonBackend',
}
DEFAULT_BACKENDS = ('standard', 'gost-engine', 'gost-python')
ENVIRONMENT_VARIABLE = 'EDMS_SIGNATURE_BACKENDS'

_lock = threading.Lock()
_configured: list[SignatureBackend] | None = None


def configure_backends(paths: Sequence[str] | str | None = None) -> list[SignatureBackend]:
    """Build the backend list from dotted paths or short names (None: environment, then default) and install it."""
    global _configured  # the process-wide registry
    if isinstance(paths, str):
        paths = [part.strip() for part in paths.split(',') if part.strip()]
    if not paths:
        env = os.environ.get(ENVIRONMENT_VARIABLE, '')
        paths = [part.strip() for part in env.split(',') if part.strip()] or list(DEFAULT_BACKENDS)
    backends = [backend for backend in (_instantiate(path) for path in paths) if backend is not None]
    with _lock:
        _configured = backends
    return backends


def backends() -> list[SignatureBackend]:
    """The configured, available backends in order (configured on first use when nobody did)."""
    current = _configured
    return current if current is not None else configure_backends()


def get_backend(key_algorithm_oid: str) -> SignatureBackend:
    """The first configured backend that supports keys of this algorithm; UnsupportedAlgorithm when none does."""
    for backend in backends():
        if backend.supports(key_algorithm_oid):
            return backend
    raise UnsupportedAlgorithm(
        f'Ни один из настроенных криптографических модулей не поддерживает ключ {key_algorithm_oid}.'
    )


def get_named_backend(name: str) -> SignatureBackend:
    """A backend by its `name` among the configured ones (tests, benchmarks, diagnostics)."""
    for backend in backends():
        if backend.name == name:
            return backend
    raise UnsupportedAlgorithm(f'Криптографический модуль {name} не настроен или недоступен.')


def digest(digest_oid: str, data: bytes) -> bytes:
    """The hash of `data` by the first configured backend that knows the algorithm."""
    for backend in backends():
        supports_digest = getattr(backend, 'supports_digest', None)
        if supports_digest is not None and not supports_digest(digest_oid):
            continue
        try:
            return backend.digest(digest_oid, data)
        except UnsupportedAlgorithm:
            continue
    raise UnsupportedAlgorithm(f'Алгоритм хэширования {digest_oid} не поддерживается.')


def _instantiate(path: str) -> SignatureBackend | None:
    """The backend named by a short name or dotted path; None when its `available()` says False."""
    target = _import(BUILTIN_BACKENDS.get(path, path))
    if isinstance(target, type):
        available = getattr(target, 'available', None)
        if available is not None and not available():
            return None
        target = target()
    if not isinstance(target, SignatureBackend):
        raise TypeError(f'{path} is not a signature backend (name, supports, digest, sign, verify)')
    return target


def _import(dotted: str) -> Any:
    module_name, _, attribute = dotted.rpartition('.')
    if not module_name:
        raise ValueError(f'not a dotted path: {dotted!r}')
    return getattr(importlib.import_module(module_name), attribute)
