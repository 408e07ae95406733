"""Fixtures of the signature tests: the generated test PKI, built once per test session into a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edms.signatures.crypto.backends import configure_backends
from scripts.make_test_pki import TestPki, build_test_pki


@pytest.fixture(scope='session')
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """The whole test PKI (CAs, users, CRLs, PKCS#12 with password 'test123'); see scripts/make_test_pki.py."""
    return build_test_pki(tmp_path_factory.mktemp('test-pki'))


@pytest.fixture
def default_backends() -> Iterator[None]:
    """Restore the default backend list after a test that reconfigures it."""
    yield
    configure_backends(None)
