"""The audit journal is append-only and chained: verification finds the first tampered or missing entry."""

import pytest
from sqlalchemy import delete, select, update

from edms.audit.models import AuditEntry
from edms.audit.operations import record
from edms.audit.queries import verify_chain
from edms.core.db import db
from edms.core.tx import atomic
from tests.factories import make_card, make_organization, make_user


@pytest.fixture
def journaled(app_ctx):
    with atomic():
        organization = make_organization()
        clerk = make_user(organization, 'clerk')
        for _ in range(3):
            make_card(clerk)
    return clerk


def test_entries_are_chained_in_sequence(journaled):
    entries = list(db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    assert all(entries[i].prev_hash == entries[i - 1].hash for i in range(1, len(entries)))
    assert verify_chain().ok


def test_a_changed_entry_is_reported_at_its_seq(journaled):
    target = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'card.register')).scalars().first()
    with atomic():
        db.session.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(action='card.delete'))
    report = verify_chain()
    assert report.broken_seq == target.seq
    assert 'хеш не совпадает' in report.reason


def test_a_deleted_entry_is_reported_as_a_gap(journaled):
    with atomic():
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    report = verify_chain()
    assert report.broken_seq == 5
    assert 'пропущена запись' in report.reason


def test_nothing_is_journaled_when_the_transaction_rolls_back(app_ctx):
    def fail_after_recording() -> None:
        with atomic():
            record(None, 'test.action')
            raise RuntimeError('boom')

    with pytest.raises(RuntimeError):
        fail_after_recording()
    assert db.session.execute(select(AuditEntry)).first() is None


def test_cli_audit_verify_reports_intact_and_broken_chain(app, journaled):
    runner = app.test_cli_runner()
    result = runner.invoke(args=['edms', 'audit', 'verify'])
    assert result.exit_code == 0
    assert 'цела' in result.output
    with atomic():
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(data={'forged': True}))
    result = runner.invoke(args=['edms', 'audit', 'verify'])
    assert result.exit_code == 1
    assert 'записи № 2' in result.output


def test_a_rolled_back_savepoint_keeps_the_outer_entries(app_ctx):
    with atomic():
        record(None, 'outer.action')
        try:
            with db.session.begin_nested():
                record(None, 'inner.action')
                raise RuntimeError('inner failure')
        except RuntimeError:
            pass
    actions = list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())
    assert 'outer.action' in actions
    assert verify_chain().ok


def test_many_entries_of_one_commit_are_chained_and_the_loaded_head_follows(app_ctx):
    from edms.audit.models import AuditHead
    from edms.audit.operations import HEAD_ID

    with atomic():
        record(None, 'first.action')
    with atomic(keep_loaded=True):
        head = db.session.get(AuditHead, HEAD_ID)
        for n in range(5):
            record(None, 'batch.action', data={'n': n})
    last = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
    assert last.data == {'n': 4}
    assert verify_chain().ok


def test_entries_keep_their_data_exactly_and_any_number_of_them_seals_at_once(app_ctx):
    odd = {'Поле': 'значение «в кавычках» \\ "двойных"', 'nul': 'a\x00b', 'list': [1, 2.5, None, True], 'emoji': '📄'}
    with atomic():
        for n in range(100):
            record(None, 'batch.action', data={**odd, 'n': n})
    entries = list(db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    assert [entry.seq for entry in entries] == list(range(1, 101))
    assert [entry.data for entry in entries] == [{**odd, 'n': n} for n in range(100)]
    assert all(entry.created_at.tzinfo is not None for entry in entries)
    assert verify_chain().ok
