"""Registration: journal numbers never duplicated or skipped (also concurrently), yearly restart, duplicates warned."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.auth.models import User
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.registry.errors import CardStateConflict, JournalMissing, NumberTooLong, PossibleDuplicate
from edms.registry.models import Card, CardStatus, Journal
from edms.registry.operations import cancel_card, create_card, create_journal, file_card, register_card, update_card
from tests.factories import card_data, make_card, make_case_file, make_organization, make_user


@pytest.fixture
def clerk(app_ctx):
    with atomic():
        organization = make_organization()
        user = make_user(organization, 'clerk')
    return user


def test_numbers_follow_each_other_per_journal(clerk):
    with atomic():
        first = make_card(clerk)
        second = make_card(clerk)
        appeal = make_card(clerk, kind='citizen_appeal', correspondent_name='Петров П. П.')
    assert (first.reg_seq, second.reg_seq, appeal.reg_seq) == (1, 2, 1)
    assert second.reg_number.startswith('Вх-00002/')
    assert appeal.reg_number.startswith('ОГ-00001/')


def test_a_failed_registration_does_not_consume_a_number(clerk):
    with atomic():
        make_card(clerk)
    with pytest.raises(ValidationFailed), atomic():
        create_card(clerk, card_data(summary=''), register=True)
    with atomic():
        card = make_card(clerk)
    assert card.reg_seq == 2


def test_concurrent_registrations_give_distinct_consecutive_numbers(app, clerk):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('concurrency is measured on PostgreSQL')
    threads_count, per_thread = 20, 50
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def worker(index: int) -> None:
        with app.app_context():
            try:
                with atomic():
                    user = db.session.get(User, clerk.id)
                barrier.wait()
                for number in range(per_thread):
                    with atomic():
                        create_card(user, card_data(sender_number=f'{index}-{number}'), register=True)
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    seqs = sorted(db.session.execute(select(Card.reg_seq).where(Card.organization_id == clerk.organization_id)))
    numbers = db.session.execute(select(func.count(func.distinct(Card.reg_number)))).scalar()
    assert [row[0] for row in seqs] == list(range(1, threads_count * per_thread + 1))
    assert numbers == threads_count * per_thread


def test_every_number_fits_the_medo_limit_or_registration_is_refused(clerk):
    with atomic():
        journal = db.session.execute(
            select(Journal).where(Journal.organization_id == clerk.organization_id, Journal.kind == 'incoming')
        ).scalar_one()
        journal.template = 'Входящие-документы-министерства-{seq:08d}'
    with pytest.raises(NumberTooLong), atomic():
        make_card(clerk)
    with atomic():
        assert db.session.get(Journal, journal.id).next_seq == 1


def test_a_new_year_restarts_numbering_from_last_years_template(app_ctx):
    with atomic():
        organization = make_organization(with_journals=False)
        create_journal(
            SYSTEM,
            organization.id,
            {'kind': 'incoming', 'year': 2025, 'name': 'Входящие', 'template': 'Вх-{seq:05d}/{yy}'},
        )
        clerk = make_user(organization, 'clerk')
        card = make_card(clerk, register=False, sender_date='2025-12-30')
        register_card(clerk, card, reg_date=date(2025, 12, 31))
        second = make_card(clerk)
    assert card.reg_number == 'Вх-00001/25'
    assert second.reg_seq == 1
    assert second.reg_number.endswith(f'/{date.today().year % 100:02d}')


def test_registration_without_any_journal_names_the_problem(app_ctx):
    with atomic():
        organization = make_organization(with_journals=False)
        clerk = make_user(organization, 'clerk')
    with pytest.raises(JournalMissing), atomic():
        make_card(clerk)


def test_registering_the_same_incoming_document_twice_warns_first(clerk):
    data = card_data(sender_number='15/2', correspondent_name='ООО «Ромашка»')
    with atomic():
        first = create_card(clerk, data, register=True)
    with pytest.raises(PossibleDuplicate) as caught, atomic():
        create_card(clerk, data, register=True)
    assert caught.value.existing == [(first.id, first.reg_number)]
    with atomic():
        second = create_card(clerk, data, register=True, confirm_duplicate=True)
    assert second.reg_seq == 2


def test_change_of_a_registered_card_is_audited_with_before_and_after(clerk):
    with atomic():
        card = make_card(clerk, summary='Старое содержание')
    with atomic():
        update_card(clerk, card, {**card_data(summary='Новое содержание'), 'sender_number': card.sender_number})
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == 'card.update', AuditEntry.object_id == str(card.id))
    ).scalar_one()
    assert entry.data['changes']['summary'] == {'before': 'Старое содержание', 'after': 'Новое содержание'}
    assert entry.actor_id == clerk.id


def test_kind_cannot_change_after_registration(clerk):
    with atomic():
        card = make_card(clerk)
    with pytest.raises(ValidationFailed) as caught, atomic():
        update_card(clerk, card, card_data(kind='outgoing'))
    assert 'kind' in caught.value.fields


def test_cancelled_card_keeps_its_number_and_cannot_be_registered_again(clerk):
    with atomic():
        card = make_card(clerk)
        cancel_card(clerk, card, 'Ошибочная регистрация')
    assert card.status == CardStatus.cancelled
    assert card.reg_number is not None
    with pytest.raises(CardStateConflict), atomic():
        register_card(clerk, card)


def test_filing_into_a_case_sets_the_status_and_case(clerk):
    with atomic():
        card = make_card(clerk)
        case_file = make_case_file(card.organization)
        file_card(clerk, card, case_file.id)
    assert (card.status, card.case_file_id) == (CardStatus.filed, case_file.id)


def test_validation_names_every_bad_field_at_once(clerk):
    data = card_data(summary='x' * 4001, pages='много', sender_date='31.02.2026', correspondent_name='')
    with pytest.raises(ValidationFailed) as caught:
        create_card(clerk, data)
    fields = caught.value.fields
    assert 'не более 4000 символов' in fields['summary']
    assert '«Количество листов»' in fields['pages']
    assert 'ДД.ММ.ГГГГ' in fields['sender_date']
    assert '«Корреспондент»' in fields['correspondent_name']


def test_unknown_fields_are_refused(clerk):
    with pytest.raises(ValidationFailed) as caught:
        create_card(clerk, card_data(colour='red'))
    assert caught.value.fields == {'colour': 'Неизвестное поле «colour».'}


def test_only_registrars_register(app_ctx):
    with atomic():
        organization = make_organization()
        executor = make_user(organization, 'executor')
    from edms.core.errors import Forbidden

    with pytest.raises(Forbidden):
        make_card(executor)


def test_registering_one_draft_twice_at_once_issues_one_number(app, clerk):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('row locks are checked on PostgreSQL')
    with atomic():
        draft = make_card(clerk, register=False)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        with app.app_context():
            try:
                with atomic():
                    user, card = db.session.get(User, clerk.id), db.session.get(Card, draft.id)
                    barrier.wait()
                    register_card(user, card)
                outcomes.append('registered')
            except CardStateConflict:
                outcomes.append('refused')
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert sorted(outcomes) == ['refused', 'registered']
    journal = db.session.get(Journal, db.session.get(Card, draft.id).journal_id)
    assert (db.session.get(Card, draft.id).reg_seq, journal.next_seq) == (1, 2)


def test_a_number_taken_by_an_imported_card_is_never_issued_again(clerk):
    with atomic():
        first = make_card(clerk)
        imported = Card(
            organization_id=clerk.organization_id,
            kind='incoming',
            status='registered',
            document_kind='Письмо',
            summary='Импорт',
            reg_number=first.reg_number.replace('00001', '00002'),
            reg_date=first.reg_date,
        )
        db.session.add(imported)
    from edms.registry.errors import NumberTaken

    with pytest.raises(NumberTaken), atomic():
        make_card(clerk)
