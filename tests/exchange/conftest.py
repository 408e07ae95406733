"""Fixtures of the exchange tests: the shared conformance data (skipped when absent), the test PKI and signers.

The real packets and samples are read from ../shared/conformance/medo relative to the repository root, never copied;
the project's own packets come from tests/exchange/builders.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edms.exchange.packets.errors import PacketRejected
from edms.signatures.crypto import keys
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.verify import TrustData
from scripts.make_test_pki import TestPki
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture, shared

MEDO = Path(__file__).resolve().parents[2].parent / 'shared' / 'conformance' / 'medo'
REAL_PACKETS = MEDO / 'real-packets'
SAMPLES = MEDO / 'samples'
#: each refusal must come quickly (the issue: every bad packet refused in under a second)
REFUSAL_SECONDS = 1.0


def shared_folder(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f'no shared conformance data at {path}')
    return path


def read_folder(path: Path) -> dict[str, bytes]:
    return {item.name: item.read_bytes() for item in sorted(path.iterdir()) if item.is_file()}


@contextmanager
def refused(reason_code: str) -> Iterator[list[PacketRejected]]:
    """Expect a PacketRejected with `reason_code` within REFUSAL_SECONDS; yields a list that receives it."""
    caught: list[PacketRejected] = []
    started = time.perf_counter()
    with pytest.raises(PacketRejected) as info:
        yield caught
    elapsed = time.perf_counter() - started
    caught.append(info.value)
    assert info.value.reason_code == reason_code, info.value.message
    assert elapsed < REFUSAL_SECONDS, f'refused in {elapsed:.2f} s'


@pytest.fixture
def signing_moment() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def rsa_sign(test_pki: TestPki, signing_moment: datetime) -> Callable[[bytes], bytes]:  # noqa: F811
    """Signs data as the test PKI's RSA user (detached CAdES-BES)."""
    key = keys.load_private_key(test_pki.users['rsa'].key_der.read_bytes())
    certificate, chain = test_pki.user_der('rsa'), test_pki.chain_ders('rsa')

    def sign(data: bytes) -> bytes:
        return sign_detached(data, key, certificate, chain, signing_time=signing_moment)

    return sign


@pytest.fixture
def rsa_trust(test_pki: TestPki) -> TrustData:  # noqa: F811
    """Trust in the RSA hierarchy of the test PKI, with its CRLs."""
    return TrustData(
        anchors=[test_pki.ca_der('root')],
        intermediates=[test_pki.ca_der('ca')],
        crls=test_pki.crl_ders(),
        accredited=set(test_pki.accredited_fingerprints),
        now=datetime.now(UTC),
    )
