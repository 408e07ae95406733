"""Registry jobs: re-verifying the stored bytes of a card's attachments (integrity control of stored documents)."""

from __future__ import annotations

from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.audit.operations import record
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card


def verify_card_attachments(card_id: int) -> int:
    """Re-hash every attachment of the card; journal each damaged or missing one once. Returns how many are bad."""
    store, bad = blob_store(), 0
    with atomic():
        card = db.session.get(Card, card_id)
        if card is None:
            return 0
        for attachment in db.session.execute(select(Attachment).where(Attachment.card_id == card_id)).scalars():
            state = store.verify(attachment.sha256)
            if state is True:
                continue
            bad += 1
            if not _already_reported(card.id, attachment.id):
                problem = 'missing' if state is None else 'corrupted'
                record(
                    None,
                    f'attachment.{problem}',
                    card,
                    {'attachment_id': attachment.id, 'sha256': attachment.sha256},
                    organization_id=card.organization_id,
                )
    return bad


def _already_reported(card_id: int, attachment_id: int) -> bool:
    query = select(AuditEntry.data).where(
        AuditEntry.object_type == 'registry_cards',
        AuditEntry.object_id == str(card_id),
        AuditEntry.action.in_(('attachment.corrupted', 'attachment.missing')),
    )
    return any(data.get('attachment_id') == attachment_id for data in db.session.execute(query).scalars())
