"""A decided application closes the agency's incoming card through the registry's own operation (executed,
journaled as `card.execute` in the official's name); a card the registry does not let close stays as it is, and the
journal says why."""

from __future__ import annotations

from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.citizen_services.models import Application
from edms.citizen_services.operations import approve, refuse, request_clarification
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Card, CardStatus
from tests.citizen_services.conftest import PDF_BYTES, World


def card_of(application: Application) -> Card:
    card = db.session.get(Card, application.card_id)
    assert card is not None
    db.session.refresh(card)
    return card


def entries(action: str, object_id: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_id == str(object_id))
    return list(db.session.execute(query).scalars())


def test_approval_executes_the_card_in_the_officials_name(world: World) -> None:
    application = world.file()
    assert card_of(application).status in (CardStatus.registered, CardStatus.in_work)
    with atomic():
        approve(world.executor, application, PDF_BYTES + b'certificate')
    card = card_of(application)
    assert card.status == CardStatus.executed
    [entry] = entries('card.execute', card.id)
    assert entry.actor_id == world.executor.id
    assert entry.data['changes']['status']['after'] == 'executed'


def test_refusal_executes_the_card(world: World) -> None:
    application = world.file()
    with atomic():
        request_clarification(world.executor, application, 'Приложите договор целиком.')
    assert card_of(application).status != CardStatus.executed
    with atomic():
        refuse(world.executor, application, ['missing_documents'])
    card = card_of(application)
    assert card.status == CardStatus.executed
    assert len(entries('card.execute', card.id)) == 1


def test_a_card_left_as_a_draft_is_not_closed_and_the_journal_says_why(world: World) -> None:
    application = world.file()
    with atomic():
        card_of(application).status = CardStatus.draft  # as when the agency had no journal for the year
    with atomic():
        approve(world.executor, application)
    assert application.status == 'done'
    assert card_of(application).status == CardStatus.draft
    [entry] = entries('application.card_not_closed', application.id)
    assert entry.data['card_status'] == 'draft'
    assert 'Исполненной' in entry.data['reason']
    assert entries('card.execute', application.card_id or 0) == []


def test_an_already_executed_card_is_left_as_it_is(world: World) -> None:
    application = world.file()
    with atomic():
        card_of(application).status = CardStatus.executed  # its resolutions were executed before the decision
    with atomic():
        refuse(world.executor, application, ['personal_data'])
    assert card_of(application).status == CardStatus.executed
    assert entries('card.execute', application.card_id or 0) == []
    assert entries('application.card_not_closed', application.id) == []
