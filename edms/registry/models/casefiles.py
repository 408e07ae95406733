"""Case files of the organization's nomenclature (номенклатура дел)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from edms.core.db import CreatedAtMixin, db


class CaseFile(CreatedAtMixin, db.Model):
    """A case (дело) of a given year: index, title, retention period."""

    __tablename__ = 'registry_case_files'
    __table_args__ = (UniqueConstraint('organization_id', 'year', 'index'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey('directory_organizations.id'), nullable=False, index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey('directory_departments.id'))
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    index: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(1000), nullable=False)
    #: Retention in years; None means permanent («постоянно»).
    retention_years: Mapped[int | None] = mapped_column(Integer)
    #: Article of the list of standard documents (перечень), e.g. «ст. 8 а».
    retention_article: Mapped[str] = mapped_column(String(100), nullable=False, default='')
    is_closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    @property
    def retention_label(self) -> str:
        if self.retention_years is None:
            return 'Постоянно'
        return f'{self.retention_years} лет' if self.retention_years >= 5 else f'{self.retention_years} г.'
