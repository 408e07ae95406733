"""Reading the exchange: participants (a system administrator sees all, others their own organization's), the clerk's
«На регистрацию» queue and «Ошибки обмена» list (another organization's packet is "not found"), the signatures'
verdicts of the queued drafts, and plain listings for the command line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from edms.auth.models import User
from edms.core.access import Actor
from edms.core.db import db
from edms.exchange.errors import InboxPacketNotFound, ParticipantNotFound
from edms.exchange.models import Dispatch, ExchangeParticipant, InboxPacket, InboxStatus
from edms.registry.models import Card, CardStatus
from edms.registry.permissions import require_registrar, visible_cards
from edms.signatures.models import AttachmentSignature


@dataclass
class InboxPage:
    """One page of inbox rows and whether more follow."""

    items: list[InboxPacket]
    page: int
    per_page: int
    has_next: bool


# --- participants -----------------------------------------------------------------------------------------------------


def get_participant(actor: Actor, participant_id: int) -> ExchangeParticipant:
    """A participant of the actor's organization, or any for a system administrator; otherwise not found."""
    participant = db.session.get(ExchangeParticipant, participant_id)
    if participant is None or not (actor.is_system_admin or participant.organization_id == actor.organization_id):
        raise ParticipantNotFound()
    return participant


def list_participants(actor: Actor) -> list[ExchangeParticipant]:
    query = select(ExchangeParticipant).options(selectinload(ExchangeParticipant.organization))
    if not actor.is_system_admin:
        query = query.where(ExchangeParticipant.organization_id == actor.organization_id)
    return list(db.session.execute(query.order_by(ExchangeParticipant.organization_id)).scalars())


def participant_of_organization(organization_id: int | None) -> ExchangeParticipant | None:
    """The active participant of an organization."""
    if organization_id is None:
        return None
    return db.session.execute(
        select(ExchangeParticipant).where(
            ExchangeParticipant.organization_id == organization_id, ExchangeParticipant.is_active.is_(True)
        )
    ).scalar_one_or_none()


def participant_by_guid(guid: str | None) -> ExchangeParticipant | None:
    """The active participant with this GUID (compared in lower case), with its organization."""
    if not guid:
        return None
    return db.session.execute(
        select(ExchangeParticipant)
        .options(joinedload(ExchangeParticipant.organization))
        .where(ExchangeParticipant.guid == normal_guid(guid), ExchangeParticipant.is_active.is_(True))
    ).scalar_one_or_none()


def normal_guid(guid: str) -> str:
    """A GUID as participants are stored and compared: in lower case, without outer spaces."""
    return guid.strip().lower()


@dataclass(frozen=True)
class Parties:
    """The participants a received packet may concern, read in one query: the active local ones (oldest first),
    the active participant of the sender's GUID and the partner system that posted it — each with its organization."""

    local: list[ExchangeParticipant]
    sender: ExchangeParticipant | None
    source: ExchangeParticipant | None


def packet_parties(sender_guid: str | None, source_id: int | None) -> Parties:
    """The Parties of a packet from `sender_guid`, posted by participant `source_id`."""
    guid = normal_guid(sender_guid) if sender_guid else None
    wanted = ExchangeParticipant.is_local.is_(True) & ExchangeParticipant.is_active.is_(True)
    if guid:
        wanted |= ExchangeParticipant.guid == guid
    if source_id is not None:
        wanted |= ExchangeParticipant.id == source_id
    rows = db.session.execute(
        select(ExchangeParticipant)
        .options(joinedload(ExchangeParticipant.organization))
        .where(wanted)
        .order_by(ExchangeParticipant.id)
    ).scalars()
    found = list(rows)
    return Parties(
        local=[participant for participant in found if participant.is_local and participant.is_active],
        sender=next((p for p in found if guid and p.guid == guid and p.is_active), None),
        source=next((p for p in found if p.id == source_id), None),
    )


def local_participants() -> list[ExchangeParticipant]:
    """The active participants of organizations served here, oldest first."""
    return list(
        db.session.execute(
            select(ExchangeParticipant)
            .options(selectinload(ExchangeParticipant.organization))
            .where(ExchangeParticipant.is_local.is_(True), ExchangeParticipant.is_active.is_(True))
            .order_by(ExchangeParticipant.id)
        ).scalars()
    )


def node_participant() -> ExchangeParticipant | None:
    """Whom this node answers as when no addressee of a packet is known: its oldest local participant."""
    participants = local_participants()
    return participants[0] if participants else None


# --- the inbox --------------------------------------------------------------------------------------------------------


