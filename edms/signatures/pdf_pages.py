"""A4 pages written line by line in Russian with PT Sans embedded: the page cursor shared by every PDF the system
renders (the signature verification report, the application export, a service's result document).

`PdfPages` owns the writer (title, creator «МСЭД», /Lang ru-RU), the regular and bold fonts (resources F1 and F2,
shaped by pyhanko's glyph accumulator so the text stays extractable), the content of each page and the cursor `y`
that runs top-down between the margins. It offers the generic blocks — wrapped `text`, a `section` title with a rule,
`pairs` of label and value in two columns — and `finish`, which writes the pages, each with an optional footer and
«Страница N из M». A document with its own blocks subclasses it (margins are class attributes) and builds them on
`room`, `show` and `lines`. No database, no Flask.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from edms.signatures.pdf_fonts import PdfFont, pt_sans, show_text, wrap

WIDTH, HEIGHT = 595.28, 841.89  # A4 in points
GREY = (0.35, 0.35, 0.35)
Color = tuple[float, float, float]


class PdfPages:
    """A cursor over A4 pages: each block appends text operators to the last page, starting a page when needed."""

    left, right, top, bottom = 50.0, 545.28, 800.0, 56.0
    footer_y = 30.0
    label_width = 150.0

    def __init__(self, title: str) -> None:
        self.writer = PdfFileWriter()
        self.writer.document_meta.title = title
        self.writer.document_meta.creator = 'МСЭД'
        self.writer.root[pdf_name('/Lang')] = pdf_string('ru-RU')
        self.fonts: dict[bool, PdfFont] = {False: pt_sans('regular'), True: pt_sans('bold')}
        self.engines = {bold: font.engine(self.writer, 10) for bold, font in self.fonts.items()}
        self.pages: list[list[bytes]] = [[]]
        self.y = self.top

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def room(self, height: float) -> None:
        """Start a new page unless `height` points fit above the bottom margin (or the page is still empty)."""
        if self.y - height < self.bottom and self.y < self.top:
            self.new_page()

    def op(
        self, text: str, *, x: float, y: float, size: float, bold: bool = False, color: Color | None = None
    ) -> bytes:
        """The operators showing `text` with its baseline at (x, y), in `color` (black when none)."""
        ops = show_text(self.engines[bold], 'F2' if bold else 'F1', size, x, y, self.fonts[bold].clean(text))
        return b'%g %g %g rg %s 0 g' % (*color, ops) if color else ops

    def show(
        self, text: str, *, x: float, y: float, size: float, bold: bool = False, color: Color | None = None
    ) -> None:
        self.pages[-1].append(self.op(text, x=x, y=y, size=size, bold=bold, color=color))

    def lines(self, text: str, *, size: float, width: float, bold: bool = False) -> list[str]:
        """`text` wrapped by words into lines at most `width` points wide."""
        return wrap(self.fonts[bold], text, size, width)

    def text(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0, leading: float = 0) -> None:
        leading = leading or size * 1.35
        for line in self.lines(text, size=size, width=self.right - self.left - indent, bold=bold):
            self.room(leading)
            self.y -= leading
            self.show(line, x=self.left + indent, y=self.y + size * 0.3, size=size, bold=bold)
        self.y -= 2

    def section(self, title: str) -> None:
        """A bold title with a thin rule below, kept on one page with the start of what follows."""
        self.room(60)
        self.y -= 8
        self.text(title, bold=True, size=12.5, leading=17)
        self.pages[-1].append(b'q 0.6 g %g %g %g 0.6 re f Q' % (self.left, self.y + 1, self.right - self.left))
        self.y -= 6

    def pairs(self, items: list[tuple[str, str]]) -> None:
        """Label: value rows, the value wrapped in its column."""
        size, leading = 9.5, 12.5
        left, label_width = self.left, self.label_width
        for label, value in items:
            values = self.lines(value, size=size, width=self.right - left - label_width)
            labels = self.lines(f'{label}:', size=size, width=label_width - 8, bold=True)
            self.room(leading * max(len(values), len(labels)))
            top = self.y
            for row, line in enumerate(labels):
                self.show(line, x=left, y=top - leading * (row + 1) + 3.5, size=size, bold=True, color=GREY)
            for row, line in enumerate(values):
                self.show(line, x=left + label_width, y=top - leading * (row + 1) + 3.5, size=size)
            self.y = top - leading * max(len(values), len(labels))
        self.y -= 6

    def finish(self, footer: str | None = None) -> bytes:
        """The PDF bytes; with a `footer`, each page carries it on the left and «Страница N из M» on the right."""
        total = len(self.pages)
        fonts = generic.DictionaryObject(
            {pdf_name(f'/{name}'): self.engines[bold].as_resource() for name, bold in (('F1', False), ('F2', True))}
        )
        resources = generic.DictionaryObject({pdf_name('/Font'): fonts})
        for number, ops in enumerate(self.pages, start=1):
            if footer is not None:
                page_text = f'Страница {number} из {total}'
                width = self.fonts[False].width(page_text, 8)
                ops.append(self.op(footer, x=self.left, y=self.footer_y, size=8, color=GREY))
                ops.append(self.op(page_text, x=self.right - width, y=self.footer_y, size=8, color=GREY))
            stream = generic.StreamObject(stream_data=b'\n'.join(ops))
            stream.compress()
            page = PageObject(contents=self.writer.add_object(stream), media_box=(0, 0, WIDTH, HEIGHT))
            page[pdf_name('/Resources')] = resources
            self.writer.insert_page(page)
        output = io.BytesIO()
        self.writer.write(output)
        return output.getvalue()
