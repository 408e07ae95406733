"""The execution-discipline page: the filtered table and the SVG chart (no inline styles), the form coming back
filled with a Russian message for a bad period, the CSV (BOM, «;») and XLSX exports of the same data, and access
(managers, controllers, administrators; an executor gets 403)."""

import csv
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from edms.auth.models import User
from edms.core.clock import local_today
from edms.core.tx import atomic
from edms.directory.models import Department
from edms.resolutions.operations import issue_resolution
from tests.factories import executor_item, login, make_card, make_department, make_organization, make_user, working_day


@dataclass
class Office:
    department: Department
    manager: User
    controller: User
    executor: User
    colleague: User


@pytest.fixture
def office(app_ctx) -> Office:
    """Two executors of «Отдел писем» with three assignments in work (deadline in ten working days)."""
    with atomic():
        organization = make_organization()
        department = make_department(organization, 'Отдел писем', 'ОП')
        office = Office(
            department,
            make_user(organization, 'manager'),
            make_user(organization, 'controller'),
            make_user(organization, 'executor', department_id=department.id, last_name='Иванов'),
            make_user(organization, 'executor', department_id=department.id, last_name='Петров'),
        )
        card = make_card(make_user(organization, 'clerk'))
    for executor in (office.executor, office.executor, office.colleague):
        data = {'text': 'Ответить', 'executors': [executor_item(executor, responsible=True)]}
        with atomic():
            issue_resolution(office.manager, card, data)
    return office


def _period() -> dict[str, str]:
    return {'date_from': local_today().replace(month=1, day=1).isoformat(), 'date_to': working_day(30).isoformat()}


def test_the_page_shows_the_table_and_the_chart(client, office):
    login(client, office.manager)
    response = client.get('/reports/discipline', query_string={**_period(), 'department_id': office.department.id})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'Исполнительская дисциплина' in html
    assert '<svg' in html
    assert 'style=' not in html
    assert '<script>' not in html
    assert 'Иванов Тест' in html
    assert 'Петров Тест' in html
    assert 'Отдел писем' in html
    # Chart per executor of the chosen department: two bars, each «in work» segment with its tooltip.
    assert html.count('В работе, срок не истёк: 2</title>') == 1
    assert html.count('В работе, срок не истёк: 1</title>') == 1
    assert f'value="{_period()["date_from"]}"' in html
    assert f'<option value="{office.department.id}" selected>' in html
    assert '/reports/discipline.csv?' in html
    assert '/reports/discipline.xlsx?' in html


def test_without_a_filter_the_current_year_is_shown(client, office):
    login(client, office.controller)
    response = client.get('/reports/discipline')
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="{local_today().replace(month=1, day=1).isoformat()}"' in html


def test_a_bad_period_comes_back_filled_with_a_russian_message(client, office):
    login(client, office.manager)
    response = client.get('/reports/discipline', query_string={'date_from': '31.12.2026', 'date_to': '01.01.2026'})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Период по»: не раньше даты «Период с».' in html
    assert 'value="2026-12-31"' in html
    assert 'value="2026-01-01"' in html
    assert '<svg' not in html
    response = client.get('/reports/discipline', query_string={'date_from': 'вчера', 'date_to': ''})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Период с»: дата в формате ДД.ММ.ГГГГ.' in html
    assert 'value="вчера"' in html
    assert '«Период по»: обязательное поле.' in html


def test_csv_export_is_utf8_with_bom_and_semicolons(client, office):
    login(client, office.manager)
    response = client.get('/reports/discipline.csv', query_string=_period())
    assert response.status_code == 200
    assert response.mimetype == 'text/csv'
    assert 'attachment; filename="discipline-' in response.headers['Content-Disposition']
    assert response.data.startswith(b'\xef\xbb\xbf')
    rows = list(csv.reader(io.StringIO(response.data.decode('utf-8-sig')), delimiter=';'))
    assert rows[0][:3] == ['Подразделение', 'Исполнитель', 'Поручено']
    assert ['Отдел писем', 'Иванов Тест', '2', '0', '0', '0', '2', ''] in [row[:8] for row in rows]
    assert rows[-1][:7] == ['Всего по организации', '', '3', '0', '0', '0', '3']


def test_xlsx_export_parses_back_with_the_same_numbers(client, office):
    login(client, office.manager)
    response = client.get('/reports/discipline.xlsx', query_string=_period())
    assert response.status_code == 200
    assert response.mimetype == 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith('Исполнительская дисциплина за ')
    assert rows[1][:3] == ['Подразделение', 'Исполнитель', 'Поручено']
    assert ['Отдел писем', 'Петров Тест', 1, 0, 0, 0, 1, None] in rows
    assert rows[-1][:7] == ['Всего по организации', None, 3, 0, 0, 0, 3]


def test_an_export_with_a_bad_period_is_refused(client, office):
    login(client, office.manager)
    response = client.get('/reports/discipline.csv', query_string={'date_from': '01.01.2026'})
    assert response.status_code == 422
    assert '«Период по»: обязательное поле.' in response.get_data(as_text=True)


@pytest.mark.parametrize('path', ['/reports/discipline', '/reports/discipline.csv', '/reports/discipline.xlsx'])
def test_an_executor_gets_403(client, office, path):
    login(client, office.executor)
    response = client.get(path, query_string=_period())
    assert response.status_code == 403
    assert 'руководителям, контролёрам и администраторам' in response.get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, office):
    response = client.get('/reports/discipline')
    assert response.status_code == 302
    assert '/login' in response.headers['Location']


def test_the_navbar_links_the_report_for_those_who_may_see_it(client, office):
    login(client, office.controller)
    assert 'href="/reports/discipline">Исполнительская дисциплина</a>' in client.get('/cards/').get_data(as_text=True)
    client.post('/logout')
    login(client, office.executor)
    assert 'Исполнительская дисциплина' not in client.get('/cards/').get_data(as_text=True)
