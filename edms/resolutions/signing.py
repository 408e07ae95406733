"""The author's signature of a resolution: what is signed (the text, the control and each executor with the
deadline as issued) and the check that the stored resolution still matches the digest taken at signing."""

from __future__ import annotations

from typing import Any

from edms.resolutions.models import Resolution
from edms.signatures.records import verify_digest

RECORD_TYPE = 'resolution'


def resolution_payload(resolution: Resolution) -> dict[str, Any]:
    """The signed content of a resolution; deadlines as issued, so a granted extension does not break the signature."""
    executors = sorted(resolution.assignments, key=lambda item: (not item.is_responsible, item.executor_id))
    return {
        'card_id': resolution.card_id,
        'parent_assignment_id': resolution.parent_assignment_id,
        'author_id': resolution.author_id,
        'text': resolution.text,
        'is_controlled': resolution.is_controlled,
        'controller_id': resolution.controller_id,
        'executors': [
            {'user_id': item.executor_id, 'responsible': item.is_responsible, 'deadline': item.initial_deadline}
            for item in executors
        ],
    }


def verify_record_signature(resolution: Resolution) -> bool:
    """True when the resolution is signed and its current content hashes to the digest stored at signing."""
    if resolution.signed_at is None:
        return False
    return verify_digest(RECORD_TYPE, resolution.id, resolution_payload(resolution), resolution.signature_digest)
