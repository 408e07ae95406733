"""The registration card (РК) with its addressees, links to other cards and individual access grants."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.core.db import CreatedAtMixin, UTCDateTime, db, reference
from edms.directory.models import Department, Organization
from edms.registry.models.attachments import Attachment
from edms.registry.models.casefiles import CaseFile
from edms.registry.models.enums import (
    AccessMark,
    CardKind,
    CardStatus,
    CorrespondentType,
    DeliveryMethod,
    LinkKind,
    enum_column,
)
from edms.registry.models.journals import Journal

__all__ = [
    'AccessMark',
    'Card',
    'CardAccessGrant',
    'CardAddressee',
    'CardKind',
    'CardLink',
    'CardStatus',
    'CorrespondentType',
    'DeliveryMethod',
    'LinkKind',
]


class Card(CreatedAtMixin, db.Model):
    """A registration card of an incoming, outgoing or internal document or a citizen appeal."""

    __tablename__ = 'registry_cards'
    __table_args__ = (
        UniqueConstraint('journal_id', 'reg_seq'),
        Index('ix_registry_cards_org_date', 'organization_id', 'reg_date', 'id'),
        Index('ix_registry_cards_org_kind_date', 'organization_id', 'kind', 'reg_date', 'id'),
        Index('ix_registry_cards_org_number', 'organization_id', 'reg_number'),
        Index('ix_registry_cards_org_sender', 'organization_id', 'sender_number', 'sender_date'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey('directory_departments.id'))
    kind: Mapped[CardKind] = mapped_column(enum_column(CardKind, 'card_kind'), nullable=False)
    status: Mapped[CardStatus] = mapped_column(
        enum_column(CardStatus, 'card_status'), nullable=False, default=CardStatus.draft
    )
    journal_id: Mapped[int | None] = mapped_column(ForeignKey('registry_journals.id'))
    #: Sequence number within the journal; with `journal_id` unique, so a number is never issued twice.
    reg_seq: Mapped[int | None] = mapped_column(Integer)
    #: Registration number as rendered by the journal template; at most 31 characters (МЭДО).
    reg_number: Mapped[str | None] = mapped_column(String(31))
    reg_date: Mapped[date | None] = mapped_column(Date)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_date: Mapped[date | None] = mapped_column(Date)
    document_kind: Mapped[str] = mapped_column(String(100), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    correspondent_type: Mapped[CorrespondentType | None] = mapped_column(
        enum_column(CorrespondentType, 'correspondent_type')
    )
    #: The correspondent when it is an organization connected to the system.
    correspondent_organization_id: Mapped[int | None] = mapped_column(ForeignKey('directory_organizations.id'))
    correspondent_name: Mapped[str] = mapped_column(String(511), nullable=False, default='')
    sender_number: Mapped[str | None] = mapped_column(String(64))
    sender_date: Mapped[date | None] = mapped_column(Date)
    signer: Mapped[str] = mapped_column(String(255), nullable=False, default='')
    pages: Mapped[int | None] = mapped_column(Integer)
    attachment_pages: Mapped[int | None] = mapped_column(Integer)
    access_mark: Mapped[AccessMark] = mapped_column(
        enum_column(AccessMark, 'access_mark'), nullable=False, default=AccessMark.public
    )
    case_file_id: Mapped[int | None] = mapped_column(ForeignKey('registry_case_files.id'))
    delivery_method: Mapped[DeliveryMethod | None] = mapped_column(enum_column(DeliveryMethod, 'delivery_method'))
    cancel_reason: Mapped[str | None] = mapped_column(String(1000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Citizen appeals (59-ФЗ ст. 12 ч. 2): the one extension of the answer deadline, by up to 30 days, the reason,
    #: and how and when the applicant was notified of it.
    appeal_extension_days: Mapped[int | None] = mapped_column(Integer)
    appeal_extension_reason: Mapped[str | None] = mapped_column(String(1000))
    appeal_extension_notice: Mapped[str | None] = mapped_column(String(1000))
    appeal_extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_extended_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))

    organization: Mapped[Organization] = reference(foreign_keys=[organization_id])
    department: Mapped[Department | None] = reference()
    journal: Mapped[Journal | None] = reference()
    case_file: Mapped[CaseFile | None] = reference()
    correspondent_organization: Mapped[Organization | None] = reference(foreign_keys=[correspondent_organization_id])
    created_by: Mapped[User | None] = reference(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = reference(foreign_keys=[updated_by_id])
    appeal_extended_by: Mapped[User | None] = reference(foreign_keys=[appeal_extended_by_id])
    addressees: Mapped[list[CardAddressee]] = relationship(
        cascade='all, delete-orphan', order_by='CardAddressee.position'
    )
    attachments: Mapped[list[Attachment]] = relationship(
        primaryjoin='and_(Attachment.card_id == Card.id, Attachment.deleted_at.is_(None))',
        order_by='Attachment.id',
        viewonly=True,
    )
    links: Mapped[list[CardLink]] = relationship(
        foreign_keys='CardLink.card_id', cascade='all, delete-orphan', order_by='CardLink.id'
    )

    @property
    def is_registered(self) -> bool:
        return self.status not in (CardStatus.draft, CardStatus.cancelled) or self.reg_number is not None


class CardAddressee(db.Model):
    """An addressee of a card: an organization of the system or a named person/organization outside it."""

    __tablename__ = 'registry_card_addressees'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey('directory_organizations.id'))
    name: Mapped[str] = mapped_column(String(511), nullable=False)


class CardLink(CreatedAtMixin, db.Model):
    """A typed link from one card to another card of the same organization."""

    __tablename__ = 'registry_card_links'
    __table_args__ = (UniqueConstraint('card_id', 'target_card_id', 'kind'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False, index=True
    )
    target_card_id: Mapped[int] = mapped_column(
        ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False, index=True
    )
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind, 'link_kind'), nullable=False)

    target: Mapped[Card] = relationship(foreign_keys=[target_card_id])


class CardAccessGrant(CreatedAtMixin, db.Model):
    """An individual right to see a card (an executor of a restricted card, a named reader)."""

    __tablename__ = 'registry_card_access_grants'

    card_id: Mapped[int] = mapped_column(ForeignKey('registry_cards.id', ondelete='CASCADE'), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('auth_users.id', ondelete='CASCADE'), primary_key=True, index=True)
    #: Why the user may see the card: `executor`, `reader`…
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
