"""Signing on the server with the user's own stored PKCS#12 container: attachments (a detached CAdES-BES `.sig`
kept beside the file, verified at once) and records (CMS over their canonical bytes, for `records.sign_record`).

The container's password is given for each signing, opens the container in memory and is dropped: it is never
stored, logged or journaled. Signing is personal: only the owner of a bound certificate signs with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy import Sequence as DbSequence

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.access import Actor
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.registry.models import Attachment, Card
from edms.registry.queries import get_attachment
from edms.signatures.crypto.cms import MAX_SIGNATURE_SIZE, sign_detached
from edms.signatures.crypto.pkcs12 import KeyBundle, load_pkcs12
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.crypto.verify import verify_detached
from edms.signatures.errors import AlreadySigned, NoContainer
from edms.signatures.models import METHOD_SERVER, AttachmentSignature, UserCertificate, VerificationRecord
from edms.signatures.operations.common import (
    attachment_bytes,
    certificate_facts,
    record_facts,
    record_row,
    sha256_hex,
    signer_summary,
    stored_bytes,
)
from edms.signatures.queries import own_certificate
from edms.signatures.trust import trust_data

_NEXT_IDS = select(
    DbSequence(f'{AttachmentSignature.__tablename__}_id_seq').next_value(),
    DbSequence(f'{VerificationRecord.__tablename__}_id_seq').next_value(),
).select_from(func.generate_series(1, bindparam('count', type_=Integer)))

NO_CONTAINER_FOR_RECORDS = (
    'Для этого сертификата на сервере нет контейнера с ключом: квалифицированной подписью запись подписывается '
    'только ключом, загруженным в систему (контейнер PKCS#12).'
)


def sign_attachment(
    actor: User,
    attachment: Attachment,
    certificate_id: int,
    password: str,
    *,
    signing_time: datetime | None = None,
) -> AttachmentSignature:
    """Sign the attachment with the actor's certificate `certificate_id`; the signature is verified and stored."""
    card, attachment = get_attachment(actor, attachment.card_id, attachment.id)
    certificate = own_certificate(actor, certificate_id)
    if not certificate.has_key:
        raise NoContainer()
    require_unsigned(attachment, certificate.fingerprint)
    now = utcnow()
    bundle = open_container(certificate, password, now)
    data = attachment_bytes(attachment)
    cms = sign_detached(data, bundle.key, bundle.certificate, bundle.chain, signing_time=signing_time or now)
    report = verify_detached(data, cms, trust_data(now))
    signature, _ = store_signature(actor, card, attachment, cms, report, METHOD_SERVER, certificate)
    return signature


def sign_content(
    actor: Actor,
    certificate_id: object,
    password: str,
    content: bytes,
    *,
    signing_time: datetime | None = None,
) -> tuple[bytes, datetime, UserCertificate]:
    """A detached CMS signature of `content` (a record's canonical bytes) by the actor's stored container."""
    certificate = own_certificate(actor, certificate_id)
    if not certificate.has_key:
        raise NoContainer(NO_CONTAINER_FOR_RECORDS)
    now = utcnow()
    bundle = open_container(certificate, password, now)
    moment = signing_time or now
    cms = sign_detached(content, bundle.key, bundle.certificate, bundle.chain, signing_time=moment)
    return cms, moment, certificate


def open_container(certificate: UserCertificate, password: str, now: datetime) -> KeyBundle:
    """The key of a stored container; refusals of `load_pkcs12` pass through, and the certificate must still be
    the bound one and usable for signing at `now`."""
    bundle = load_pkcs12(stored_bytes(certificate.container_sha256 or ''), password or '')
    if bundle.info.fingerprint != certificate.fingerprint:
        raise NoContainer('Контейнер на сервере не соответствует привязанному сертификату: загрузите его заново.')
    bundle.info.require_usable_for_signing(now)
    return bundle


def require_unsigned(attachment: Attachment, fingerprint: str) -> None:
    """One signature file per signer per file; the attachment row is locked so that two signings queue up."""
    db.session.execute(select(Attachment.id).where(Attachment.id == attachment.id).with_for_update())
    exists = db.session.execute(
        select(AttachmentSignature.id).where(
            AttachmentSignature.attachment_id == attachment.id, AttachmentSignature.signer_fingerprint == fingerprint
        )
    ).first()
    if exists is not None:
        raise AlreadySigned()


