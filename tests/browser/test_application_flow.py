"""A public-service application in a real browser, on the demo data: a citizen with a portal account files a temporary
registration (every field typed, dates ДД.ММ.ГГГГ) — first without the passport series and the files, and gets every
problem listed at once with the typed values kept — then with the passport scan, the lease and the owner's consent
with its detached CMS signature made here by a qualified certificate of the test PKI; sees «В обработке» with the
application's number. The migration service's demo manager (his demo qualified certificate, bound at load time) opens
«Заявления граждан», approves and signs with the container's password; the applicant sees «Одобрено», downloads the
certificate, and `pdfsig` finds its signature valid and the demo root trusted.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask
from sqlalchemy import select

from edms.citizen_services.models import ServiceProvider
from edms.citizen_services.operations import create_provider
from edms.citizen_services.rules.fields import flatten
from edms.core.access import SYSTEM
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from edms.signatures.models import TrustedCertificate
from scripts.make_test_pki import TestPki
from tests.browser.steps import DEMO_PASSWORD, flash, log_in, nav, watch_console
from tests.citizen_services import samples
from tests.factories import PASSWORD, make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.pdf_helpers import make_pdf, nss_database, pdfsig, pdftotext
from tests.signatures.store_setup import install_trust

SERVICE = 'Регистрация по месту пребывания'
#: The test's own portal (the demo's citizen, if the demo has one, keeps to the demo's applications).
PORTAL = 'Тестовый портал госуслуг'
AGENCY = 'УВМ МВД Энской обл.'
DEMO_ROOT = 'Демонстрационный головной УЦ'
#: The owner of the premises signs the consent now: the test PKI's ECDSA person, a qualified certificate of the
#: accredited test CA valid from 30 days before the session to a year after it (valid when signed and when sent).
#: The service's rule dates the consent by its signing time: not earlier than 30 days before the stay's start.
OWNER = 'ec'
MISSING = 'applicant.passport.series'
NUMBER = re.compile(r'З-\d{4}-\d{6}')


@dataclass(frozen=True)
class Flow:
    """What the test set up: the typed values, the files by input name, the NSS database trusting the demo root."""

    values: dict[str, str]
    files: dict[str, dict[str, Any]]
    nssdb: str


def png(width: int = 8, height: int = 8) -> bytes:
    """A small valid grey PNG (the passport page's scan)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

    rows = b''.join(b'\x00' + bytes([0x80] * width) for _ in range(height))
    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')


def typed_values() -> dict[str, str]:
    """Every field of the sample application, the stay starting in three days for 90 days (the consent, signed now,
    is within the 30 days before the start that the service allows)."""
    data = samples.temporary_registration()
    start = local_today() + timedelta(days=3)
    data['stay']['start_date'] = samples.ru(start)
    data['stay']['end_date'] = samples.ru(start + timedelta(days=89))
    data['owner'] = {
        'last_name': 'Петрова',
        'first_name': 'Мария',
        'middle_name': 'Сергеевна',
        'passport': {'series': '4612', 'number': '654321', 'issue_date': '01.02.2015'},
    }
    return {name: str(value) for name, value in flatten(data).items()}


def attached_files(pki: TestPki) -> dict[str, dict[str, Any]]:
    """The files as the applicant chooses them: the scan (PNG), the lease (PDF), the consent (PDF) and its detached
    CMS signature by the owner's qualified certificate."""
    consent = make_pdf(2)
    key = load_private_key(pki.users[OWNER].key_der.read_bytes())
    signature = sign_detached(consent, key, pki.user_der(OWNER), pki.chain_ders(OWNER), signing_time=datetime.now(UTC))
    return {
        'files.identity_document': {'name': 'паспорт.png', 'mimeType': 'image/png', 'buffer': png()},
        'files.residence_right': {'name': 'договор.pdf', 'mimeType': 'application/pdf', 'buffer': make_pdf(1)},
        'files.owner_consent': {'name': 'согласие.pdf', 'mimeType': 'application/pdf', 'buffer': consent},
        'signatures.owner_consent': {
            'name': 'согласие.pdf.sig',
            'mimeType': 'application/pkcs7-signature',
            'buffer': signature,
        },
    }


@pytest.fixture
def flow(browser_app: Flask, demo_data: str, test_pki: TestPki, tmp_path: Path) -> Flow:  # noqa: F811
    """The demo migration service provides the service, a portal with its applicant, the test PKI trusted (it
    verifies the owner's signature), and an NSS database trusting the demo root (it certifies the official)."""
    with browser_app.app_context():
        install_trust(test_pki)
        with atomic():
            agency = db.session.execute(select(Organization).where(Organization.short_name == AGENCY)).scalar_one()
            provided = select(ServiceProvider.id).where(
                ServiceProvider.service_code == 'temporary_registration', ServiceProvider.organization_id == agency.id
            )
            if db.session.execute(provided).first() is None:  # a demo without its public services
                create_provider(SYSTEM, {'service_code': 'temporary_registration', 'organization_id': agency.id})
            portal = make_organization(PORTAL, kind='portal', short_name=PORTAL, with_journals=False)
            make_user(portal, 'applicant', login='petrov', snils=samples.SNILS_DIGITS, inn=samples.INN_PERSON)
        root = db.session.execute(
            select(TrustedCertificate).where(TrustedCertificate.is_root, TrustedCertificate.subject.contains(DEMO_ROOT))
        ).scalar_one()
        root_pem = tmp_path / 'demo-root.pem'
        root_pem.write_bytes(x509.load_der_x509_certificate(root.certificate_der).public_bytes(Encoding.PEM))
    return Flow(typed_values(), attached_files(test_pki), nss_database(tmp_path / 'nss', root_pem))


def _field(page: Any, name: str) -> Any:
    return page.locator(f'form [name="{name}"]')


def _type(page: Any, values: dict[str, str]) -> None:
    """Each value into its input (a choice selected by its value), as the applicant would."""
    for name, value in values.items():
        field = _field(page, name)
        if field.evaluate('element => element.tagName') == 'SELECT':
            field.select_option(value)
        else:
            field.fill(value)


def _file_without_series_and_files(page: Any, base_url: str, values: dict[str, str]) -> None:
    """The refused attempt: every problem listed at the top, each input keeping what was typed."""
    _type(page, {name: value for name, value in values.items() if name != MISSING})
    page.get_by_role('button', name='Подать заявление').click()
    problems = page.locator('#problems')
    problems.wait_for()
    assert page.url == f'{base_url}/applications/new?service=temporary_registration'
    listed = problems.locator('li').all_inner_texts()
    assert f'Исправьте ошибки ({len(listed)})' in problems.inner_text()
    expected = (
        '«Серия паспорта»: обязательное поле',
        '«Документ, удостоверяющий личность',
        '«Документ о праве пользования помещением',
        '«Согласие собственника помещения»: приложите файл',
        '«Подпись собственника под согласием»: требуется',
    )
    for text in expected:
        assert any(text in item for item in listed), (text, listed)
    assert len(listed) == len(expected), listed  # nothing typed correctly is reported
    assert '«Серия паспорта»' in page.locator('#f-applicant-passport-series + .invalid-feedback').inner_text()
    for name, value in values.items():
        if name != MISSING:
            assert _field(page, name).input_value() == value, name
    assert _field(page, MISSING).input_value() == ''


def _applicant_files(page: Any, base_url: str, flow: Flow) -> str:
    """From the portal's menu to the filed application; returns its number."""
    log_in(page, base_url, 'petrov', organization=PORTAL, password=PASSWORD, lands_on='/applications')
    nav(page, 'Подать заявление')
    page.locator('a[href="/applications/new?service=temporary_registration"]').click()  # the form, not the XML upload
    page.wait_for_url(f'{base_url}/applications/new?service=temporary_registration')
    assert page.locator('#f-stay-start_date').get_attribute('placeholder') == 'ДД.ММ.ГГГГ'
    _file_without_series_and_files(page, base_url, flow.values)

    _field(page, MISSING).fill(flow.values[MISSING])
    for name, payload in flow.files.items():
        _field(page, name).set_input_files(payload)
    page.get_by_role('button', name='Подать заявление').click()
    page.wait_for_url(re.compile(r'/applications/\d+$'))
    number = NUMBER.search(page.get_by_role('heading', level=1).inner_text())
    assert number is not None
    flash(page, f'Заявление № {number.group()} подано.')
    assert page.locator('#status').inner_text() == 'В обработке'
    shown = page.locator('body').inner_text()
    for name in ('паспорт.png', 'договор.pdf', 'согласие.pdf'):
        assert name in shown, name
    return number.group()


def _official_approves(page: Any, base_url: str, number: str) -> None:
    log_in(page, base_url, 'manager', organization=AGENCY)
    nav(page, 'Заявления граждан')
    page.wait_for_url(f'{base_url}/agency/applications/')
    page.get_by_role('link', name=number, exact=True).click()
    page.wait_for_url(re.compile(r'/agency/applications/\d+$'))
    assert page.locator('#application-status').inner_text() == 'В обработке'
    form = page.locator('#approve-form')
    [certificate] = form.get_by_label('Сертификат').locator('option').all_text_contents()
    assert certificate.startswith('Начальников Виктор Павлович')  # the manager's demo certificate
    form.get_by_label('Пароль к контейнеру ключа').fill(DEMO_PASSWORD)
    form.get_by_role('button', name='Одобрить и подписать').click()
    flash(page, 'подписан и направлен заявителю')
    assert page.locator('#application-status').inner_text() == 'Одобрено'


def _applicant_downloads(page: Any, base_url: str, number: str) -> bytes:
    log_in(page, base_url, 'petrov', organization=PORTAL, password=PASSWORD, lands_on='/applications')
    nav(page, 'Мои заявления')
    page.get_by_role('link', name=number, exact=True).click()
    page.wait_for_url(re.compile(r'/applications/\d+$'))
    assert page.locator('#status').inner_text() == 'Одобрено'
    assert 'Свидетельство о регистрации по месту пребывания' in page.locator('#result').inner_text()
    with page.expect_download() as download:
        page.locator('#result').get_by_role('link').click()
    assert download.value.suggested_filename == 'Свидетельство о регистрации по месту пребывания (подписан).pdf'
    return Path(download.value.path()).read_bytes()


@pytest.mark.browser
def test_applicant_files_official_approves_and_signs_applicant_downloads_a_valid_certificate(
    page: Any, live_server: str, flow: Flow, tmp_path: Path
) -> None:
    csp_errors, page_errors = watch_console(page)
    number = _applicant_files(page, live_server, flow)
    _official_approves(page, live_server, number)
    certificate = _applicant_downloads(page, live_server, number)

    assert certificate.startswith(b'%PDF-')
    [found] = pdfsig(certificate, tmp_path, flow.nssdb)
    assert found['Signature Validation'] == 'Signature is Valid.', found
    assert found['Certificate Validation'] == 'Certificate is Trusted.', found
    text = pdftotext(certificate, tmp_path)
    assert 'Выдано: Петров Пётр Петрович' in text
    stay = f'Срок регистрации: с {flow.values["stay.start_date"]} по {flow.values["stay.end_date"]}'
    assert stay in text
    assert csp_errors == []
    assert page_errors == []
