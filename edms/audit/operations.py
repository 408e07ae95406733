"""Writing the audit journal: `record()` adds an entry to the caller's transaction; the chain is sealed at commit.

Entries wait in the session until `before_commit`; then the head row is locked (`FOR UPDATE`), the entries get
their sequence numbers and chained hashes, and the commit releases the lock. The chain is therefore serialized only
for the moment of the commit, not over a whole business operation, and an entry exists exactly when its change does:
if the audit insert fails, the commit fails (fail-closed). The head and the entries are written with Core statements
built once, without a unit-of-work flush: the seal runs under the one lock that every writer waits for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Text, bindparam, cast, column, event, func, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from edms.audit.chain import canonical, chain_hash
from edms.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from edms.core.clock import utcnow
from edms.core.db import db

HEAD_ID = 1
_PENDING = 'edms_audit_pending'
_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_MOVE_HEAD = (
    update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_seq=bindparam('new_seq'), last_hash=bindparam('new_hash'))
)
_INSERT_ENTRIES = insert(AuditEntry.__table__)
_ENTRY_COLUMNS = ('seq', 'created_at', 'actor_id', 'organization_id', 'action', 'object_type', 'object_id', 'data')
_ROW_COLUMNS = (*_ENTRY_COLUMNS, 'prev_hash', 'hash')
#: PostgreSQL: the entries of a commit are inserted and the head moved by one statement, a round trip less under the
#: head lock. The entries travel as one JSON array expanded by `json_to_recordset`: a statement of one shape for any
#: number of entries, compiled once (a multi-row VALUES insert has no cache key, and compiling it cost more than
#: the rest of the seal). Each entry's data is a JSON text inside it, cast back to JSON: `json_to_recordset` cannot
#: turn a `\u0000` escape into text, and a `json` column keeps it.
_SEALED_TYPES = {name: Text() if name == 'data' else AuditEntry.__table__.c[name].type for name in _ROW_COLUMNS}
_SEALED = (
    func.json_to_recordset(bindparam('entries', type_=JSON))
    .table_valued(*(column(name, type_) for name, type_ in _SEALED_TYPES.items()))
    .render_derived(name='entry', with_types=True)
)
_SEAL = _MOVE_HEAD.add_cte(
    insert(AuditEntry.__table__)
    .from_select(
        _ROW_COLUMNS,
        select(*(cast(_SEALED.c[name], JSON) if name == 'data' else _SEALED.c[name] for name in _ROW_COLUMNS)),
    )
    .cte('sealed')
)


class Actor(Protocol):
    """What the journal needs to know about whoever acts."""

    @property
    def id(self) -> int | None: ...

    @property
    def organization_id(self) -> int | None: ...


@dataclass(slots=True)
class PendingEntry:
    """An entry recorded in this transaction, chained and inserted at the commit: a plain object (the journal is
    written with Core statements, so an ORM instance would only cost its instrumentation)."""

    created_at: datetime
    actor_id: int | None
    organization_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    data: dict[str, Any]
    seq: int = 0
    prev_hash: str = ''
    hash: str = ''


def record(
    actor: Actor | None,
    action: str,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    *,
    organization_id: int | None = None,
) -> PendingEntry:
    """Add an entry for `action` on `obj` (a flushed model with `id`, or None) by `actor` (None = the system)."""
    entry = PendingEntry(
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        organization_id=organization_id if organization_id is not None else (actor.organization_id if actor else None),
        action=action,
        object_type=_object_type(obj),
        object_id=str(obj.id) if obj is not None else None,
        data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
    )
    db.session.info.setdefault(_PENDING, []).append(entry)
    return entry


def seal_pending(session: Session) -> None:
    """Chain and insert the entries recorded in this transaction; runs just before the commit."""
    if session.in_nested_transaction():
        return  # a savepoint is released: the entries wait for the real commit
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    last_seq, last_hash = _locked_head(session)
    rows = []
    for entry in pending:
        entry.seq, entry.prev_hash = last_seq + 1, last_hash
        entry.hash = chain_hash(entry.prev_hash, canonical_of(entry))
        last_seq, last_hash = entry.seq, entry.hash
        rows.append({name: getattr(entry, name) for name in _ROW_COLUMNS})
    if connection.dialect.name == 'postgresql':
        entries = [_sealed_entry(row) for row in rows]
        connection.execute(_SEAL, {'entries': entries, 'new_seq': last_seq, 'new_hash': last_hash})
    else:
        connection.execute(_INSERT_ENTRIES, rows)
        connection.execute(_MOVE_HEAD, {'new_seq': last_seq, 'new_hash': last_hash})
    loaded = session.identity_map.get(identity_key(AuditHead, HEAD_ID))
    if loaded is not None:  # a head read earlier in this session shows the values just written
        set_committed_value(loaded, 'last_seq', last_seq)
        set_committed_value(loaded, 'last_hash', last_hash)


def _sealed_entry(row: dict[str, Any]) -> dict[str, Any]:
    """An entry's row as an element of `_SEAL`'s JSON array."""
    return {**row, 'created_at': row['created_at'].isoformat(), 'data': json.dumps(row['data'])}


def discard_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    """Entries of a rolled-back transaction are dropped with it (a rolled-back savepoint keeps the outer ones)."""
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def install() -> None:
    """Hook the sealing into every session's commit (called once by the app factory)."""
    if not event.contains(Session, 'before_commit', seal_pending):
        event.listen(Session, 'before_commit', seal_pending)
        event.listen(Session, 'after_soft_rollback', discard_pending)


def canonical_of(entry: AuditEntry | PendingEntry) -> str:
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


def _locked_head(session: Session) -> tuple[int, str]:
    """The last seq and hash of the chain, with the head row locked until the commit (created on the first use)."""
    row = session.connection().execute(_LOCK_HEAD).first()
    if row is None:
        session.add(AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH))
        session.flush()
        return _locked_head(session)
    return row.last_seq, row.last_hash


def _object_type(obj: Any) -> str | None:
    if obj is None:
        return None
    return getattr(obj, '__audit_type__', None) or type(obj).__tablename__
