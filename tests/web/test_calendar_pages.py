"""The working-day calendar page: the year view, access, the deadline form and the administrator's changes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from edms.auth.models import User
from edms.core.calendar import invalidate_calendar
from edms.core.calendar.models import CalendarDay
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.factories import PASSWORD, login, make_organization, make_user


@pytest.fixture
def org(app_ctx: Flask) -> Iterator[Organization]:
    invalidate_calendar()
    with atomic():
        organization = make_organization()
    yield organization
    invalidate_calendar()


@pytest.fixture
def operator(org: Organization) -> User:
    with atomic():
        user = make_user(org, 'administrator', is_system_admin=True)
    return user


@pytest.fixture
def operator_client(client: FlaskClient, operator: User) -> FlaskClient:
    login(client, operator)
    return client


def deadline_result(page: str) -> str:
    match = re.search(r'Срок: <strong>([\d.]+)</strong>', page)
    assert match, 'no deadline on the page'
    return match.group(1)


def test_the_year_view_shades_every_kind_of_day_and_cites_the_decree(operator_client: FlaskClient) -> None:
    page = operator_client.get('/admin/calendar/?year=2026').get_data(as_text=True)
    assert 'Постановление Правительства РФ от 24.09.2025 № 1466' in page
    assert 'calendar.css' in page
    assert '<strong id="year-working-days">247</strong>' in page
    assert 'data-date="2026-01-07" data-kind="holiday"' in page
    assert 'data-date="2026-01-09" data-kind="transferred"' in page
    assert 'data-date="2026-01-10" data-kind="weekend"' in page
    assert 'data-date="2026-01-12" data-kind="working"' in page
    assert 'style=' not in page
    assert 'name="csrf_token"' in page
    saturday = operator_client.get('/admin/calendar/?year=2025').get_data(as_text=True)
    assert 'data-date="2025-11-01" data-kind="working_weekend"' in saturday
    assert 'не включено' in operator_client.get('/admin/calendar/?year=2027').get_data(as_text=True)
    assert 'нет данных производственного календаря' in operator_client.get('/admin/calendar/?year=2031').get_data(
        as_text=True
    )


def test_the_admin_start_page_links_to_the_calendar(operator_client: FlaskClient) -> None:
    assert '/admin/calendar/' in operator_client.get('/admin/').get_data(as_text=True)


def test_non_administrators_are_refused_and_organization_administrators_only_read(
    client: FlaskClient, org: Organization
) -> None:
    with atomic():
        clerk = make_user(org, 'clerk')
        admin = make_user(org, 'administrator')
    login(client, clerk)
    assert client.get('/admin/calendar/').status_code == 403
    client.post('/logout')
    login(client, admin)
    page = client.get('/admin/calendar/?year=2026').get_data(as_text=True)
    assert 'Изменять календарь может только администратор системы.' in page
    data = {'day': '11.01.2027', 'is_working': '0', 'note': 'Перенос'}
    assert client.post('/admin/calendar/', data=data).status_code == 403
    assert db.session.get(CalendarDay, date(2027, 1, 11)) is None


def test_the_deadline_form_counts_working_and_calendar_days(operator_client: FlaskClient) -> None:
    page = operator_client.get('/admin/calendar/?start=03.03.2026&days=10&unit=working').get_data(as_text=True)
    assert deadline_result(page) == '18.03.2026'
    assert 'Международный женский день' in page
    url = '/admin/calendar/?start=05.03.2026&days=30&unit=calendar&roll=backward'
    page = operator_client.get(url).get_data(as_text=True)
    assert deadline_result(page) == '03.04.2026'
    assert 'предшествующий рабочий день' in page


def test_bad_deadline_input_comes_back_with_russian_messages(operator_client: FlaskClient) -> None:
    response = operator_client.get('/admin/calendar/?start=31.02.2026&days=десять&unit=working')
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Дата начала отсчёта»: дата в формате ДД.ММ.ГГГГ.' in page
    assert '«Количество дней»: ожидается целое число.' in page
    assert 'value="31.02.2026"' in page


def test_setting_a_day_changes_a_deadline_and_clearing_restores_it(operator_client: FlaskClient) -> None:
    url = '/admin/calendar/?start=08.01.2027&days=1&unit=working'
    assert deadline_result(operator_client.get(url).get_data(as_text=True)) == '11.01.2027'
    data = {'day': '11.01.2027', 'is_working': '0', 'note': 'Перенос с 02.01.2027'}
    response = operator_client.post('/admin/calendar/', data=data)
    assert response.status_code == 302
    assert response.headers['Location'].endswith('year=2027')
    page = operator_client.get(url).get_data(as_text=True)
    assert deadline_result(page) == '12.01.2027'
    assert 'Перенос с 02.01.2027 (изменение администратора)' in page
    assert 'data-date="2027-01-11" data-kind="transferred"' in operator_client.get(
        '/admin/calendar/?year=2027'
    ).get_data(as_text=True)
    assert operator_client.post('/admin/calendar/', data={'day': '2027-01-11', 'action': 'clear'}).status_code == 302
    assert deadline_result(operator_client.get(url).get_data(as_text=True)) == '11.01.2027'


def test_bad_day_input_comes_back_filled_with_the_message(operator_client: FlaskClient) -> None:
    response = operator_client.post('/admin/calendar/', data={'day': '11.01.2027', 'is_working': '0', 'note': ''})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Основание»: обязательное поле.' in page
    assert 'value="11.01.2027"' in page
    response = operator_client.post('/admin/calendar/', data={'day': '12.01.2027', 'is_working': '1', 'note': 'x'})
    assert 'и так рабочий день' in response.get_data(as_text=True)
    assert db.session.get(CalendarDay, date(2027, 1, 11)) is None


def test_changing_a_day_needs_the_csrf_token_of_the_form(
    client: FlaskClient, operator: User, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, 'WTF_CSRF_ENABLED', True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get('/login').get_data(as_text=True)).group(1)
    credentials = {'organization_id': operator.organization_id, 'login': operator.login, 'password': PASSWORD}
    client.post('/login', data={**credentials, 'csrf_token': token})
    data = {'day': '11.01.2027', 'is_working': '0', 'note': 'Перенос'}
    assert client.post('/admin/calendar/', data=data).status_code == 400
    assert db.session.get(CalendarDay, date(2027, 1, 11)) is None
    page = client.get('/admin/calendar/?year=2027').get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post('/admin/calendar/', data={**data, 'csrf_token': token}).status_code == 302
    assert db.session.get(CalendarDay, date(2027, 1, 11)) is not None
