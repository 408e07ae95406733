"""The signature backend interface: every backend (built in or a certified provider plugged in by configuration)
implements these four methods and a `name`.

Conventions: `data` is the message (a backend hashes it with `digest_oid` itself); `sign` returns and `verify` takes
the signature in its wire format (RSA: PKCS#1 v1.5 bytes; ECDSA: DER `Ecdsa-Sig-Value`; GOST: s ‖ r, each half
big-endian). `verify` returns False for a signature that does not verify or is malformed, and raises
`UnsupportedAlgorithm` only when it cannot handle the key or digest algorithm at all, and `KeyFormatError` when the
public key cannot be read.

Optional members that the registry uses when present: `supports_digest(digest_oid) -> bool` (which backend answers
`digest()`), and a static/class method `available() -> bool` (a backend whose library is missing is skipped).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from edms.signatures.crypto.keys import PrivateKey


@runtime_checkable
class SignatureBackend(Protocol):
    """One way to compute digests and create or check signatures."""

    name: str

    def supports(self, key_algorithm_oid: str) -> bool:
        """True when this backend signs and verifies with keys of this SubjectPublicKeyInfo algorithm."""
        ...

    def digest(self, digest_oid: str, data: bytes) -> bytes:
        """The hash of `data` with the algorithm `digest_oid`."""
        ...

    def sign(self, key: PrivateKey, digest_oid: str, data: bytes) -> bytes:
        """A signature over `data` (hashed with `digest_oid`), in wire format."""
        ...

    def verify(self, spki_der: bytes, digest_oid: str, data: bytes, signature: bytes) -> bool:
        """True when `signature` (wire format) over `data` verifies with the public key `spki_der`."""
        ...
