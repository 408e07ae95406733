"""The verification report as a PDF: A4, in Russian, PT Sans embedded — the verdict, every signer, every check.

`render_report_pdf` lays the report out line by line (word wrap by the font's advance widths, page breaks, a footer
«Страница N из M» on each page) and writes the pages with pyhanko's PDF writer; the text is shaped by pyhanko's
glyph accumulator (pdf_fonts.py), so the Cyrillic is extractable by pdftotext and by screen readers. No database,
no Flask: the caller passes the report and what it knows about the file and who checked it. Times are shown in the
agency's time zone (Europe/Moscow).
"""

from __future__ import annotations

import io
from datetime import datetime

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from edms.core.clock import to_local
from edms.signatures.crypto.report import STATUS_TITLES, VERDICT_TITLES, Check, SignerReport, VerificationReport
from edms.signatures.pdf_fonts import PdfFont, pt_sans, show_text, wrap

WIDTH, HEIGHT = 595.28, 841.89  # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 50.0, 545.28, 800.0, 56.0
FOOTER_Y = 30.0
LABEL_WIDTH = 150.0
BADGE_WIDTH = 78.0
COLORS = {'passed': (0.1, 0.45, 0.2), 'failed': (0.72, 0.1, 0.1), 'not_checked': (0.7, 0.45, 0.0)}
VERDICT_COLORS = {'valid': COLORS['passed'], 'invalid': COLORS['failed'], 'indeterminate': COLORS['not_checked']}
GREY = (0.35, 0.35, 0.35)
Color = tuple[float, float, float]


def render_report_pdf(
    report: VerificationReport, *, title: str, file_name: str, file_sha256: str, checked_by: str
) -> bytes:
    """The report as PDF bytes (one page or a few)."""
    page = _Pages(title)
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


