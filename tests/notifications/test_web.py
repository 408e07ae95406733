"""Notification pages: the list (unread first), opening and marking read, someone else's is 404, the navbar badge."""

import re

import pytest
from sqlalchemy import event

from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.notifications.operations import mark_read, notify
from edms.notifications.queries import unread_count
from tests.factories import PASSWORD, login


def create(user, source, text='Вам поручено исполнение', url='/cards/5'):
    with atomic():
        return notify([user.id], kind='assignment', text=text, url=url, source=source)[0].id


def read_at(notification_id):
    db.session.expire_all()
    return db.session.get(Notification, notification_id).read_at


def badge(html):
    match = re.search(r'id="nav-notifications".*?</a>', html, re.S)
    assert match, 'the navbar has no notifications link'
    number = re.search(r'class="badge[^"]*"[^>]*>([^<]+)<', match.group(0))
    return number.group(1) if number else None


def test_list_shows_own_notifications_unread_first(client, people):
    old = create(people.alice, 'a', text='Старое прочитанное')
    create(people.alice, 'b', text='Новое непрочитанное')
    create(people.bob, 'c', text='Чужое уведомление')
    with atomic():
        mark_read(people.alice, [old])
    login(client, people.alice)
    html = client.get('/notifications/').get_data(as_text=True)
    assert html.index('Новое непрочитанное') < html.index('Старое прочитанное')
    assert 'Чужое уведомление' not in html
    assert 'Новое поручение' in html  # the kind's label
    unread_only = client.get('/notifications/?unread=1').get_data(as_text=True)
    assert 'Новое непрочитанное' in unread_only
    assert 'Старое прочитанное' not in unread_only
    assert client.get('/notifications/?page=x&unread=maybe').status_code == 200


def test_the_navbar_badge_shows_the_unread_count_with_one_count_query(app, client, people):
    login(client, people.alice)
    assert badge(client.get('/cards/').get_data(as_text=True)) is None
    for index in range(3):
        create(people.alice, f'n{index}')
    create(people.bob, 'other')
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, 'before_cursor_execute', remember)
    try:
        html = client.get('/notifications/').get_data(as_text=True)
    finally:
        event.remove(db.engine, 'before_cursor_execute', remember)
    assert badge(html) == '3'
    unread_counts = [s for s in statements if 'count(' in s.lower() and 'read_at IS NULL' in s]
    assert len(unread_counts) == 1
    with atomic():
        notify([people.alice.id], kind='x', text='t', source='more')
    assert badge(client.get('/cards/').get_data(as_text=True)) == '4'


def test_opening_marks_read_and_goes_to_the_object(client, people):
    notification_id = create(people.alice, 'a', url='/cards/5?tab=files')
    login(client, people.alice)
    response = client.post(f'/notifications/{notification_id}/open')
    assert response.status_code == 302
    assert response.headers['Location'] == '/cards/5?tab=files'
    assert read_at(notification_id) is not None
    without_link = create(people.alice, 'b', url='')
    response = client.post(f'/notifications/{without_link}/open')
    assert response.headers['Location'] == '/notifications/'


def test_someone_elses_notification_is_404_and_stays_unread(client, people):
    theirs = create(people.bob, 'b')
    create(people.other_org_user, 'c')
    login(client, people.alice)
    assert client.post(f'/notifications/{theirs}/open').status_code == 404
    assert client.post(f'/notifications/{theirs}/read').status_code == 404
    assert client.post('/notifications/99999999999999999999/read').status_code == 404
    assert read_at(theirs) is None
    client.post('/notifications/read-all')
    assert unread_count(people.bob) == 1
    assert unread_count(people.other_org_user) == 1


def test_mark_one_and_mark_all_read(client, people):
    first, second = create(people.alice, 'a'), create(people.alice, 'b')
    login(client, people.alice)
    response = client.post(f'/notifications/{first}/read', data={'next': '/notifications/?unread=1'})
    assert response.headers['Location'] == '/notifications/?unread=1'
    assert read_at(first) is not None
    assert read_at(second) is None
    response = client.post('/notifications/read-all', data={'next': 'https://evil.example/'})
    assert response.headers['Location'] == '/notifications/'
    assert unread_count(people.alice) == 0
    assert 'Непрочитанных уведомлений нет.' in client.get('/notifications/?unread=1').get_data(as_text=True)


def test_pages_of_the_list(client, people, app, monkeypatch):
    monkeypatch.setitem(app.config, 'PAGE_SIZE', 2)
    for index in range(5):
        create(people.alice, f'n{index}', text=f'Уведомление {index}')
    login(client, people.alice)
    first = client.get('/notifications/').get_data(as_text=True)
    assert 'Уведомление 4' in first
    assert 'Уведомление 0' not in first
    assert 'rel="next"' in first
    last = client.get('/notifications/?page=3').get_data(as_text=True)
    assert 'Уведомление 0' in last
    assert 'rel="next"' not in last


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get('/notifications/')
    assert response.status_code == 302
    assert '/login' in response.headers['Location']


@pytest.mark.parametrize('path', ['/notifications/read-all', '/notifications/{id}/read', '/notifications/{id}/open'])
def test_forms_need_the_csrf_token(client, people, app, monkeypatch, path):
    notification_id = create(people.alice, 'a')
    monkeypatch.setitem(app.config, 'WTF_CSRF_ENABLED', True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get('/login').get_data(as_text=True)).group(1)
    fields = {'organization_id': people.alice.organization_id, 'login': people.alice.login, 'password': PASSWORD}
    client.post('/login', data={**fields, 'csrf_token': token})
    assert client.post(path.format(id=notification_id)).status_code == 400
    assert read_at(notification_id) is None
    page = client.get('/notifications/').get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(path.format(id=notification_id), data={'csrf_token': token}).status_code == 302
    assert read_at(notification_id) is not None
