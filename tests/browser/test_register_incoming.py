"""The clerk's main path in a real browser: log in, register an incoming letter with a PDF, find it in the list by
its registration number, open it and download the file byte for byte, with no Content Security Policy violations.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.steps import log_in, nav, watch_console

LOGIN = 'clerk'
FILENAME = 'Входящее письмо.pdf'


def _pdf(marker: str) -> bytes:
    """A small PDF-looking file; the NUL and high bytes keep it from being taken for text."""
    return b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Marker (' + marker.encode() + b') >>\nendobj\n\x00\n%%EOF\n'


def _register_incoming(page: Any, base_url: str, word: str, pdf: bytes) -> str:
    """Fill and submit the registration form; returns the registration number shown after the redirect."""
    nav(page, 'Зарегистрировать')
    page.wait_for_url(f'{base_url}/cards/new')
    kind = page.get_by_label('Вид карточки')
    kind.select_option(label='Входящий')
    assert kind.input_value() == 'incoming'
    page.get_by_label('Вид документа').fill('Письмо')
    page.get_by_label('Краткое содержание').fill(f'О согласовании регламента {word}')
    page.get_by_label('Корреспондент', exact=True).fill('ООО «Ромашка»')
    page.get_by_label('Исходящий номер отправителя').fill('РМ-17/2')
    page.get_by_label('Дата документа отправителя').fill('2026-01-15')
    page.get_by_label('Количество листов').fill('2')
    page.get_by_label(re.compile(r'^Файл \(PDF')).set_input_files(
        files=[{'name': FILENAME, 'mimeType': 'application/pdf', 'buffer': pdf}]
    )
    page.get_by_role('button', name='Зарегистрировать', exact=True).click()
    page.wait_for_url(re.compile(r'/cards/\d+$'))
    flash = page.get_by_role('alert').filter(has_text='Документ зарегистрирован')
    match = re.search(r'№\s*(\S+)', flash.inner_text(timeout=TIMEOUT_MS))
    assert match, flash.inner_text()
    number = match.group(1)
    assert number in page.get_by_role('heading', level=1).inner_text()
    return number


def _find_and_open(page: Any, base_url: str, number: str, word: str) -> None:
    """Filter the list by the number; exactly one row, the new card, which is then opened."""
    page.get_by_role('navigation').get_by_role('link', name='Документы', exact=True).click()
    page.wait_for_url(f'{base_url}/cards/')
    page.get_by_label('Рег. номер').fill(number)
    page.get_by_role('button', name='Найти').click()
    page.wait_for_url(re.compile(r'/cards/\?.*number='))
    rows = page.locator('table.table-cards tbody tr')
    rows.first.wait_for()
    assert rows.count() == 1
    assert word in rows.first.inner_text()
    rows.first.get_by_role('link', name=number, exact=True).click()
    page.wait_for_url(re.compile(r'/cards/\d+$'))


def _download(page: Any) -> tuple[bytes, str]:
    """Open the files tab and download the attachment by its link."""
    page.get_by_role('tab', name=re.compile(r'^Файлы')).click()
    link = page.locator('#pane-files').get_by_role('link', name=FILENAME, exact=True)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        link.click()
    download = info.value
    assert download.failure() is None
    return Path(download.path()).read_bytes(), download.suggested_filename


@pytest.mark.browser
def test_clerk_registers_incoming_letter_with_pdf_and_downloads_it(page: Any, live_server: str) -> None:
    csp_errors, page_errors = watch_console(page)
    word = f'слово{uuid.uuid4().hex[:10]}'
    pdf = _pdf(word)

    log_in(page, live_server, LOGIN)
    number = _register_incoming(page, live_server, word, pdf)
    _find_and_open(page, live_server, number, word)
    data, suggested = _download(page)

    assert data == pdf
    assert suggested == FILENAME
    assert csp_errors == []
    assert page_errors == []
