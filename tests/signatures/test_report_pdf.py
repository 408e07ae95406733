"""The verification report as a PDF (render_report_pdf) and as the HTML partial templates/signatures/_report.html."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyhanko.pdf_utils.reader import PdfFileReader

from edms.signatures import pdf_fonts
from edms.signatures.crypto.report import CHECK_TITLES, Check, VerificationReport
from edms.signatures.pades import sign_pdf, validate_pdf
from edms.signatures.pdf_fonts import FontMissing, pt_sans, wrap
from edms.signatures.report_pdf import render_report_pdf
from edms.web import ru_date, ru_datetime
from scripts.make_test_pki import TestPki
from tests.signatures.pdf_helpers import bundle_of, make_pdf, pdftotext, trust_for

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC).replace(microsecond=0)
TITLE = 'Протокол проверки электронной подписи'


@pytest.fixture(scope='module')
def reports(test_pki: TestPki) -> dict[str, VerificationReport]:
    """A valid, an invalid (revoked signer), an indeterminate (no CRLs) and a not-a-signature report."""
    valid = sign_pdf(make_pdf(), bundle_of(test_pki, 'rsa'), signing_time=NOW)
    revoked = sign_pdf(make_pdf(), bundle_of(test_pki, 'revoked'), signing_time=NOW)
    return {
        'valid': validate_pdf(valid, trust_for(test_pki)),
        'invalid': validate_pdf(revoked, trust_for(test_pki)),
        'indeterminate': validate_pdf(valid, trust_for(test_pki, crls=False)),
        'garbage': validate_pdf(b'garbage', trust_for(test_pki)),
    }


def _render(report: VerificationReport) -> bytes:
    return render_report_pdf(
        report,
        title=TITLE,
        file_name='Приказ № 15 от 02.03.2026.pdf',
        file_sha256=hashlib.sha256(b'document').hexdigest(),
        checked_by='Иванова Анна Петровна, делопроизводитель',
    )


def test_the_report_pdf_lists_the_verdict_the_signer_and_every_check_in_russian(
    reports: dict[str, VerificationReport], test_pki: TestPki, tmp_path: Path
) -> None:
    report = reports['valid']
    text = pdftotext(_render(report), tmp_path)
    info = bundle_of(test_pki, 'rsa').info
    for expected in (
        TITLE,
        'Итог: Подпись действительна',
        'Приказ № 15 от 02.03.2026.pdf',
        hashlib.sha256(b'document').hexdigest(),
        'Иванова Анна Петровна, делопроизводитель',
        report.trust_fingerprint,
        'Владелец: Иванов Иван Иванович',
        f'ОГРН: {info.ogrn}',
        f'СНИЛС: {info.snils}',
        f'Серийный номер сертификата: {info.serial.upper()}',
        'Издатель: Тестовый аккредитованный УЦ (RSA)',
        'Время подписания:',
        'Страница 1 из 1',
    ):
        assert expected in text, expected
    for title in CHECK_TITLES.values():
        assert f'ПРОЙДЕНА {title}' in text, title
    assert 'НЕ ПРОЙДЕНА' not in text


def test_failed_and_not_checked_statuses_and_their_reasons(
    reports: dict[str, VerificationReport], tmp_path: Path
) -> None:
    invalid = pdftotext(_render(reports['invalid']), tmp_path, 'invalid.pdf')
    assert 'Итог: Подпись недействительна' in invalid
    assert 'НЕ ПРОЙДЕНА Отзыв сертификатов (списки отзыва)' in invalid
    assert 'отозван' in invalid
    unknown = pdftotext(_render(reports['indeterminate']), tmp_path, 'unknown.pdf')
    assert 'Итог: Действительность подписи не установлена' in unknown
    assert 'НЕ ВЫПОЛНЕНА Отзыв сертификатов (списки отзыва)' in unknown


def test_a_file_that_is_no_signature_gets_a_report_too(reports: dict[str, VerificationReport], tmp_path: Path) -> None:
    text = pdftotext(_render(reports['garbage']), tmp_path)
    assert 'Подписи в файле не найдены' in text
    assert 'НЕ ПРОЙДЕНА Формат подписи' in text
    assert 'не является документом PDF' in text


def test_a_long_report_breaks_into_numbered_pages(reports: dict[str, VerificationReport], tmp_path: Path) -> None:
    signer = reports['valid'].signers[0]
    long_word = 'Ж' * 400
    checks = [*signer.checks[:-1], dataclasses.replace(signer.checks[-1], detail=f'Начало {long_word} конец.')]
    many = dataclasses.replace(reports['valid'], signers=[dataclasses.replace(signer, checks=checks)] * 5)
    pdf = _render(many)
    pages = len(PdfFileReader(io.BytesIO(pdf)).root['/Pages']['/Kids'])
    assert pages >= 3
    text = pdftotext(pdf, tmp_path)
    assert f'Страница {pages} из {pages}' in text
    assert 'Подпись 5 из 5' in text
    assert text.count('Квалифицированный сертификат') == 5
    assert re.sub(r'\s', '', text).count(long_word) == 5  # wrapped, nothing lost


def test_wrap_keeps_every_line_within_the_width() -> None:
    font = pt_sans('regular')
    lines = wrap(font, 'Сертификат «Иванов» (серийный номер 1006) → «УЦ» ' * 6 + 'X' * 300, 9, 200)
    assert all(font.width(line, 9) <= 200 for line in lines)
    assert ''.join(lines).replace(' ', '').endswith('X' * 300)
    assert '->' in lines[0]  # the arrow PT Sans lacks is replaced, not dropped


def test_a_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_fonts, 'FONT_DIR', tmp_path)
    pdf_fonts._load.cache_clear()
    try:
        with pytest.raises(FontMissing, match='fonts-paratype'):
            pt_sans('bold')
    finally:
        pdf_fonts._load.cache_clear()


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(ROOT / 'templates'), autoescape=select_autoescape())
    environment.filters.update(ru_date=ru_date, ru_datetime=ru_datetime)
    return environment


def test_the_html_partial_renders_each_status_with_its_badge(reports: dict[str, VerificationReport]) -> None:
    template = _environment().get_template('signatures/_report.html')
    classes = {'passed': 'text-bg-success', 'failed': 'text-bg-danger', 'not_checked': 'text-bg-warning'}
    alerts = {'valid': 'alert-success', 'invalid': 'alert-danger', 'indeterminate': 'alert-warning'}
    for verdict, status in (('valid', 'passed'), ('invalid', 'failed'), ('indeterminate', 'not_checked')):
        report = reports[verdict]
        html = template.render(report=report, file_name='Приказ <№15>.pdf', checked_by='Иванова А. П.')
        assert f'class="alert {alerts[verdict]}"' in html
        assert report.verdict_title in html
        check = next(check for check in report.signers[0].checks if check.status == status)
        assert re.search(
            rf'data-check="{check.code}" data-status="{status}">\s*<div[^>]*>\s*'
            rf'<span class="badge {classes[status]}">{check.status_title}</span>',
            html,
        )
        assert 'Приказ &lt;№15&gt;.pdf' in html  # escaped
        assert 'style=' not in html
        assert '<script' not in html
        for title in CHECK_TITLES.values():
            assert title in html


def test_the_html_partial_shows_file_level_checks_and_problems(reports: dict[str, VerificationReport]) -> None:
    html = _environment().get_template('signatures/_report.html').render(report=reports['garbage'])
    assert 'Подписи в файле не найдены' in html
    assert 'data-check="format" data-status="failed"' in html
    extra = dataclasses.replace(reports['valid'], checks=[Check.make('format', 'not_checked', 'Проверка отложена.')])
    html = _environment().get_template('signatures/_report.html').render(report=extra)
    assert 'Проверки файла подписи' in html
    assert 'text-bg-warning' in html
