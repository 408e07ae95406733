"""Routing rules (`routing_rules`) of an organization, in order, and the decision taken for each card
(`routing_decisions`): the rule that fired (its name kept if the rule is deleted), the department and executor set,
and the explanation in Russian."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edms.auth.models import User
from edms.core.db import CreatedAtMixin, UTCDateTime, db, reference
from edms.directory.models import Department, Organization
from edms.registry.models.enums import CardKind, DeliveryMethod, enum_column

NAME_MAX = 255
DOCUMENT_KIND_MAX = 100
CORRESPONDENT_TEXT_MAX = 255
SERVICE_CODE_MAX = 64
COMMENT_MAX = 1000


class RoutingRule(CreatedAtMixin, db.Model):
    """One rule: every condition given must match the card; the first matching active rule (by `position`) fires
    and assigns its department and/or executor. A rule without conditions matches every card (a catch-all)."""

    __tablename__ = 'routing_rules'
    __table_args__ = (Index('ix_routing_rules_org_position', 'organization_id', 'position'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    #: Order of evaluation within the organization, from 1; renumbered without gaps on every move or deletion.
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    card_kind: Mapped[CardKind | None] = mapped_column(enum_column(CardKind, 'card_kind'))
    #: Compared with the card's document kind ignoring case and repeated spaces.
    document_kind: Mapped[str | None] = mapped_column(String(DOCUMENT_KIND_MAX))
    correspondent_organization_id: Mapped[int | None] = mapped_column(ForeignKey('directory_organizations.id'))
    #: A part of the correspondent's name (any case).
    correspondent_text: Mapped[str | None] = mapped_column(String(CORRESPONDENT_TEXT_MAX))
    #: Code of a public service of the catalogue (citizen services), compared ignoring case.
    service_code: Mapped[str | None] = mapped_column(String(SERVICE_CODE_MAX))
    delivery_method: Mapped[DeliveryMethod | None] = mapped_column(enum_column(DeliveryMethod, 'delivery_method'))
    department_id: Mapped[int | None] = mapped_column(ForeignKey('directory_departments.id'))
    executor_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    comment: Mapped[str] = mapped_column(String(COMMENT_MAX), nullable=False, default='')
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    correspondent_organization: Mapped[Organization | None] = relationship(foreign_keys=[correspondent_organization_id])
    department: Mapped[Department | None] = relationship()
    executor: Mapped[User | None] = relationship(foreign_keys=[executor_id])


class RoutingDecision(db.Model):
    """How a card was routed: one row per card, replaced when the rules are applied again."""

    __tablename__ = 'routing_decisions'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey('registry_cards.id', ondelete='CASCADE'), nullable=False, unique=True
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey('routing_rules.id', ondelete='SET NULL'), index=True)
    #: The rule's name when it fired: the card still says which rule it was after the rule is deleted.
    rule_name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey('directory_departments.id'))
    executor_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))
    #: Which conditions matched, in Russian, as the card page shows it.
    explanation: Mapped[str] = mapped_column(Text, nullable=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: Who applied the rules; None when the system did (a card received by the exchange).
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey('auth_users.id'))

    rule: Mapped[RoutingRule | None] = reference()
    department: Mapped[Department | None] = reference()
    executor: Mapped[User | None] = reference(foreign_keys=[executor_id])
    decided_by: Mapped[User | None] = reference(foreign_keys=[decided_by_id])
