"""The journal counter taken in one `UPDATE … RETURNING`: the default or the chosen journal, its checks, a refused
number that is not skipped even when the caller goes on, the counter of a journal already loaded in the session."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.core.access import SYSTEM
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.errors import NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.errors import JournalMissing, NumberTooLong
from edms.registry.models import Journal
from edms.registry.operations import create_card, create_journal, register_card
from tests.factories import card_data, make_card, make_organization, make_user


@pytest.fixture
def clerk(app_ctx):
    with atomic():
        organization = make_organization()
        user = make_user(organization, 'clerk')
    return user


def incoming_journal(organization_id: int) -> Journal:
    query = select(Journal).where(
        Journal.organization_id == organization_id, Journal.kind == 'incoming', Journal.is_default.is_(True)
    )
    return db.session.execute(query).scalar_one()


def second_journal(clerk, **overrides) -> int:
    with atomic():
        raw = {
            'kind': 'incoming',
            'year': local_today().year,
            'name': 'Журнал обращений организаций',
            'template': 'ВхО-{seq}',
            'is_default': False,
            **overrides,
        }
        return create_journal(SYSTEM, clerk.organization_id, raw).id


def test_a_chosen_journal_numbers_the_card_and_the_default_one_keeps_its_counter(clerk):
    chosen = second_journal(clerk)
    with atomic():
        draft = make_card(clerk, register=False)
        register_card(clerk, draft, journal_id=chosen)
        default = make_card(clerk)
    assert (draft.reg_number, draft.journal_id, default.reg_seq) == ('ВхО-1', chosen, 1)
    with atomic():
        assert db.session.get(Journal, chosen).next_seq == 2
        assert incoming_journal(clerk.organization_id).next_seq == 2


def test_a_closed_or_foreign_chosen_journal_is_refused_without_touching_counters(clerk):
    closed = second_journal(clerk, is_active=False)
    with atomic():
        other = make_organization()
    foreign = incoming_journal(other.id).id
    for journal_id, error in ((closed, ValidationFailed), (foreign, NotFound), (10**9, NotFound)):
        with pytest.raises(error), atomic():
            register_card(clerk, make_card(clerk, register=False), journal_id=journal_id)
    with atomic():
        assert db.session.get(Journal, closed).next_seq == 1
        assert db.session.get(Journal, foreign).next_seq == 1


def test_a_closed_default_journal_is_not_used(clerk):
    with atomic():
        incoming_journal(clerk.organization_id).is_active = False
    with pytest.raises(JournalMissing), atomic():
        make_card(clerk)


def test_a_too_long_number_is_not_skipped_even_when_the_caller_commits_anyway(clerk):
    with atomic():
        incoming_journal(clerk.organization_id).template = 'Входящие-документы-министерства-{seq:08d}'
    with atomic():
        with pytest.raises(NumberTooLong):
            create_card(clerk, card_data(), register=True)
        draft = create_card(clerk, card_data())
    assert draft.reg_number is None
    with atomic():
        assert incoming_journal(clerk.organization_id).next_seq == 1


def test_a_journal_loaded_before_the_registration_shows_its_new_counter(clerk):
    with atomic():
        journal = incoming_journal(clerk.organization_id)
        assert journal.next_seq == 1
        card = make_card(clerk)
        assert (card.reg_seq, journal.next_seq) == (1, 2)
