"""Stored signature data: users' certificates, the trust store, CRLs, signatures of attachments, verifications.

Certificates and CRLs are kept as DER in the database (they are small, and a trust store must change in the same
transaction as its rows); PKCS#12 containers and CMS signature files live in the content-addressed blob store under
their sha256. A container stays encrypted by its own password, which is never stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import CreatedAtMixin, UTCDateTime, db
from edms.registry.models import Attachment
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.report import VERDICT_TITLES, VerificationReport

METHOD_SERVER = 'server'
METHOD_CLIENT = 'client'
METHOD_LABELS = {
    METHOD_SERVER: 'Подписано на сервере (ключ в контейнере PKCS#12)',
    METHOD_CLIENT: 'Подписано средством ЭП пользователя и загружено',
}
CRL_SOURCE_UPLOAD = 'upload'
NOTE_MAX = 1000
NAME_MAX = 1000


class UserCertificate(db.Model):
    """A signing certificate bound to a user: with the user's PKCS#12 container (server signing) or, when
    `container_sha256` is None, for signatures the user makes with their own certified tool and uploads."""

    __tablename__ = 'signatures_user_certificates'
    __table_args__ = (UniqueConstraint('user_id', 'fingerprint'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), nullable=False)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_signatures_user_certificates_organization_id'),
        nullable=False,
        index=True,
    )
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    #: sha256 (hex) of the DER certificate.
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    owner: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    issuer: Mapped[str] = mapped_column(Text, nullable=False)
    serial: Mapped[str] = mapped_column(String(128), nullable=False)
    snils: Mapped[str | None] = mapped_column(String(11))
    inn: Mapped[str | None] = mapped_column(String(12))
    ogrn: Mapped[str | None] = mapped_column(String(13))
    inn_le: Mapped[str | None] = mapped_column(String(10))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    key_algorithm: Mapped[str] = mapped_column(String(64), nullable=False)
    #: sha256 of the PKCS#12 container in the blob store; None for a certificate used only with a client-side tool.
    container_sha256: Mapped[str | None] = mapped_column(String(64))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    #: Set when the certificate is withdrawn from use (by its owner or an administrator).
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def has_key(self) -> bool:
        """True when the server keeps the user's container and can sign with it."""
        return self.container_sha256 is not None

    @property
    def info(self) -> CertificateInfo:
        """Everything the certificate says (profile, sign tools, class policies), parsed once per DER."""
        return CertificateInfo.from_der(self.certificate_der)


class TrustedCertificate(CreatedAtMixin, db.Model):
    """A root or intermediate CA certificate of the system-wide trust store."""

    __tablename__ = 'signatures_trusted_certificates'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    issuer: Mapped[str] = mapped_column(Text, nullable=False)
    serial: Mapped[str] = mapped_column(String(128), nullable=False)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    is_root: Mapped[bool] = mapped_column(Boolean, nullable=False)
    is_accredited: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), nullable=False, default='')
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    #: Every change of the row moves it: the trust cache compares it to know the store changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def info(self) -> CertificateInfo:
        return CertificateInfo.from_der(self.certificate_der)


