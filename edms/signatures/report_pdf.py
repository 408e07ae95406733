"""The verification report as a PDF: A4, in Russian, PT Sans embedded — the verdict, every signer, every check.

`render_report_pdf` lays the report out on the shared page cursor (pdf_pages.py: word wrap by the font's advance
widths, page breaks, a footer «Страница N из M» on each page) and adds the report's own blocks, the verdict box and
the check with its status badge; the Cyrillic is extractable by pdftotext and by screen readers. No database,
no Flask: the caller passes the report and what it knows about the file and who checked it. Times are shown in the
agency's time zone (Europe/Moscow).
"""

from __future__ import annotations

from datetime import datetime

from edms.core.clock import to_local
from edms.signatures.crypto.report import STATUS_TITLES, VERDICT_TITLES, Check, SignerReport, VerificationReport
from edms.signatures.pdf_pages import GREY, Color, PdfPages

BADGE_WIDTH = 78.0
COLORS = {'passed': (0.1, 0.45, 0.2), 'failed': (0.72, 0.1, 0.1), 'not_checked': (0.7, 0.45, 0.0)}
VERDICT_COLORS = {'valid': COLORS['passed'], 'invalid': COLORS['failed'], 'indeterminate': COLORS['not_checked']}


def render_report_pdf(
    report: VerificationReport, *, title: str, file_name: str, file_sha256: str, checked_by: str
) -> bytes:
    """The report as PDF bytes (one page or a few)."""
    page = _ReportPages(title)
    page.text(title, bold=True, size=16, leading=22)
    page.pairs(
        [
            ('Файл', file_name),
            ('SHA-256 файла', file_sha256),
            ('Время проверки', _moment(report.checked_at)),
            ('Проверку выполнил', checked_by),
            ('Доверенные данные', f'отпечаток SHA-256 {report.trust_fingerprint}'),
        ]
    )
    page.verdict(report.verdict_title, VERDICT_COLORS[report.verdict], len(report.signers))
    if report.checks:
        page.section('Проверки файла подписи')
        for check in report.checks:
            page.check(check)
    if report.problems:
        page.section('Замечания')
        for problem in report.problems:
            page.text(f'— {problem}', size=9.5, indent=8)
    for number, signer in enumerate(report.signers, start=1):
        page.section(f'Подпись {number} из {len(report.signers)}: {VERDICT_TITLES[signer.verdict].lower()}')
        page.pairs(signer_fields(signer))
        for check in signer.checks:
            page.check(check)
    return page.finish(f'Протокол проверки от {_moment(report.checked_at)}')


def signer_fields(signer: SignerReport) -> list[tuple[str, str]]:
    """What the report says about a signer: owner, organization, identifiers, certificate, signing time."""
    info = signer.certificate
    signed_at = _moment(signer.signing_time) if signer.signing_time else 'не указано в подписи'
    if info is None:
        return [('Подписант', signer.signer or 'сертификат не найден'), ('Время подписания', signed_at)]
    fields = [('Владелец', info.owner)]
    for label, value in (
        ('Должность', info.subject.get('T')),
        ('Организация', info.organization),
        ('ОГРН', info.ogrn),
        ('ОГРНИП', info.ogrnip),
        ('ИНН ЮЛ', info.inn_le),
        ('СНИЛС', info.snils),
        ('ИНН', info.inn),
    ):
        if value:
            fields.append((label, value))
    issuer = info.issuer.get('CN') or info.issuer.text
    fields += [
        ('Серийный номер сертификата', info.serial.upper()),
        ('Издатель', issuer),
        ('Срок действия', f'с {_moment(info.not_before)} по {_moment(info.not_after)}'),
        ('Время подписания', signed_at),
    ]
    return fields


def _moment(moment: datetime) -> str:
    return f'{to_local(moment):%d.%m.%Y %H:%M:%S} (МСК)'


class _ReportPages(PdfPages):
    """The shared page cursor with the report's blocks: the verdict box and a check with its status badge."""

    def verdict(self, title: str, color: Color, signers: int) -> None:
        left, right = self.left, self.right
        note = f'Подписей в файле: {signers}.' if signers else 'Подписи в файле не найдены.'
        self.room(46)
        top = self.y - 4
        self.pages[-1].append(b'q %g %g %g rg %g %g %g %g re f Q' % (*color, left, top - 40, 6, 40))
        self.pages[-1].append(b'q %g %g %g RG 0.8 w %g %g %g %g re S Q' % (*color, left, top - 40, right - left, 40))
        self.show(f'Итог: {title}', x=left + 16, y=top - 19, size=14, bold=True, color=color)
        self.show(note, x=left + 16, y=top - 33, size=9, color=GREY)
        self.y = top - 52

    def check(self, check: Check) -> None:
        """A status badge, the check's title and its reason below."""
        left = self.left
        width = self.right - left - BADGE_WIDTH - 10
        titles = self.lines(check.title, size=10, width=width, bold=True)
        details = self.lines(check.detail, size=9, width=width)
        self.room(13.5 * len(titles) + 11.5 * len(details) + 7)
        top, color = self.y, COLORS[check.status]
        self.pages[-1].append(b'q %g %g %g rg %g %g %g %g re f Q' % (*color, left, top - 14, BADGE_WIDTH, 13))
        label = STATUS_TITLES[check.status].upper()
        badge_x = left + (BADGE_WIDTH - self.fonts[True].width(label, 7.5)) / 2
        self.show(label, x=badge_x, y=top - 10.5, size=7.5, bold=True, color=(1, 1, 1))
        x = left + BADGE_WIDTH + 10
        for line in titles:
            self.y -= 13.5
            self.show(line, x=x, y=self.y + 3.5, size=10, bold=True)
        for line in details:
            self.room(11.5)
            self.y -= 11.5
            self.show(line, x=x, y=self.y + 3, size=9)
        self.y -= 7
