"""Reading stored signature data with the access rules: a user's certificates (the owner and the organization's
administrators), the trust store (everyone may read it), attachment signatures and verification records (through
the registry's card visibility: another organization's or an invisible card's signature is "not found")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from edms.auth.models import User
from edms.core.access import Actor
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.errors import NotFound
from edms.core.validation import ID_MAX
from edms.registry.models import Attachment, Card
from edms.registry.queries import get_attachment, get_card
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.errors import BadCertificate
from edms.signatures.errors import (
    CertificateNotFound,
    SignatureNotFound,
    TrustedCertificateNotFound,
    VerificationNotFound,
)
from edms.signatures.models import (
    AttachmentSignature,
    CertificateRevocationList,
    RegistrationSignature,
    TrustedCertificate,
    UserCertificate,
    VerificationRecord,
)

ROLE_ADMINISTRATOR = 'administrator'


def may_manage_certificates(actor: Actor, user: User) -> bool:
    """The user themself, an administrator of the user's organization, or a system administrator."""
    if actor.is_system_admin or actor.id == user.id:
        return True
    return actor.organization_id == user.organization_id and actor.has_role(ROLE_ADMINISTRATOR)


def user_certificates(actor: Actor, user: User, *, active_only: bool = False) -> list[UserCertificate]:
    """The user's certificates, newest first; another organization's user does not exist for the actor."""
    if not may_manage_certificates(actor, user):
        raise CertificateNotFound()
    query = select(UserCertificate).where(UserCertificate.user_id == user.id)
    if active_only:
        query = query.where(UserCertificate.disabled_at.is_(None))
    return list(db.session.execute(query.order_by(UserCertificate.bound_at.desc())).scalars())


def signing_certificates(user: User, now: datetime) -> list[UserCertificate]:
    """The user's own active certificates with a container on the server, valid at `now`: what "sign" offers."""
    query = (
        select(UserCertificate)
        .where(
            UserCertificate.user_id == user.id,
            UserCertificate.disabled_at.is_(None),
            UserCertificate.container_sha256.is_not(None),
            UserCertificate.not_before <= now,
            UserCertificate.not_after >= now,
        )
        .order_by(UserCertificate.not_after.desc())
    )
    return list(db.session.execute(query).scalars())


def get_user_certificate(actor: Actor, certificate_id: int) -> UserCertificate:
    certificate = db.session.get(UserCertificate, certificate_id)
    if certificate is None or not may_manage_certificates(actor, certificate.user):
        raise CertificateNotFound()
    return certificate


