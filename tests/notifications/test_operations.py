"""notify(): one notification per recipient and source, inactive users skipped; reading only one's own."""

import pytest
from sqlalchemy import func, select

from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.errors import NotificationNotFound
from edms.notifications.models import TEXT_MAX, Notification
from edms.notifications.operations import mark_all_read, mark_read, notify
from edms.notifications.queries import get_notification, list_notifications, unread_count


def stored(source=None):
    query = select(Notification).order_by(Notification.id)
    if source is not None:
        query = query.where(Notification.source == source)
    return list(db.session.scalars(query))


def send(recipients, source='resolution_event:1', **fields):
    values = {'kind': 'assignment', 'text': 'Вам поручено исполнение документа № 1', 'url': '/cards/1', **fields}
    with atomic():
        return notify([user.id for user in recipients], source=source, **values)


def test_notify_creates_one_per_recipient_with_the_recipients_organization(people):
    created = send([people.alice, people.bob, people.alice])
    assert sorted(n.user_id for n in created) == sorted([people.alice.id, people.bob.id])
    rows = stored()
    assert len(rows) == 2
    assert {row.organization_id for row in rows} == {people.organization.id}
    assert all(row.read_at is None and row.emailed_at is None for row in rows)
    assert rows[0].text == 'Вам поручено исполнение документа № 1'
    assert rows[0].url == '/cards/1'


def test_notify_is_idempotent_per_user_and_source(people):
    first = send([people.alice], source='resolution_event:7:user:1')
    again = send([people.alice, people.bob], source='resolution_event:7:user:1')
    assert len(first) == 1
    assert [n.user_id for n in again] == [people.bob.id]
    assert len(stored('resolution_event:7:user:1')) == 2
    other_source = send([people.alice], source='resolution_event:8:user:1')
    assert len(other_source) == 1
    assert unread_count(people.alice) == 2


def test_inactive_users_are_skipped(people):
    with atomic():
        people.bob.is_active = False
    created = send([people.alice, people.bob])
    assert [n.user_id for n in created] == [people.alice.id]
    assert {row.user_id for row in stored()} == {people.alice.id}


def test_explicit_organization_and_long_text_is_shortened(people):
    created = send([people.alice], text='я' * (TEXT_MAX + 50), organization_id=people.other_org_user.organization_id)
    assert created[0].organization_id == people.other_org_user.organization_id
    assert len(created[0].text) == TEXT_MAX
    assert created[0].text.endswith('…')


@pytest.mark.parametrize('url', ['https://evil.example/', '//evil.example/x', 'cards/1', '/cards/1\nX', '/a\\b'])
def test_a_link_outside_the_app_is_a_programming_error(people, url):
    with pytest.raises(ValueError, match='relative link'), atomic():
        notify([people.alice.id], kind='assignment', text='x', url=url, source='s')
    assert stored() == []


def test_nothing_is_created_for_nobody(people):
    assert send([]) == []
    assert stored() == []


def test_mark_read_refuses_someone_elses_notification_and_marks_nothing(people):
    mine = send([people.alice], source='a')[0]
    theirs = send([people.bob], source='b')[0]
    with pytest.raises(NotificationNotFound), atomic():
        mark_read(people.alice, [mine.id, theirs.id])
    assert unread_count(people.alice) == 1
    assert unread_count(people.bob) == 1
    with pytest.raises(NotificationNotFound):
        get_notification(people.alice, theirs.id)
    with pytest.raises(NotificationNotFound), atomic():
        mark_read(people.alice, [2**40])


def test_mark_read_and_mark_all_read_touch_only_the_users_own(people):
    first, second, third = (send([people.alice], source=f'n{i}')[0] for i in range(3))
    send([people.bob], source='bob')
    with atomic():
        assert mark_read(people.alice, [first.id]) == 1
    with atomic():
        assert mark_read(people.alice, [first.id]) == 0  # already read: nothing changes
    assert unread_count(people.alice) == 2
    with atomic():
        assert mark_all_read(people.alice) == 2
    assert unread_count(people.alice) == 0
    assert unread_count(people.bob) == 1
    assert {second.id, third.id} <= {row.id for row in stored() if row.read_at is not None}


def test_list_shows_unread_first_then_newest_and_pages(people):
    ids = [send([people.alice], source=f'n{i}')[0].id for i in range(5)]
    send([people.bob], source='bob')
    with atomic():
        mark_read(people.alice, [ids[4], ids[3]])
    page = list_notifications(people.alice, 1, per_page=3)
    assert [n.id for n in page.items] == [ids[2], ids[1], ids[0]]
    assert page.has_next
    assert page.total == 5
    second = list_notifications(people.alice, 2, per_page=3)
    assert [n.id for n in second.items] == [ids[4], ids[3]]
    assert not second.has_next
    unread = list_notifications(people.alice, 1, only_unread=True)
    assert [n.id for n in unread.items] == [ids[2], ids[1], ids[0]]
    assert unread.total == 3
    assert db.session.execute(select(func.count()).select_from(Notification)).scalar_one() == 6


def test_notify_many_in_chunks_is_idempotent_too(people, monkeypatch):
    from edms.notifications import operations
    from edms.notifications.operations import Message, notify_many

    monkeypatch.setattr(operations, 'CHUNK', 2)
    with atomic():
        people.bob.is_active = False
    messages = [
        Message(people.alice.id, 'reminder', f'Срок по поручению {n} истекает', f'assignment:{n}:2026-11-23')
        for n in range(5)
    ]
    messages += [messages[0], Message(people.bob.id, 'overdue', 'Просрочено', 'assignment:9:2026-11-23')]
    with atomic():
        created = notify_many(messages)
    assert sorted(n.source for n in created) == [f'assignment:{n}:2026-11-23' for n in range(5)]
    with atomic():
        assert notify_many(messages) == []
    assert unread_count(people.alice) == 5
    assert unread_count(people.bob) == 0