def store_signature(
    actor: User,
    card: Card,
    attachment: Attachment,
    cms: bytes,
    report: VerificationReport,
    method: str,
    certificate: UserCertificate | None,
) -> tuple[AttachmentSignature, VerificationRecord]:
    """Keep the signature file in the blob store, its row, the verification record and the journal entry."""
    return store_signatures(actor, card, [(attachment, cms, report)], method, certificate)[0]


def store_signatures(
    actor: User,
    card: Card,
    signatures: Sequence[tuple[Attachment, bytes, VerificationReport]],
    method: str,
    certificate: UserCertificate | None = None,
) -> list[tuple[AttachmentSignature, VerificationRecord]]:
    """`store_signature` for several (attachment, signature, report) of one card at once: the signature rows in
    one insert, their verification records in another."""
    stored = [blob_store().put_bytes(cms, MAX_SIGNATURE_SIZE) for _, cms, _ in signatures]
    ids = _taken_ids(len(signatures))
    rows = [
        _signature_row(actor, card, attachment, cms, blob.sha256, report, method, certificate)
        for (attachment, cms, report), blob in zip(signatures, stored, strict=True)
    ]
    for row, (signature_id, _) in zip(rows, ids or (), strict=False):
        row.id = signature_id
    db.session.add_all(rows)
    if ids is None:
        db.session.flush()
    verifications = [
        record_row(
            actor,
            report,
            organization_id=card.organization_id,
            file_sha256=attachment.sha256,
            signature_sha256=row.signature_sha256,
            signature=row,
            attachment_id=attachment.id,
            file_name=attachment.filename,
            signature_name=row.signature_filename,
        )
        for (attachment, _, report), row in zip(signatures, rows, strict=True)
    ]
    for verification, row in zip(verifications, rows, strict=True):
        verification.signature = row  # inserted after its signature row when both go with one flush
    for verification, (_, verification_id) in zip(verifications, ids or (), strict=False):
        verification.id = verification_id
    db.session.add_all(verifications)
    if ids is None:
        db.session.flush()
    for (attachment, _, report), row, verification in zip(signatures, rows, verifications, strict=True):
        info = certificate.info if certificate is not None else report.signers[0].certificate
        facts = {
            'card_id': card.id,
            'attachment_id': attachment.id,
            'filename': attachment.filename,
            'method': method,
            **(certificate_facts(info) if info is not None else {'fingerprint': row.signer_fingerprint}),
            **record_facts(verification),
        }
        record(actor, 'signatures.signature.add', row, facts, organization_id=card.organization_id)
    return list(zip(rows, verifications, strict=True))


def _taken_ids(count: int) -> list[tuple[int, int]] | None:
    """PostgreSQL: the ids of `count` signature rows and of their verification records, taken from their sequences
    by one statement, so that the rows need no flush of their own (they go with the caller's next flush or the
    commit). None elsewhere (SQLite): the rows are flushed for their ids."""
    if not is_postgresql():
        return None
    return [(row[0], row[1]) for row in db.session.execute(_NEXT_IDS, {'count': count})]


def _signature_row(
    actor: User,
    card: Card,
    attachment: Attachment,
    cms: bytes,
    sha256: str,
    report: VerificationReport,
    method: str,
    certificate: UserCertificate | None,
) -> AttachmentSignature:
    signer = report.signers[0]
    der = certificate.certificate_der if certificate is not None else signer.certificate_der or b''
    info = certificate.info if certificate is not None else signer.certificate
    return AttachmentSignature(
        attachment_id=attachment.id,
        attachment=attachment,  # its name is read (`signature_filename`) before the row is flushed
        card_id=card.id,
        organization_id=card.organization_id,
        file_sha256=attachment.sha256,
        signature_sha256=sha256,
        signature_size=len(cms),
        signer_certificate_der=der,
        signer_fingerprint=sha256_hex(der),
        signer_summary=signer_summary(info, signer.signer),
        signer_serial=info.serial.upper() if info is not None else '',
        signing_time=signer.signing_time,
        method=method,
        user_certificate_id=certificate.id if certificate is not None else None,
        created_by_id=actor.id,
        last_verdict=report.verdict,
        last_verified_at=report.checked_at,
    )