def get_inbox_packet(user: User, inbox_id: int) -> InboxPacket:
    """A packet of the user's organization (its draft visible to the user), for a registrar; any packet for a system
    administrator. Another organization's packet is not found; a user who is no registrar is forbidden."""
    packet = db.session.get(InboxPacket, inbox_id)
    if packet is None:
        raise InboxPacketNotFound()
    if user.is_system_admin:
        return packet
    if packet.recipient_organization_id != user.organization_id:
        raise InboxPacketNotFound()
    if packet.card_id is not None and not _visible(user, packet.card_id):
        raise InboxPacketNotFound()
    require_registrar(user)
    return packet


def _visible(user: User, card_id: int) -> bool:
    query = select(Card.id).where(Card.id == card_id, visible_cards(user))
    return db.session.execute(query).first() is not None


def registration_queue(user: User, page: int = 1, per_page: int = 50) -> InboxPage:
    """«На регистрацию»: drafts that arrived by МЭДО for the user's organization, newest first."""
    require_registrar(user)
    query = (
        select(InboxPacket)
        .join(Card, Card.id == InboxPacket.card_id)
        .where(
            InboxPacket.recipient_organization_id == user.organization_id,
            InboxPacket.status == InboxStatus.accepted.value,
            InboxPacket.duplicate_of_id.is_(None),
            Card.status == CardStatus.draft,
            visible_cards(user),
        )
        .order_by(InboxPacket.received_at.desc(), InboxPacket.id.desc())
        .options(selectinload(InboxPacket.card))
    )
    return _page(query, page, per_page)


def quarantine(user: User, page: int = 1, per_page: int = 50) -> InboxPage:
    """«Ошибки обмена»: quarantined packets of the user's organization; every one for a system administrator."""
    query = select(InboxPacket).where(InboxPacket.status == InboxStatus.quarantined.value)
    if not user.is_system_admin:
        require_registrar(user)
        query = query.where(InboxPacket.recipient_organization_id == user.organization_id)
    return _page(query.order_by(InboxPacket.received_at.desc(), InboxPacket.id.desc()), page, per_page)


def _page(query: Select[tuple[InboxPacket]], page: int, per_page: int) -> InboxPage:
    page = max(page, 1)
    rows = list(db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).scalars())
    return InboxPage(rows[:per_page], page, per_page, len(rows) > per_page)


def signature_verdicts(card_ids: list[int]) -> dict[int, Counter[str]]:
    """For each card, how many of its files' signatures are valid, invalid or indeterminate."""
    result: dict[int, Counter[str]] = {card_id: Counter() for card_id in card_ids}
    if not card_ids:
        return result
    rows = db.session.execute(
        select(AttachmentSignature.card_id, AttachmentSignature.last_verdict, func.count())
        .where(AttachmentSignature.card_id.in_(card_ids))
        .group_by(AttachmentSignature.card_id, AttachmentSignature.last_verdict)
    )
    for card_id, verdict, count in rows:
        result[card_id][verdict] = count
    return result


def inbox_listing(status: str | None = None, limit: int = 100) -> list[InboxPacket]:
    """The newest inbox rows for the command line (no access rule: the operator of the node)."""
    query = select(InboxPacket)
    if status:
        query = query.where(InboxPacket.status == status)
    return list(db.session.execute(query.order_by(InboxPacket.id.desc()).limit(limit)).scalars())


def stuck_packets(older_than: datetime, limit: int = 500) -> list[int]:
    """Ids of packets still `received` since before `older_than` (their job was lost): the sweeper re-enqueues them."""
    query = (
        select(InboxPacket.id)
        # A retried packet counts from its retry (updated_at), not from its first reception.
        .where(
            InboxPacket.status == InboxStatus.received.value,
            func.coalesce(InboxPacket.updated_at, InboxPacket.received_at) < older_than,
        )
        .order_by(InboxPacket.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


# --- dispatches of outgoing cards -----------------------------------------------------------------------------------


def card_dispatches(card: Card) -> list[Dispatch]:
    """The card's dispatches with their timelines and destinations, in the order they were made (the caller has
    already checked that the user sees the card)."""
    query = (
        select(Dispatch)
        .where(Dispatch.card_id == card.id)
        .options(selectinload(Dispatch.steps), selectinload(Dispatch.destination))
        .order_by(Dispatch.id)
    )
    return list(db.session.execute(query).scalars())


def card_packet(card: Card) -> InboxPacket | None:
    """The packet a card arrived in (the first reception), for an incoming card that came by МЭДО."""
    query = (
        select(InboxPacket)
        .where(InboxPacket.card_id == card.id, InboxPacket.duplicate_of_id.is_(None))
        .order_by(InboxPacket.id)
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()
