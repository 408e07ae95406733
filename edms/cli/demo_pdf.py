"""The demo letter as a one-page A4 PDF: a letterhead, the number and date, the addressee, the subject, the text and
the signatory, in PT Sans (embedded, so the Cyrillic shows and extracts everywhere).

Written with pyhanko's PDF writer, so the file takes a PAdES signature (an incremental update) like any uploaded one.
Without the PT Sans files (Debian's fonts-paratype) the page carries one Latin line saying so: the demo still loads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from edms.signatures.pdf_fonts import FontMissing, PdfFont, pt_sans, show_text, wrap

WIDTH, HEIGHT = 595.28, 841.89  # A4 in points
LEFT, RIGHT, TOP = 70.0, 530.0, 780.0
NO_FONT_TEXT = b'BT /F1 11 Tf 70 780 Td (MSED demo letter: install fonts-paratype to see its Russian text.) Tj ET'


@dataclass(frozen=True)
class Letter:
    """What the page shows, top to bottom; long texts are wrapped to the page's text width."""

    organization: str
    address: str
    number: str
    addressee: str
    subject: str
    paragraphs: tuple[str, ...]
    post: str
    signatory: str
    note: str


def letter_pdf(letter: Letter) -> bytes:
    """The PDF bytes of the letter."""
    writer = PdfFileWriter()
    writer.document_meta.title = letter.subject
    writer.document_meta.creator = 'МСЭД (демонстрационные данные)'
    writer.root[pdf_name('/Lang')] = pdf_string('ru-RU')
    try:
        font = pt_sans('regular')
    except FontMissing:
        return _write(writer, NO_FONT_TEXT, _standard_font())
    engine = font.engine(writer, 11)
    ops = b'\n'.join(show_text(engine, 'F1', size, x, y, text) for x, y, size, text in _layout(letter, font))
    return _write(writer, ops, engine.as_resource())


def _layout(letter: Letter, font: PdfFont) -> list[tuple[float, float, float, str]]:
    """(x, y, size, text) of every line, top to bottom."""
    lines: list[tuple[float, float, float, str]] = []
    y = TOP

    def block(text: str, size: float, *, indent: float = 0, gap: float = 0, centre: bool = False) -> None:
        nonlocal y
        for line in wrap(font, text, size, RIGHT - LEFT - indent):
            x = (LEFT + RIGHT - font.width(line, size)) / 2 if centre else LEFT + indent
            lines.append((x, y, size, line))
            y -= size * 1.4
        y -= gap

    block(letter.organization.upper(), 13, centre=True)
    block(letter.address, 9, centre=True, gap=24)
    block(letter.number, 11, gap=6)
    block(letter.addressee, 11, indent=240, gap=24)
    block(letter.subject, 11, gap=14)
    for paragraph in letter.paragraphs:
        block(paragraph, 11, gap=8)
    y -= 30
    block(f'{letter.post}    {letter.signatory}', 11, gap=60)
    block(letter.note, 8)
    return lines


def _standard_font() -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            pdf_name('/Type'): pdf_name('/Font'),
            pdf_name('/Subtype'): pdf_name('/Type1'),
            pdf_name('/BaseFont'): pdf_name('/Helvetica'),
            pdf_name('/Encoding'): pdf_name('/WinAnsiEncoding'),
        }
    )


def _write(writer: PdfFileWriter, ops: bytes, font: generic.PdfObject) -> bytes:
    stream = generic.StreamObject(stream_data=ops)
    stream.compress()
    page = PageObject(contents=writer.add_object(stream), media_box=(0, 0, WIDTH, HEIGHT))
    fonts = generic.DictionaryObject({pdf_name('/F1'): font})
    page[pdf_name('/Resources')] = generic.DictionaryObject({pdf_name('/Font'): fonts})
    writer.insert_page(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
