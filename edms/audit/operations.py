"""Writing the audit journal: `record()` appends a chained entry in the caller's transaction.

The head row is locked (`FOR UPDATE`) only for the append, at the end of the caller's work, so the chain is
serialized without holding a lock over a whole business operation.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from sqlalchemy import select

from edms.audit.chain import canonical, chain_hash
from edms.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from edms.core.clock import utcnow
from edms.core.db import db

HEAD_ID = 1


class Actor(Protocol):
    """What the journal needs to know about whoever acts."""

    @property
    def id(self) -> int | None: ...

    @property
    def organization_id(self) -> int | None: ...


def record(
    actor: Actor | None,
    action: str,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    *,
    organization_id: int | None = None,
) -> AuditEntry:
    """Append an entry for `action` on `obj` (a model with `id`, or None) by `actor` (None = system)."""
    head = _locked_head()
    payload = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        organization_id=organization_id if organization_id is not None else (actor.organization_id if actor else None),
        action=action,
        object_type=_object_type(obj),
        object_id=str(obj.id) if obj is not None else None,
        data=payload,
        prev_hash=head.last_hash,
    )
    entry.hash = chain_hash(entry.prev_hash, canonical_of(entry))
    head.last_seq, head.last_hash = entry.seq, entry.hash
    db.session.add(entry)
    db.session.flush()
    return entry


def canonical_of(entry: AuditEntry) -> str:
    """The canonical text of a stored or new entry."""
    return canonical(
        entry.seq,
        entry.created_at,
        entry.actor_id,
        entry.organization_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.data,
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose value differs, as `{field: {'before': …, 'after': …}}`."""
    return {
        key: {'before': before.get(key), 'after': after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _locked_head() -> AuditHead:
    head = db.session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        db.session.add(head)
        db.session.flush()
    return head


def _object_type(obj: Any) -> str | None:
    if obj is None:
        return None
    return getattr(obj, '__audit_type__', None) or type(obj).__tablename__
