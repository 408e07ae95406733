"""The canonical form of an audit entry and its chained hash; pure functions shared by append and verify."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


def canonical(
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    organization_id: int | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    data: dict[str, Any],
) -> str:
    """A stable JSON text of the entry: sorted keys, UTC timestamp with microseconds, no whitespace."""
    moment = created_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    body = {
        'seq': seq,
        'at': moment,
        'actor': actor_id,
        'org': organization_id,
        'action': action,
        'type': object_type,
        'id': object_id,
        'data': data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(',', ':'), default=str)


def chain_hash(prev_hash: str, canonical_text: str) -> str:
    """sha256 over the previous hash and the canonical entry."""
    return hashlib.sha256((prev_hash + '\n' + canonical_text).encode('utf-8')).hexdigest()
