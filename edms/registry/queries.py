"""Reading cards: one card with its access check, filtered lists with pagination, journals and case files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import selectinload

from edms.auth.models import User
from edms.core.access import Actor, require_admin_of
from edms.core.db import db
from edms.core.errors import NotFound
from edms.registry.errors import AttachmentNotFound, CardNotFound
from edms.registry.models import (
    Attachment,
    Card,
    CardAccessGrant,
    CardKind,
    CardStatus,
    CaseFile,
    Journal,
)
from edms.registry.permissions import can_see, visible_cards

#: Counts in lists stop here: "more than 10 000" is enough for a person, and exact counts of millions are slow.
COUNT_CAP = 10_000


@dataclass
class CardFilter:
    """Filters of the card list; `words` is matched against the summary by the search module."""

    kind: CardKind | None = None
    status: CardStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    correspondent: str = ''
    number: str = ''
    words: str = ''
    extra: list[ColumnElement[bool]] = field(default_factory=list)


@dataclass
class Page:
    """One page of a list and whether more pages follow."""

    items: list[Card]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None
    #: The count stops at this number (`total` is then `cap + 1`).
    cap: int = COUNT_CAP

    @property
    def total_label(self) -> str:
        if self.total is None:
            return ''
        return f'более {self.cap:,}'.replace(',', ' ') if self.total > self.cap else str(self.total)


def get_card(user: User, card_id: int) -> Card:
    """The card if the user may see it; otherwise `CardNotFound` (never a hint that it exists)."""
    card = db.session.get(Card, card_id)
    if card is None or card.organization_id != user.organization_id:
        raise CardNotFound()
    if not can_see(user, card, False) and not _granted(user, card):
        raise CardNotFound()
    return card


def _granted(user: User, card: Card) -> bool:
    query = select(exists().where(CardAccessGrant.card_id == card.id, CardAccessGrant.user_id == user.id))
    return bool(db.session.execute(query).scalar())


def cards_query(user: User, flt: CardFilter) -> Select[tuple[Card]]:
    """Visible cards matching the filter, newest registration first (drafts first)."""
    query = select(Card).where(visible_cards(user))
    if flt.kind:
        query = query.where(Card.kind == flt.kind)
    if flt.status:
        query = query.where(Card.status == flt.status)
    if flt.date_from:
        query = query.where(Card.reg_date >= flt.date_from)
    if flt.date_to:
        query = query.where(Card.reg_date <= flt.date_to)
    if flt.correspondent:
        query = query.where(Card.correspondent_name.ilike(f'%{_escape_like(flt.correspondent)}%', escape='\\'))
    if flt.number:
        query = query.where(Card.reg_number.ilike(f'{_escape_like(flt.number)}%', escape='\\'))
    for condition in flt.extra:
        query = query.where(condition)
    return query.order_by(Card.reg_date.desc(), Card.id.desc())


def _escape_like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def paginate(
    query: Select[tuple[Card]], page: int, per_page: int, *, with_total: bool = True, count_cap: int = COUNT_CAP
) -> Page:
    """A page of the query, loading one row more to know whether a next page exists; the total is capped."""
    page = max(page, 1)
    rows = list(db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).scalars())
    total = None
    if with_total:
        capped = query.order_by(None).with_only_columns(Card.id).limit(count_cap + 1).subquery()
        total = db.session.execute(select(func.count()).select_from(capped)).scalar_one()
    return Page(rows[:per_page], page, per_page, len(rows) > per_page, total, count_cap)


def get_attachment(user: User, card_id: int, attachment_id: int) -> tuple[Card, Attachment]:
    """The attachment of a card the user may see."""
    card = get_card(user, card_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.card_id != card.id or attachment.deleted_at is not None:
        raise AttachmentNotFound()
    return card, attachment


def find_duplicates(user: User, values: dict[str, object], own_id: int | None = None) -> list[tuple[int, str | None]]:
    """Cards of the organization with the same correspondent, sender's number and date (not cancelled)."""
    if not values.get('sender_number') or not values.get('sender_date'):
        return []
    query = select(Card.id, Card.reg_number).where(
        visible_cards(user),
        Card.sender_number == values['sender_number'],
        Card.sender_date == values['sender_date'],
        Card.status != CardStatus.cancelled,
    )
    if values.get('correspondent_organization_id'):
        query = query.where(Card.correspondent_organization_id == values['correspondent_organization_id'])
    else:
        query = query.where(func.lower(Card.correspondent_name) == str(values.get('correspondent_name', '')).lower())
    if own_id is not None:
        query = query.where(Card.id != own_id)
    return [(row.id, row.reg_number) for row in db.session.execute(query.limit(5))]


def list_journals(organization_id: int, year: int | None = None) -> list[Journal]:
    query = select(Journal).where(Journal.organization_id == organization_id)
    if year is not None:
        query = query.where(Journal.year == year)
    return list(db.session.execute(query.order_by(Journal.year.desc(), Journal.kind, Journal.name)).scalars())


def list_case_files(organization_id: int, year: int | None = None, *, open_only: bool = False) -> list[CaseFile]:
    query = select(CaseFile).where(CaseFile.organization_id == organization_id)
    if year is not None:
        query = query.where(CaseFile.year == year)
    if open_only:
        query = query.where(CaseFile.is_closed.is_(False))
    return list(db.session.execute(query.order_by(CaseFile.year.desc(), CaseFile.index)).scalars())


def linked_from(user: User, card: Card) -> list[Card]:
    """Cards that link to this one (the reverse side of links), visible to the user."""
    from edms.registry.models import CardLink

    query = (
        select(Card)
        .join(CardLink, CardLink.card_id == Card.id)
        .where(CardLink.target_card_id == card.id, visible_cards(user))
        .options(selectinload(Card.links))
        .order_by(Card.id)
    )
    return list(db.session.execute(query).scalars())


def get_journal(actor: Actor, journal_id: int) -> Journal:
    """A journal of an organization the actor administers."""
    journal = db.session.get(Journal, journal_id)
    if journal is None:
        raise NotFound('Журнал регистрации не найден.')
    require_admin_of(actor, journal.organization_id)
    return journal


def get_case_file(actor: Actor, case_file_id: int) -> CaseFile:
    """A case of the nomenclature of an organization the actor administers."""
    case_file = db.session.get(CaseFile, case_file_id)
    if case_file is None:
        raise NotFound('Дело не найдено.')
    require_admin_of(actor, case_file.organization_id)
    return case_file


def visible_cards_by_id(user: User, ids: list[int]) -> dict[int, Card]:
    """The cards among `ids` that the user may see (link targets, references typed by the user)."""
    if not ids:
        return {}
    query = select(Card).where(Card.id.in_(ids), visible_cards(user))
    return {card.id: card for card in db.session.execute(query).scalars()}