class _Pages:
    """A cursor over A4 pages: each `text`/`pairs`/`check` call appends operators, starting a page when needed."""

    def __init__(self, title: str) -> None:
        self.writer = PdfFileWriter()
        self.writer.document_meta.title = title
        self.writer.document_meta.creator = 'МСЭД'
        self.writer.root[pdf_name('/Lang')] = pdf_string('ru-RU')
        self.fonts: dict[bool, PdfFont] = {False: pt_sans('regular'), True: pt_sans('bold')}
        self.engines = {bold: font.engine(self.writer, 10) for bold, font in self.fonts.items()}
        self.pages: list[list[bytes]] = [[]]
        self.y = TOP

    def room(self, height: float) -> None:
        """Start a new page unless `height` points fit above the bottom margin."""
        if self.y - height < BOTTOM and self.y < TOP:
            self.pages.append([])
            self.y = TOP

    def op(
        self, text: str, *, x: float, y: float, size: float, bold: bool = False, color: Color | None = None
    ) -> bytes:
        ops = show_text(self.engines[bold], 'F2' if bold else 'F1', size, x, y, self.fonts[bold].clean(text))
        return b'%g %g %g rg %s 0 g' % (*color, ops) if color else ops

    def show(
        self, text: str, *, x: float, y: float, size: float, bold: bool = False, color: Color | None = None
    ) -> None:
        self.pages[-1].append(self.op(text, x=x, y=y, size=size, bold=bold, color=color))

    def lines(self, text: str, *, size: float, width: float, bold: bool = False) -> list[str]:
        return wrap(self.fonts[bold], text, size, width)

    def text(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0, leading: float = 0) -> None:
        leading = leading or size * 1.35
        for line in self.lines(text, size=size, width=RIGHT - LEFT - indent, bold=bold):
            self.room(leading)
            self.y -= leading
            self.show(line, x=LEFT + indent, y=self.y + size * 0.3, size=size, bold=bold)
        self.y -= 2

    def pairs(self, items: list[tuple[str, str]]) -> None:
        """Label: value rows, the value wrapped in its column."""
        size, leading = 9.5, 12.5
        for label, value in items:
            values = self.lines(value, size=size, width=RIGHT - LEFT - LABEL_WIDTH)
            labels = self.lines(f'{label}:', size=size, width=LABEL_WIDTH - 8, bold=True)
            self.room(leading * max(len(values), len(labels)))
            top = self.y
            for row, line in enumerate(labels):
                self.show(line, x=LEFT, y=top - leading * (row + 1) + 3.5, size=size, bold=True, color=GREY)
            for row, line in enumerate(values):
                self.show(line, x=LEFT + LABEL_WIDTH, y=top - leading * (row + 1) + 3.5, size=size)
            self.y = top - leading * max(len(values), len(labels))
        self.y -= 6

    def verdict(self, title: str, color: Color, signers: int) -> None:
        note = f'Подписей в файле: {signers}.' if signers else 'Подписи в файле не найдены.'
        self.room(46)
        top = self.y - 4
        self.pages[-1].append(b'q %g %g %g rg %g %g %g %g re f Q' % (*color, LEFT, top - 40, 6, 40))
        self.pages[-1].append(b'q %g %g %g RG 0.8 w %g %g %g %g re S Q' % (*color, LEFT, top - 40, RIGHT - LEFT, 40))
        self.show(f'Итог: {title}', x=LEFT + 16, y=top - 19, size=14, bold=True, color=color)
        self.show(note, x=LEFT + 16, y=top - 33, size=9, color=GREY)
        self.y = top - 52

    def section(self, title: str) -> None:
        self.room(60)
        self.y -= 8
        self.text(title, bold=True, size=12.5, leading=17)
        self.pages[-1].append(b'q 0.6 g %g %g %g 0.6 re f Q' % (LEFT, self.y + 1, RIGHT - LEFT))
        self.y -= 6

    def check(self, check: Check) -> None:
        """A status badge, the check's title and its reason below."""
        width = RIGHT - LEFT - BADGE_WIDTH - 10
        titles = self.lines(check.title, size=10, width=width, bold=True)
        details = self.lines(check.detail, size=9, width=width)
        self.room(13.5 * len(titles) + 11.5 * len(details) + 7)
        top, color = self.y, COLORS[check.status]
        self.pages[-1].append(b'q %g %g %g rg %g %g %g %g re f Q' % (*color, LEFT, top - 14, BADGE_WIDTH, 13))
        label = STATUS_TITLES[check.status].upper()
        badge_x = LEFT + (BADGE_WIDTH - self.fonts[True].width(label, 7.5)) / 2
        self.show(label, x=badge_x, y=top - 10.5, size=7.5, bold=True, color=(1, 1, 1))
        x = LEFT + BADGE_WIDTH + 10
        for line in titles:
            self.y -= 13.5
            self.show(line, x=x, y=self.y + 3.5, size=10, bold=True)
        for line in details:
            self.room(11.5)
            self.y -= 11.5
            self.show(line, x=x, y=self.y + 3, size=9)
        self.y -= 7

    def finish(self, footer: str) -> bytes:
        total = len(self.pages)
        fonts = generic.DictionaryObject(
            {pdf_name(f'/{name}'): self.engines[bold].as_resource() for name, bold in (('F1', False), ('F2', True))}
        )
        resources = generic.DictionaryObject({pdf_name('/Font'): fonts})
        for number, ops in enumerate(self.pages, start=1):
            page_text = f'Страница {number} из {total}'
            width = self.fonts[False].width(page_text, 8)
            ops.append(self.op(footer, x=LEFT, y=FOOTER_Y, size=8, color=GREY))
            ops.append(self.op(page_text, x=RIGHT - width, y=FOOTER_Y, size=8, color=GREY))
            stream = generic.StreamObject(stream_data=b'\n'.join(ops))
            stream.compress()
            page = PageObject(contents=self.writer.add_object(stream), media_box=(0, 0, WIDTH, HEIGHT))
            page[pdf_name('/Resources')] = resources
            self.writer.insert_page(page)
        output = io.BytesIO()
        self.writer.write(output)
        return output.getvalue()
