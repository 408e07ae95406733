"""A qualified signature in a real browser, on the demo data: the demo manager (given the СНИЛС of the test PKI's
RSA user; the demo ministry carries the PKI's ОГРН and ИНН ЮЛ) imports the test PKCS#12 on «Мои сертификаты», signs
a file of a card on the «Файлы» tab, sees «Подпись действительна», opens the report and downloads it as a PDF and the
signature as `<file>.sig` — with no Content Security Policy violations.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from edms.auth.models import User
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.registry.models import Card
from edms.registry.operations import add_attachment
from scripts.make_test_pki import MINISTRY, TestPki
from tests.browser.steps import flash, log_in, watch_console
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.store_setup import DOCUMENT, install_trust

SUMMARY = 'О предоставлении сведений о подключении организаций к межведомственной системе'
FILENAME = 'Сведения.pdf'


@pytest.fixture
def signing_ready(browser_app: Flask, demo_data: str, test_pki: TestPki) -> Path:  # noqa: F811
    """The test PKI's CAs in the trust store, the manager's СНИЛС, a file on the letter; returns the .p12 path."""
    with browser_app.app_context():
        install_trust(test_pki)
        with atomic():
            ministry = db.session.execute(
                select(Organization).where(Organization.ogrn == MINISTRY['ogrn'])
            ).scalar_one()
            staff = {
                user.login: user
                for user in db.session.execute(select(User).where(User.organization_id == ministry.id)).scalars()
            }
            staff['manager'].snils = test_pki.users['rsa'].profile['snils']
            card = db.session.execute(select(Card).where(Card.summary == SUMMARY)).scalar_one()
            add_attachment(staff['clerk'], card, io.BytesIO(DOCUMENT), FILENAME)
    path = test_pki.users['rsa'].p12
    assert path is not None
    return path


def _import_container(page: Any, base_url: str, p12: Path) -> None:
    page.get_by_role('link', name='Мои сертификаты').click()
    page.wait_for_url(f'{base_url}/certificates/')
    page.get_by_label('Контейнер ключа (.pfx, .p12)').set_input_files(str(p12))
    page.get_by_label('Пароль к контейнеру').fill('неверный')
    page.get_by_role('button', name='Добавить контейнер').click()
    assert 'Неверный пароль' in page.locator('#f-password + .invalid-feedback').inner_text()
    assert page.get_by_label('Пароль к контейнеру').input_value() == ''
    page.get_by_label('Контейнер ключа (.pfx, .p12)').set_input_files(str(p12))
    page.get_by_label('Пароль к контейнеру').fill('test123')
    page.get_by_role('button', name='Добавить контейнер').click()
    page.wait_for_url(re.compile(r'/certificates/\d+$'))
    flash(page, 'добавлен')
    assert MINISTRY['ogrn'] in page.locator('[data-field="ОГРН"]').inner_text()
    assert 'КС1' in page.locator('[data-field="Класс средства ЭП"]').inner_text()


def _sign_the_file(page: Any) -> Any:
    page.get_by_role('link', name='Документы', exact=True).click()
    page.locator('table.table-cards tbody tr').filter(has_text=SUMMARY).get_by_role('link').first.click()
    page.wait_for_url(re.compile(r'/cards/\d+$'))
    page.get_by_role('tab', name=re.compile(r'^Файлы')).click()
    row = page.locator('tr.attachment-signatures')
    row.locator('summary', has_text='Подписать').click()
    # the demo manager also holds the demo PKI's certificate: choose the imported one
    choice = row.get_by_label('Сертификат')
    choice.select_option(choice.locator('option', has_text='Иванов').get_attribute('value'))
    row.get_by_label('Пароль к контейнеру ключа').fill('test123')
    row.get_by_role('button', name='Подписать файл').click()
    flash(page, 'Подпись действительна')
    signatures = page.locator('tr.attachment-signatures .signature-list')
    assert 'Подпись действительна' in signatures.inner_text()
    assert 'Иванов Иван Иванович' in signatures.inner_text()
    return signatures


@pytest.mark.browser
def test_manager_imports_a_container_signs_a_file_and_downloads_the_report(
    page: Any, live_server: str, signing_ready: Path, tmp_path: Path
) -> None:
    csp_errors, page_errors = watch_console(page)
    log_in(page, live_server, 'manager')
    _import_container(page, live_server, signing_ready)
    signatures = _sign_the_file(page)

    with page.expect_download() as sig_download:
        signatures.get_by_role('link', name='Файл подписи (.sig)').click()
    assert sig_download.value.suggested_filename == f'{FILENAME}.sig'
    assert Path(sig_download.value.path()).read_bytes()[:1] == b'\x30'

    signatures.get_by_role('link', name='Протокол проверки').click()
    page.wait_for_url(re.compile(r'/signatures/verifications/\d+$'))
    assert page.locator('[data-verdict]').get_attribute('data-verdict') == 'valid'
    assert 'Подпись действительна' in page.locator('.signature-report').inner_text()
    with page.expect_download() as pdf_download:
        page.get_by_role('link', name='Скачать протокол (PDF)').click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b'%PDF-')
    assert pdf_download.value.suggested_filename.endswith('.pdf')
    assert csp_errors == []
    assert page_errors == []