class CertificateRevocationList(CreatedAtMixin, db.Model):
    """The newest known CRL of one trusted CA; a newer one (uploaded or fetched) replaces it in place."""

    __tablename__ = 'signatures_crls'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The trusted certificate whose key verified the CRL.
    issuer_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    issuer_name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    this_update: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    next_update: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: 'upload' or the distribution point URL it was fetched from.
    source: Mapped[str] = mapped_column(String(2000), nullable=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def is_current(self, moment: datetime) -> bool:
        return self.this_update <= moment and (self.next_update is None or moment <= self.next_update)


class AttachmentSignature(CreatedAtMixin, db.Model):
    """A detached CMS signature (a `.sig` file) of one attachment by one signer: one per signer per file (МЭДО)."""

    __tablename__ = 'signatures_attachment_signatures'
    __table_args__ = (
        UniqueConstraint('attachment_id', 'signer_fingerprint', name='uq_signatures_attachment_signatures_signer'),
        CheckConstraint("method IN ('server', 'client')", name='method'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey(
            'registry_attachments.id', name='fk_signatures_attachment_signatures_attachment_id', ondelete='CASCADE'
        ),
        nullable=False,
        index=True,
    )
    card_id: Mapped[int] = mapped_column(ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_signatures_attachment_signatures_organization_id'),
        nullable=False,
    )
    #: sha256 of the signed file's bytes (the attachment's blob).
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    #: sha256 of the CMS signature file in the blob store.
    signature_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    signature_size: Mapped[int] = mapped_column(Integer, nullable=False)
    signer_certificate_der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    signer_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    #: «Фамилия Имя Отчество, организация, сертификат 01AB…» for lists.
    signer_summary: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    signer_serial: Mapped[str] = mapped_column(String(128), nullable=False)
    #: The signing time the signer claims (the signingTime attribute), if any.
    signing_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    user_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            'signatures_user_certificates.id',
            name='fk_signatures_attachment_signatures_user_certificate_id',
            ondelete='SET NULL',
        )
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    #: The verdict and moment of the latest verification (the records keep every one).
    last_verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    last_verified_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    attachment: Mapped[Attachment] = relationship()

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def verdict_title(self) -> str:
        return VERDICT_TITLES.get(self.last_verdict, self.last_verdict)

    @property
    def signature_filename(self) -> str:
        """A download name: the signed file's name, the signature's number and `.sig` (one file per signer)."""
        return f'{self.attachment.filename}.{self.id}.sig'


class VerificationRecord(db.Model):
    """One verification: of a stored attachment signature, or of a file and signature a user uploaded to check
    (then only their hashes are kept). `report` is `VerificationReport.to_dict()`."""

    __tablename__ = 'signatures_verifications'
    __table_args__ = (
        Index('ix_signatures_verifications_signature', 'attachment_signature_id', 'checked_at'),
        Index('ix_signatures_verifications_organization', 'organization_id', 'checked_at'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey('directory_organizations.id', name='fk_signatures_verifications_organization_id')
    )
    attachment_signature_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            'signatures_attachment_signatures.id',
            name='fk_signatures_verifications_attachment_signature_id',
            ondelete='CASCADE',
        )
    )
    #: The attachment a refused client signature was uploaded for (no AttachmentSignature exists then).
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey('registry_attachments.id', ondelete='CASCADE'))
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    signature_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    signature_name: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    trust_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))

    #: The stored signature verified; the relationship orders the inserts when both rows go with one flush.
    signature: Mapped[AttachmentSignature | None] = relationship()

    @property
    def verification_report(self) -> VerificationReport:
        return VerificationReport.from_dict(self.report)

    @property
    def verdict_title(self) -> str:
        return VERDICT_TITLES.get(self.verdict, self.verdict)


class RegistrationSignature(CreatedAtMixin, db.Model):
    """A signature of a card's registration data over their canonical serialization (records.sign_record with the
    payload of `operations.registrations.registration_payload`): several signers per card, one signature each.
    `value` holds the CMS (DER) of a qualified signature and is None for a simple one."""

    __tablename__ = 'signatures_registration_signatures'
    __table_args__ = (
        UniqueConstraint('card_id', 'signer_id', name='uq_signatures_registration_signatures_signer'),
        CheckConstraint("method IN ('simple', 'qualified')", name='method'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False, index=True
    )
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    signer_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id'), nullable=False)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: sha256 (hex) of the signed canonical bytes.
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[bytes | None] = mapped_column(LargeBinary)

    signer: Mapped[User] = relationship(foreign_keys=[signer_id])

    @property
    def is_qualified(self) -> bool:
        return self.value is not None

    @property
    def method_label(self) -> str:
        return REGISTRATION_METHOD_LABELS.get(self.method, self.method)


REGISTRATION_METHOD_LABELS = {
    'simple': 'простая электронная подпись',
    'qualified': 'квалифицированная электронная подпись',
}
