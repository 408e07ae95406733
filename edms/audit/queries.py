"""Reading the audit journal: filtered browsing and verification of the hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from edms.audit.chain import canonical, chain_hash
from edms.audit.models import GENESIS_HASH, AuditEntry
from edms.core.db import db


@dataclass(frozen=True)
class ChainReport:
    """Result of a chain verification: how many entries were checked and the first broken link, if any."""

    checked: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the administrator's journal browser."""

    organization_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in seq order; report the first entry whose link or content does not match."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    # Closed on an early return too: psycopg 3 streams through a server-side cursor that must not outlive the call.
    with db.session.execute(query) as result:
        for entry in result.scalars():
            problem = _check_entry(entry, prev_hash, expected_seq)
            if problem:
                return ChainReport(checked, entry.seq, problem)
            prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)


def _check_entry(entry: AuditEntry, prev_hash: str, expected_seq: int) -> str | None:
    if entry.seq != expected_seq:
        return f'пропущена запись: ожидался номер {expected_seq}, найден {entry.seq}'
    if entry.prev_hash != prev_hash:
        return 'ссылка на предыдущую запись не совпадает'
    text = canonical(
        entry.seq,
        entry.created_at,
        entry.actor_id,
        entry.organization_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.data,
    )
    if chain_hash(prev_hash, text) != entry.hash:
        return 'содержимое записи изменено: хеш не совпадает'
    return None


def list_entries_query(flt: AuditFilter) -> Select[tuple[AuditEntry]]:
    """Entries matching the filter, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if flt.organization_id is not None:
        query = query.where(AuditEntry.organization_id == flt.organization_id)
    if flt.actor_id is not None:
        query = query.where(AuditEntry.actor_id == flt.actor_id)
    if flt.action:
        query = query.where(AuditEntry.action.startswith(flt.action))
    if flt.object_type:
        query = query.where(AuditEntry.object_type == flt.object_type)
    if flt.object_id:
        query = query.where(AuditEntry.object_id == flt.object_id)
    if flt.date_from:
        query = query.where(AuditEntry.created_at >= flt.date_from)
    if flt.date_to:
        query = query.where(AuditEntry.created_at < flt.date_to)
    return query


def history_of(object_type: str, object_id: int) -> list[AuditEntry]:
    """Every entry about one object, oldest first (the card's history tab)."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.seq)
    )
    return list(db.session.execute(query).scalars())
