"""Registration journals: per organization, kind and year, with a number template and a gapless counter."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from edms.core.db import CreatedAtMixin, db
from edms.registry.models.enums import CardKind, enum_column


class Journal(CreatedAtMixin, db.Model):
    """A journal (нумератор); `next_seq` is advanced under a row lock in the registering transaction."""

    __tablename__ = 'registry_journals'
    __table_args__ = (UniqueConstraint('organization_id', 'kind', 'year', 'name'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False, index=True)
    kind: Mapped[CardKind] = mapped_column(enum_column(CardKind, 'card_kind'), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    #: Number template, e.g. `Вх-{seq:05d}/{yy}` or `{seq}-{dept}`; see `registry.numbering`.
    template: Mapped[str] = mapped_column(String(100), nullable=False)
    next_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    #: The journal used for this kind and year when the clerk does not choose one.
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
