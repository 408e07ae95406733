"""Signing a record (a resolution, a decision) and checking that its content has not changed since it was signed.

A record is signed over its canonical bytes: the record type, its id and its payload serialized as UTF-8 JSON with
sorted keys, no whitespace and ISO dates. The simple signature (login and password, 63-ФЗ art. 5 p. 2) stores only
the signer, the moment and the SHA-256 digest of those bytes. The qualified signature
(`sign_record(..., method='qualified', certificate_id=…, password=…)`) is in addition a detached CAdES-BES CMS over
those bytes made with the signer's own PKCS#12 container stored on the server; `RecordSignature.value` holds its DER
and `verify_record_value` checks it against the trust store. The password opens the container for this one
signature and is never stored.
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
from edms.core.errors import DomainError, ValidationFailed
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.crypto.verify import verify_detached
from edms.signatures.operations.signing import sign_content
from edms.signatures.trust import trust_data

SIMPLE = 'simple'
QUALIFIED = 'qualified'
#: Methods callers may name; `simple` and `qualified` are produced.
METHODS = (SIMPLE, 'advanced', QUALIFIED)


class SigningUnavailable(DomainError):
    """The requested kind of signature cannot be produced."""

    code = 'signing_unavailable'
    status = 409
    message = (
        'Этот вид электронной подписи недоступен: документ можно подписать простой или квалифицированной подписью.'
    )


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
    """Sign the record as `actor`: `simple` (no credentials: the user has proved who they are by logging in) or
    `qualified` with `certificate_id` and `password` of the actor's stored container; others: SigningUnavailable.
    """
    if method not in (SIMPLE, QUALIFIED):
        raise SigningUnavailable()
    if actor.id is None:
        raise SignerRequired()
    if method == QUALIFIED:
        return _sign_qualified(actor, actor.id, signed_content(record_type, record_id, payload), credentials)
    return RecordSignature(
        method=SIMPLE,
        signer_id=actor.id,
        signed_at=utcnow(),
        digest=record_digest(record_type, record_id, payload),
    )


def _sign_qualified(actor: Actor, signer_id: int, content: bytes, credentials: Mapping[str, Any]) -> RecordSignature:
    """CMS over the content with the actor's stored container; the password is used once and dropped."""
    certificate_id, password = credentials.get('certificate_id'), credentials.get('password')
    missing = {}
    if certificate_id in (None, ''):
        missing['certificate_id'] = '«Сертификат»: выберите сертификат для квалифицированной подписи.'
    if not password:
        missing['password'] = '«Пароль к контейнеру ключа»: введите пароль.'
    if missing:
        raise ValidationFailed(fields=missing)
    value, signed_at, _ = sign_content(actor, certificate_id, str(password), content)
    return RecordSignature(
        method=QUALIFIED,
        signer_id=signer_id,
        signed_at=signed_at,
        digest=hashlib.sha256(content).hexdigest(),
        value=value,
    )


def verify_record_value(
    record_type: str, record_id: int, payload: Mapping[str, Any], value: bytes, now: datetime | None = None
) -> VerificationReport:
    """Verify a qualified record signature (its CMS `value`) over the record's current canonical bytes."""
    return verify_detached(signed_content(record_type, record_id, payload), value, trust_data(now))


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
