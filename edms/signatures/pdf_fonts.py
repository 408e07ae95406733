"""PT Sans for the PDFs the system writes (signature stamps, verification reports): loading, metrics, text lines.

The fonts come from the Debian package `fonts-paratype` (PT Sans: PTS55F.ttf regular, PTS75F.ttf bold); a missing
font is a `FontMissing` error naming the file and the package. Each font is read once per process and reduced to the
characters a Russian document needs (Latin, Cyrillic, punctuation) without hinting and layout tables: pyhanko then
subsets and embeds a small font per document, which is most of the cost of a visible stamp.
Shaping through pyhanko's `GlyphAccumulator` writes a ToUnicode map, so the text stays extractable (pdftotext).
The `font_size` of an engine must equal the size in the `Tf` operator that shows the glyphs (pyHanko issue #733):
`show_text` sets both.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools import subset, ttLib
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from edms.core.errors import DomainError
from edms.signatures import pyhanko_compat  # noqa: F401 - pyhanko's import drops the GOST key spec; this restores it

#: Where Debian puts PT Sans; EDMS_FONT_DIR overrides it (another distribution, a container image).
FONT_DIR = Path(os.environ.get('EDMS_FONT_DIR', '/usr/share/fonts/truetype/paratype'))
FONT_FILES = {'regular': 'PTS55F.ttf', 'bold': 'PTS75F.ttf'}
#: Latin-1, Latin Extended-A, Cyrillic, general punctuation, №, currency signs.
_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x400, 0x4FF), (0x2010, 0x205E), (0x20A0, 0x20BF), (0x2116, 0x2116))
#: Characters PT Sans lacks that reports use, and what is shown instead.
_SUBSTITUTES = {'→': '->', '←': '<-', '✓': '+', '✗': 'x', '\t': ' ', '\u00a0': ' '}


class FontMissing(DomainError):
    """The PT Sans font files are not installed on the server."""

    code = 'pdf_font_missing'
    status = 503
    message = 'Шрифт PT Sans не установлен на сервере: установите пакет fonts-paratype.'


@dataclass(frozen=True, eq=False)
class PdfFont:
    """One reduced PT Sans face: the TTF bytes to embed and the advance widths to measure text with."""

    weight: str
    data: bytes = field(repr=False)
    units_per_em: int
    advances: dict[int, int] = field(repr=False)
    default_advance: int

    def clean(self, text: str) -> str:
        """The text with characters the font lacks replaced (known substitutes, else '?'); no control characters."""
        result = []
        for char in text:
            char = _SUBSTITUTES.get(char, char)
            if len(char) == 1 and ord(char) not in self.advances:
                char = '?' if char.isprintable() else ' '
            result.append(char)
        return ''.join(result)

    def width(self, text: str, size: float) -> float:
        """Width in points of cleaned `text` at `size` (the font has no kerning left, so advances add up exactly)."""
        units = sum(self.advances.get(ord(char), self.default_advance) for char in text)
        return units * size / self.units_per_em

    def engine(self, writer: BasePdfFileWriter, size: float) -> GlyphAccumulator:
        """A glyph accumulator on `writer`: the font is subset to the glyphs shown and embedded when written."""
        obj_stream = writer.prepare_object_stream() if writer.stream_xrefs else None
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.data), font_size=size, obj_stream=obj_stream)


_LOCK = threading.Lock()


def pt_sans(weight: str = 'regular') -> PdfFont:
    """PT Sans regular or bold, prepared once per process; `FontMissing` when the file is not installed."""
    with _LOCK:
        return _load(weight)


@lru_cache(maxsize=4)
def _load(weight: str) -> PdfFont:
    path = FONT_DIR / FONT_FILES[weight]
    if not path.is_file():
        raise FontMissing(f'Не найден шрифт PT Sans ({path}): установите пакет fonts-paratype.')
    font = ttLib.TTFont(str(path))
    wanted = {code for start, end in _RANGES for code in range(start, end + 1)}
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ['*']
    options.notdef_outline = True
    options.drop_tables += ['GSUB', 'GPOS', 'GDEF', 'kern', 'DSIG', 'LTSH', 'hdmx']
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted & set(font.getBestCmap()))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    metrics = font['hmtx'].metrics
    advances = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
    return PdfFont(weight, buffer.getvalue(), font['head'].unitsPerEm, advances, metrics['.notdef'][0])


def show_text(engine: GlyphAccumulator, resource: str, size: float, x: float, y: float, text: str) -> bytes:
    """Content-stream operators showing one line of (cleaned) text with its baseline starting at (x, y)."""
    engine.font_size = size
    shaped = engine.shape(text)
    return b'BT /%s %g Tf 1 0 0 1 %g %g Tm %s ET' % (resource.encode('ascii'), size, x, y, shaped.graphics_ops)


def wrap(font: PdfFont, text: str, size: float, width: float) -> list[str]:
    """Greedy word wrap of cleaned `text` into lines at most `width` points wide; a word too long is cut."""
    lines: list[str] = []
    for paragraph in font.clean(text).split('\n'):
        line = ''
        for word in paragraph.split(' '):
            candidate = f'{line} {word}' if line else word
            if font.width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while font.width(line, size) > width and len(line) > 1:
                cut = _fitting_prefix(font, line, size, width)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _fitting_prefix(font: PdfFont, text: str, size: float, width: float) -> int:
    """Length of the longest prefix of `text` that fits (at least one character)."""
    total = 0.0
    for index, char in enumerate(text):
        total += font.width(char, size)
        if total > width:
            return max(index, 1)
    return len(text)
