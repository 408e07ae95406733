"""Execution of an incoming letter in a real browser, on the demo data: the assistant drafts a resolution for the
manager, the manager approves it from the cabinet folder, the co-executor reports with a file, the responsible
executor accepts that report and reports himself, the controller accepts and removes the resolution from control,
and the card shows «Исполнено» (a notification's link opens the card's «Резолюции» tab); and the cabinet and
«Мои поручения» on a phone-sized screen without horizontal scrolling.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from tests.browser.steps import flash, log_in, nav, watch_console

SUMMARY = 'О предоставлении сведений о подключении организаций к межведомственной системе'
TEXT = 'Подготовить сведения о подключённых организациях и направить ответ'
PDF = b'%PDF-1.4\n1 0 obj << /Title (Spravka) >> endobj\ntrailer <<>>\n%%EOF\n'


@pytest.fixture
def deadline(browser_app: Flask) -> str:
    """The tenth working day from today by the production calendar (the deadline typed into the form)."""
    with browser_app.app_context():
        return business_calendar().add_working_days(local_today(), 10).date.isoformat()


def _assistant_drafts(page: Any, base_url: str, deadline: str) -> str:
    """From the card list to the card's «Резолюции» tab and the draft form; returns the card's URL."""
    log_in(page, base_url, 'assistant')
    row = page.locator('table.table-cards tbody tr').filter(has_text=SUMMARY)
    row.get_by_role('link').first.click()
    page.wait_for_url(re.compile(r'/cards/\d+$'))
    card_url = page.url
    page.get_by_role('tab', name=re.compile(r'^Резолюции')).click()
    page.get_by_role('link', name='Подготовить проект резолюции').click()
    page.get_by_label('Руководитель').select_option(label='Руководителев И.С. — Общий отдел')
    page.get_by_label('Текст резолюции').fill(TEXT)
    page.get_by_label('Исполнитель (1)').select_option(label='Исполнителев П.А. — Общий отдел')
    page.get_by_label('Ответственный (1)').check()
    page.get_by_label('Срок исполнения (1)').fill(deadline)
    page.get_by_label('Исполнитель (2)').select_option(label='Соисполнителев О.Н. — Общий отдел')
    page.get_by_label('Срок исполнения (2)').fill(deadline)
    page.get_by_label('На контроле').check()
    page.get_by_label('Контролёр').select_option(label='Контролёрова Е.О. — Общий отдел')
    page.get_by_role('button', name='Направить руководителю').click()
    page.wait_for_url(re.compile(r'/cards/\d+\?tab=resolutions#resolution-\d+$'))
    flash(page, 'Проект резолюции направлен руководителю')
    return card_url


def _manager_approves_from_the_folder(page: Any, base_url: str) -> None:
    log_in(page, base_url, 'manager')
    nav(page, 'Кабинет руководителя')
    page.wait_for_url(f'{base_url}/cabinet/')
    item = page.locator('#folder-items .list-group-item').filter(has_text=SUMMARY)
    assert TEXT in item.inner_text()
    item.get_by_role('button', name=re.compile(r'^Утвердить')).click()
    page.wait_for_url(f'{base_url}/cabinet/review')
    flash(page, 'утверждена и подписана простой ЭП')
    assert page.locator('#folder-items .list-group-item').filter(has_text=SUMMARY).count() == 0


def _co_executor_reports_with_a_file(page: Any, base_url: str) -> None:
    log_in(page, base_url, 'coexecutor')
    nav(page, 'Мои поручения')
    item = page.locator('#assignments .list-group-item').filter(has_text=SUMMARY)
    item.locator('summary', has_text='Отчитаться об исполнении').click()
    item.get_by_label('Текст отчёта').fill('Сведения подготовлены, справка прилагается')
    item.get_by_label(re.compile(r'^Файлы отчёта')).set_input_files(
        files=[{'name': 'Справка.pdf', 'mimeType': 'application/pdf', 'buffer': PDF}]
    )
    item.get_by_role('button', name='Направить отчёт').click()
    flash(page, 'Отчёт об исполнении направлен: ответственному исполнителю')


def _responsible_accepts_and_reports(page: Any, base_url: str, card_url: str) -> None:
    log_in(page, base_url, 'executor')
    nav(page, 'Мои поручения')
    item = page.locator('#assignments .list-group-item').filter(has_text=SUMMARY)
    item.get_by_role('link', name='Карточка и резолюции').click()
    page.wait_for_url(re.compile(re.escape(card_url) + r'\?tab=resolutions#assignment-\d+$'))
    report = page.locator('[id^="report-"]').filter(has_text='Сведения подготовлены')
    assert report.get_by_role('link', name='Справка.pdf').is_visible()
    report.get_by_role('button', name='Принять отчёт').click()
    flash(page, 'Отчёт принят: поручение исполнено')
    page.locator('summary', has_text='Отчитаться об исполнении').click()
    page.get_by_label('Текст отчёта').fill('Ответ направлен в УФНС')
    page.get_by_role('button', name='Направить отчёт').click()
    flash(page, 'Отчёт об исполнении направлен: контролёру')


def _controller_closes_control(page: Any, base_url: str) -> None:
    log_in(page, base_url, 'controller')
    nav(page, 'Кабинет руководителя')
    page.locator('[data-folder="control"]').click()
    page.wait_for_url(f'{base_url}/cabinet/control')
    item = page.locator('#folder-items .list-group-item').filter(has_text=SUMMARY)
    item.get_by_role('link', name='Открыть документ').click()
    page.get_by_role('button', name='Принять отчёт').click()
    flash(page, 'Отчёт принят')
    page.get_by_label('Отметка об исполнении').fill('Ответ направлен, вопрос решён')
    page.get_by_role('button', name='Снять с контроля').click()
    flash(page, 'Резолюция снята с контроля')


@pytest.mark.browser
def test_resolution_from_draft_to_executed_card(page: Any, live_server: str, deadline: str) -> None:
    csp_errors, page_errors = watch_console(page)

    card_url = _assistant_drafts(page, live_server, deadline)
    _manager_approves_from_the_folder(page, live_server)
    _co_executor_reports_with_a_file(page, live_server)
    _responsible_accepts_and_reports(page, live_server, card_url)
    _controller_closes_control(page, live_server)

    page.goto(card_url)
    assert 'Исполнен' in page.locator('h1 + div').inner_text()
    page.get_by_role('tab', name=re.compile(r'^Резолюции')).click()
    resolution = page.locator('article').filter(has_text=TEXT)
    assert 'Исполнено' in resolution.locator('.card-header').inner_text()
    assert 'Подписано простой ЭП: Руководителев Игорь Сергеевич' in resolution.inner_text()
    assert 'Отметка об исполнении: Ответ направлен, вопрос решён' in resolution.inner_text()
    # A notification's link (/cards/<id>#resolution-<id>) opens the «Резолюции» tab at the resolution.
    anchor = resolution.get_attribute('id')
    page.goto(f'{live_server}/assignments/')
    page.goto(f'{card_url}#{anchor}')
    page.locator(f'#{anchor}').wait_for(state='visible')
    assert not page.locator('#pane-details').is_visible()
    assert csp_errors == []
    assert page_errors == []


@pytest.mark.browser
def test_cabinet_fits_a_phone_screen(page: Any, live_server: str) -> None:
    csp_errors, page_errors = watch_console(page)
    page.set_viewport_size({'width': 390, 'height': 844})
    log_in(page, live_server, 'manager')
    page.get_by_role('button', name='Меню').click()
    nav(page, 'Кабинет руководителя')
    page.wait_for_url(f'{live_server}/cabinet/')
    items = page.locator('#folder-items .list-group-item')
    assert items.count() >= 2
    assert items.first.get_by_role('button', name=re.compile(r'^Утвердить')).is_visible()
    for url in ('/cabinet/', '/cabinet/overdue', '/assignments/'):
        page.goto(f'{live_server}{url}')
        width = page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')
        assert width[0] <= width[1] == 390, (url, width)
    assert csp_errors == []
    assert page_errors == []
