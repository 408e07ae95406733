"""Helpers shared by the signature operations: stored bytes, certificate descriptions for the journal, records of
verifications, the trust-cache invalidation after a commit."""

from __future__ import annotations

import hashlib
from typing import Any

from edms.core.access import Actor
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.tx import on_commit
from edms.registry.models import Attachment
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.models import AttachmentSignature, VerificationRecord
from edms.signatures.trust import invalidate_trust_data

SUMMARY_MAX = 1000


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment_bytes(attachment: Attachment) -> bytes:
    """The attachment's bytes, verified against its sha256 (a damaged file is never signed or verified)."""
    with blob_store().open_verified(attachment.sha256) as file:
        return file.read()


def stored_bytes(sha256: str) -> bytes:
    with blob_store().open_verified(sha256) as file:
        return file.read()


def certificate_facts(info: CertificateInfo) -> dict[str, Any]:
    """What the journal keeps about a certificate: enough to find it again, nothing secret."""
    return {
        'fingerprint': info.fingerprint,
        'owner': info.owner,
        'serial': info.serial.upper(),
        'issuer': info.issuer.get('CN') or info.issuer.text,
        'not_before': info.not_before.isoformat(),
        'not_after': info.not_after.isoformat(),
    }


def signer_summary(info: CertificateInfo | None, fallback: str = '') -> str:
    """«Иванов Иван Иванович, Министерство…, сертификат 01AB…» for lists of signatures."""
    if info is None:
        return fallback[:SUMMARY_MAX]
    parts = [info.owner, info.organization or '', f'сертификат {info.serial.upper()}']
    return ', '.join(part for part in parts if part)[:SUMMARY_MAX]


def new_record(actor: Actor, report: VerificationReport, **row: Any) -> VerificationRecord:
    """Store a verification report (flushed, so that it has an id); `row` names the rest as `record_row` does."""
    record = record_row(actor, report, **row)
    db.session.add(record)
    db.session.flush()
    return record


def record_row(
    actor: Actor,
    report: VerificationReport,
    *,
    organization_id: int | None,
    file_sha256: str,
    signature_sha256: str,
    signature: AttachmentSignature | None = None,
    attachment_id: int | None = None,
    file_name: str = '',
    signature_name: str = '',
) -> VerificationRecord:
    """The row of a verification report, not yet added to the session."""
    return VerificationRecord(
        organization_id=organization_id,
        attachment_signature_id=signature.id if signature is not None else None,
        attachment_id=attachment_id,
        file_sha256=file_sha256,
        signature_sha256=signature_sha256,
        file_name=file_name[:255],
        signature_name=signature_name[:255],
        verdict=report.verdict,
        report=report.to_dict(),
        trust_fingerprint=report.trust_fingerprint,
        checked_at=report.checked_at,
        checked_by_id=actor.id,
    )


def record_facts(record: VerificationRecord) -> dict[str, Any]:
    return {
        'verification_id': record.id,
        'verdict': record.verdict,
        'trust_fingerprint': record.trust_fingerprint,
        'file_sha256': record.file_sha256,
        'signature_sha256': record.signature_sha256,
    }


def trust_changed() -> None:
    """The trust store changed in this transaction: drop the cached trust data once it is committed."""
    on_commit(invalidate_trust_data)