def own_certificate(user: Actor, certificate_id: object) -> UserCertificate:
    """One of the user's own active certificates (signing is personal: an administrator cannot sign for anyone)."""
    try:
        number = int(certificate_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise CertificateNotFound() from None
    certificate = db.session.get(UserCertificate, number) if 0 < number <= ID_MAX else None
    if certificate is None or certificate.user_id != user.id or not certificate.is_active:
        raise CertificateNotFound()
    return certificate


def bound_fingerprints(user: User) -> set[str]:
    """Fingerprints of the user's active certificates."""
    query = select(UserCertificate.fingerprint).where(
        UserCertificate.user_id == user.id, UserCertificate.disabled_at.is_(None)
    )
    return set(db.session.execute(query).scalars())


def bound_certificate(user: User, fingerprint: str) -> UserCertificate | None:
    """The user's active binding of the certificate with this fingerprint, if any."""
    query = select(UserCertificate).where(
        UserCertificate.user_id == user.id,
        UserCertificate.fingerprint == fingerprint,
        UserCertificate.disabled_at.is_(None),
    )
    return db.session.execute(query).scalar_one_or_none()


def trusted_certificates(*, active_only: bool = False) -> list[TrustedCertificate]:
    """The trust store: roots first, then intermediates, each by name."""
    query = select(TrustedCertificate)
    if active_only:
        query = query.where(TrustedCertificate.is_active.is_(True))
    query = query.order_by(TrustedCertificate.is_root.desc(), TrustedCertificate.name, TrustedCertificate.id)
    return list(db.session.execute(query).scalars())


def get_trusted(trusted_id: int) -> TrustedCertificate:
    trusted = db.session.get(TrustedCertificate, trusted_id)
    if trusted is None:
        raise TrustedCertificateNotFound()
    return trusted


def revocation_lists() -> list[CertificateRevocationList]:
    query = select(CertificateRevocationList).order_by(CertificateRevocationList.issuer_name)
    return list(db.session.execute(query).scalars())


def attachment_signatures(user: User, attachment: Attachment) -> list[AttachmentSignature]:
    """Signatures of an attachment the user may see, in the order they were made."""
    get_attachment(user, attachment.card_id, attachment.id)
    query = (
        select(AttachmentSignature)
        .where(AttachmentSignature.attachment_id == attachment.id)
        .order_by(AttachmentSignature.created_at, AttachmentSignature.id)
    )
    return list(db.session.execute(query).scalars())


def card_signatures(user: User, card: Card) -> dict[int, list[AttachmentSignature]]:
    """Signatures of the card's attachments by attachment id (the card must be visible: `get_card` first)."""
    query = (
        select(AttachmentSignature)
        .where(AttachmentSignature.card_id == card.id)
        .order_by(AttachmentSignature.created_at, AttachmentSignature.id)
    )
    result: dict[int, list[AttachmentSignature]] = {}
    for signature in db.session.execute(query).scalars():
        result.setdefault(signature.attachment_id, []).append(signature)
    return result


def get_signature(user: User, signature_id: int) -> AttachmentSignature:
    """A signature of an attachment the user may see; otherwise "not found"."""
    signature = db.session.get(AttachmentSignature, signature_id)
    if signature is None:
        raise SignatureNotFound()
    try:
        get_attachment(user, signature.card_id, signature.attachment_id)
    except NotFound as error:
        raise SignatureNotFound() from error
    return signature


def signature_bytes(signature: AttachmentSignature) -> bytes:
    """The stored CMS file, verified against its sha256 by the blob store."""
    with blob_store().open_verified(signature.signature_sha256) as file:
        return file.read()


def signature_verifications(user: User, signature: AttachmentSignature) -> list[VerificationRecord]:
    """Every verification of the signature, newest first."""
    get_signature(user, signature.id)
    query = (
        select(VerificationRecord)
        .where(VerificationRecord.attachment_signature_id == signature.id)
        .order_by(VerificationRecord.checked_at.desc(), VerificationRecord.id.desc())
    )
    return list(db.session.execute(query).scalars())


def latest_verification(signature: AttachmentSignature) -> VerificationRecord | None:
    query = (
        select(VerificationRecord)
        .where(VerificationRecord.attachment_signature_id == signature.id)
        .order_by(VerificationRecord.checked_at.desc(), VerificationRecord.id.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def get_verification(user: User, record_id: int) -> VerificationRecord:
    """A verification record: of a signature or attachment the user may see, or an upload check the user made."""
    record = db.session.get(VerificationRecord, record_id)
    if record is None:
        raise VerificationNotFound()
    try:
        if record.attachment_signature_id is not None:
            get_signature(user, record.attachment_signature_id)
        elif record.attachment_id is not None:
            attachment = db.session.get(Attachment, record.attachment_id)
            if attachment is None:
                raise VerificationNotFound()
            get_attachment(user, attachment.card_id, attachment.id)
        elif record.checked_by_id != user.id:
            raise VerificationNotFound()
    except NotFound as error:
        raise VerificationNotFound() from error
    return record


def registration_signatures(card: Card) -> list[RegistrationSignature]:
    """Signatures of the card's registration data, in the order they were made (the card must be visible:
    `get_card` first)."""
    query = (
        select(RegistrationSignature)
        .where(RegistrationSignature.card_id == card.id)
        .order_by(RegistrationSignature.signed_at, RegistrationSignature.id)
    )
    return list(db.session.execute(query).scalars())


def get_registration_signature(user: User, card_id: int, signature_id: int) -> RegistrationSignature:
    """A signature of the registration data of a card the user may see; otherwise "not found"."""
    card = get_card(user, card_id)
    row = db.session.get(RegistrationSignature, signature_id)
    if row is None or row.card_id != card.id:
        raise SignatureNotFound()
    return row


def pdf_verifications(card: Card) -> dict[int, VerificationRecord]:
    """The latest check of the signatures inside each PDF attachment of the card (PAdES: the record names the
    attachment and no stored detached signature, and the signature's hash is the file's), by attachment id."""
    query = (
        select(VerificationRecord)
        .join(Attachment, Attachment.id == VerificationRecord.attachment_id)
        .where(
            Attachment.card_id == card.id,
            VerificationRecord.attachment_signature_id.is_(None),
            VerificationRecord.signature_sha256 == VerificationRecord.file_sha256,
        )
        .order_by(VerificationRecord.checked_at, VerificationRecord.id)
    )
    return {record.attachment_id: record for record in db.session.execute(query).scalars() if record.attachment_id}


def crl_distribution_points() -> list[str]:
    """Where the CRLs of the trusted CAs are published: the CRL distribution points named by the active trusted
    certificates and the users' active certificates, and the URLs stored CRLs were fetched from (http/https only)."""
    urls: set[str] = set()
    trusted = select(TrustedCertificate.certificate_der).where(TrustedCertificate.is_active.is_(True))
    bound = select(UserCertificate.certificate_der).where(UserCertificate.disabled_at.is_(None)).distinct()
    for der in [*db.session.execute(trusted).scalars(), *db.session.execute(bound).scalars()]:
        try:
            urls.update(CertificateInfo.from_der(bytes(der)).crl_urls)
        except BadCertificate:
            continue
    urls.update(db.session.execute(select(CertificateRevocationList.source)).scalars())
    return sorted(url for url in urls if url.lower().startswith(('http://', 'https://')))
