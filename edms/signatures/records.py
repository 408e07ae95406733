"""Signing a record (a resolution, a decision) and checking that its content has not changed since it was signed.

A record is signed over its canonical bytes: the record type, its id and its payload serialized as UTF-8 JSON with
sorted keys, no whitespace and ISO dates. The simple signature (login and password, 63-ФЗ art. 5 p. 2) stores only
the signer, the moment and the SHA-256 digest of those bytes. The qualified signature will be produced here, through
`sign_record(..., method='qualified', **credentials)`, by the signatures issue; until then it is refused.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from edms.core.access import Actor
from edms.core.clock import utcnow
from edms.core.errors import DomainError

SIMPLE = 'simple'
#: Methods callers may name; only `simple` is produced now.
METHODS = (SIMPLE, 'advanced', 'qualified')


class SigningUnavailable(DomainError):
    """The requested kind of signature cannot be produced (yet)."""

    code = 'signing_unavailable'
    status = 409
    message = 'Квалифицированная электронная подпись пока недоступна: документ можно подписать простой подписью.'


class SignerRequired(DomainError):
    """Only a person signs; the system acting on its own has no signature."""

    code = 'signer_required'
    status = 403
    message = 'Подписать документ может только пользователь системы.'


@dataclass(frozen=True)
class RecordSignature:
    """A produced signature: `value` holds the signature bytes of advanced kinds and is None for a simple one."""

    method: str
    signer_id: int
    signed_at: datetime
    digest: str
    value: bytes | None = None


def canonical_bytes(payload: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace; dates and datetimes in ISO 8601, enums by value."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(',', ':'), default=_plain).encode(
        'utf-8'
    )


def signed_content(record_type: str, record_id: int, payload: Mapping[str, Any]) -> bytes:
    """The exact bytes a signature covers: the payload bound to the record's type and id."""
    return canonical_bytes({'record_type': record_type, 'record_id': record_id, 'payload': dict(payload)})


def record_digest(record_type: str, record_id: int, payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the signed content."""
    return hashlib.sha256(signed_content(record_type, record_id, payload)).hexdigest()


def sign_record(
    actor: Actor,
    record_type: str,
    record_id: int,
    payload: Mapping[str, Any],
    *,
    method: str = SIMPLE,
    **credentials: Any,
) -> RecordSignature:
    """Sign the record as `actor`; only the simple method is available now (any other raises `SigningUnavailable`).

    `credentials` are for the methods to come (a certificate id, a PIN, a token session); the simple signature
    needs none: the user has already proved who they are by logging in.
    """
    if method != SIMPLE:
        raise SigningUnavailable()
    if actor.id is None:
        raise SignerRequired()
    return RecordSignature(
        method=SIMPLE,
        signer_id=actor.id,
        signed_at=utcnow(),
        digest=record_digest(record_type, record_id, payload),
    )


def verify_digest(record_type: str, record_id: int, payload: Mapping[str, Any], digest: str | None) -> bool:
    """True when the record's current content hashes to the digest stored at signing."""
    return digest is not None and record_digest(record_type, record_id, payload) == digest


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f'not serializable in a signed payload: {type(value).__name__}')
