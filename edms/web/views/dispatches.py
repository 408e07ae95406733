"""The card's «Обмен» tab: for an outgoing card, the addressees it can be sent to by МЭДО, the «Отправить по МЭДО»
form and the timeline of each dispatch (sent, delivered, registered as № … on …, executor assigned, report…); for a
card that arrived by МЭДО, the packet it came in. The tab's data comes from the `exchange_section(card)` template
helper, built once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, g, request
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.core.errors import Forbidden
from edms.exchange.models import Dispatch, InboxPacket
from edms.exchange.operations.sending import Target, alive_in, eligible_targets, send_card
from edms.exchange.queries import card_dispatches, card_packet
from edms.registry.models import Card, CardKind, DeliveryMethod
from edms.registry.permissions import require_registrar
from edms.web.session import current_user, login_required
from edms.web.views.cards import card_action

bp = Blueprint('dispatches', __name__, url_prefix='/cards')
TAB = 'exchange'


@dataclass
class ExchangeSection:
    """What the «Обмен» tab shows; `visible` is False for a card the exchange has nothing to say about."""

    dispatches: list[Dispatch] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    packet: InboxPacket | None = None
    can_send: bool = False
    is_outgoing: bool = False

    @property
    def visible(self) -> bool:
        return bool(self.dispatches or self.targets or self.packet is not None)


@bp.app_context_processor
def _section_helper() -> dict[str, Any]:
    return {'exchange_section': exchange_section}


def exchange_section(card: Card) -> ExchangeSection:
    sections: dict[int, ExchangeSection] = g.setdefault('exchange_sections', {})
    if card.id not in sections:
        sections[card.id] = _build(current_user(), card)
    return sections[card.id]


def _build(user: User, card: Card) -> ExchangeSection:
    section = ExchangeSection(is_outgoing=card.kind == CardKind.outgoing)
    if card.delivery_method == DeliveryMethod.medo and card.kind != CardKind.outgoing:
        section.packet = card_packet(card)
    if not section.is_outgoing:
        return section
    section.dispatches = card_dispatches(card)
    sent = alive_in(section.dispatches)
    section.targets = [target for target in eligible_targets(card) if target.participant.id not in sent]
    section.can_send = bool(section.targets) and _is_registrar(user) and card.reg_number is not None
    return section


def _is_registrar(user: User) -> bool:
    try:
        require_registrar(user)
    except Forbidden:
        return False
    return True


@bp.post('/<int:card_id>/dispatches')
@login_required
def send(card_id: int) -> str | tuple[str, int] | Response:
    def run(user: User, card: Card) -> str:
        dispatches = send_card(user, card, {'addressees': request.form.getlist('addressees')})
        names = ', '.join(dispatch.addressee_name for dispatch in dispatches)
        return f'Документ отправлен по МЭДО: {names}.'

    return card_action(card_id, run, tab=TAB)
