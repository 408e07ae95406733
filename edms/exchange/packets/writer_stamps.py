"""The stamp pictures of an outgoing 2.7.1 container: the registration stamp and one signature stamp per signer.

МЭДО places the stamps over the PDF by page and coordinates in millimetres (the PDF itself is not changed), so each
stamp is a PNG drawn at `DOTS_PER_MM` pixels per millimetre of its box, dark-blue ink on a transparent background:
* the registration stamp: «№ <номер> от ДД.ММ.ГГГГ» in one line;
* the signature stamp: the mark of ГОСТ Р 7.0.97-2016 п. 5.23 in a frame — «ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ»,
  the certificate's serial, owner and validity (the same text as the PDF stamps, `edms.signatures.stamp_mark`).
Text is drawn with PT Sans (fonts-paratype, `edms.signatures.pdf_fonts`): glyph outlines are flattened and filled
here with 4×4 supersampling (nonzero winding), each glyph once per size; the PNG is written with zlib and struct.
Without the font the stamps are framed boxes only and a warning is logged once: the same facts stay in the passport
(registration number and date, the signer's name and post) and in the signatures' certificates.
"""

from __future__ import annotations

import logging
import math
import struct
import zlib
from datetime import date
from functools import lru_cache
from io import BytesIO
from typing import Any

from fontTools import ttLib
from fontTools.pens.basePen import BasePen

from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.pdf_fonts import FontMissing, pt_sans
from edms.signatures.stamp_mark import stamp_mark

logger = logging.getLogger(__name__)

#: Pixels per millimetre of a stamp's box (about 250 dpi; real stamps are 100–300 dpi).
DOTS_PER_MM = 10
INK = (13, 51, 140)
_SUPERSAMPLE = 4
_CURVE_STEPS = 6
_LINE_SPACING = 1.25


# --- PNG --------------------------------------------------------------------------------------------------------------


def encode_png(width: int, height: int, alpha_rows: list[bytearray], ink: tuple[int, int, int] = INK) -> bytes:
    """An RGBA PNG of one ink colour whose opacity per pixel is given by `alpha_rows` (one bytearray per row)."""
    red, green, blue = (bytes((channel,)) * width for channel in ink)
    raw = bytearray()
    for alpha in alpha_rows:
        row = bytearray(4 * width)
        row[0::4], row[1::4], row[2::4], row[3::4] = red, green, blue, alpha
        raw += b'\x00' + row
    header = struct.pack('>IIBBBBB', width, height, 8, 6, 0, 0, 0)
    return (
        b'\x89PNG\r\n\x1a\n'
        + _chunk(b'IHDR', header)
        + _chunk(b'IDAT', zlib.compress(bytes(raw), 3))
        + _chunk(b'IEND', b'')
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


# --- glyphs -----------------------------------------------------------------------------------------------------------


class _FlattenPen(BasePen):
    """Collects a glyph's contours as polygons (font units), curves cut into straight segments."""

    def __init__(self, glyph_set: Any) -> None:
        super().__init__(glyph_set)
        self.contours: list[list[tuple[float, float]]] = []
        self._points: list[tuple[float, float]] = []

    def _moveTo(self, point: tuple[float, float]) -> None:  # noqa: N802 (fontTools pen API)
        self._flush()
        self._points = [point]

    def _lineTo(self, point: tuple[float, float]) -> None:  # noqa: N802 (fontTools pen API)
        self._points.append(point)

    def _qCurveToOne(self, control: tuple[float, float], end: tuple[float, float]) -> None:  # noqa: N802 (fontTools pen API)
        (x0, y0), (x1, y1), (x2, y2) = self._getCurrentPoint(), control, end
        for step in range(1, _CURVE_STEPS + 1):
            t = step / _CURVE_STEPS
            u = 1 - t
            self._points.append((u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2))

    def _curveToOne(self, c1: tuple[float, float], c2: tuple[float, float], end: tuple[float, float]) -> None:  # noqa: N802 (fontTools pen API)
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self._getCurrentPoint(), c1, c2, end
        for step in range(1, _CURVE_STEPS + 1):
            t = step / _CURVE_STEPS
            u = 1 - t
            a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            self._points.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))

    def _closePath(self) -> None:  # noqa: N802 (fontTools pen API)
        self._flush()

    def _endPath(self) -> None:  # noqa: N802 (fontTools pen API)
        self._flush()

    def _flush(self) -> None:
        if len(self._points) > 2:
            self.contours.append(self._points)
        self._points = []


class _Face:
    """One PT Sans face as outlines: character → glyph name, advance widths, units per em."""

    def __init__(self, weight: str) -> None:
        font = ttLib.TTFont(BytesIO(pt_sans(weight).data))
        self.weight = weight
        self.cmap: dict[int, str] = font.getBestCmap()
        self.glyph_set = font.getGlyphSet()
        self.advances = {name: advance for name, (advance, _) in font['hmtx'].metrics.items()}
        self.units = font['head'].unitsPerEm

    def glyph_name(self, char: str) -> str:
        return self.cmap.get(ord(char)) or self.cmap.get(ord('?'), '.notdef')

    def width(self, text: str, size: float) -> float:
        return sum(self.advances[self.glyph_name(char)] for char in text) * size / self.units


@lru_cache(maxsize=2)
def _face(weight: str) -> _Face | None:
    try:
        return _Face(weight)
    except FontMissing as error:
        logger.warning('stamps are drawn without text: %s', error.message)
        return None


@lru_cache(maxsize=4096)
def _glyph(weight: str, name: str, size: int) -> tuple[int, int, list[bytes]]:
    """(left, top, coverage rows) of a glyph at `size` pixels per em; left/top relative to the pen on the baseline."""
    face = _face(weight)
    pen = _FlattenPen(face.glyph_set)
    face.glyph_set[name].draw(pen)
    scale = size / face.units
    edges = []
    for contour in pen.contours:
        points = [(x * scale, y * scale) for x, y in contour]
        edges += [(*points[i - 1], *points[i]) for i in range(len(points)) if points[i - 1][1] != points[i][1]]
    if not edges:
        return 0, 0, []
    left = math.floor(min(min(e[0], e[2]) for e in edges))
    right = math.ceil(max(max(e[0], e[2]) for e in edges))
    top = math.ceil(max(max(e[1], e[3]) for e in edges))
    bottom = math.floor(min(min(e[1], e[3]) for e in edges))
    rows = [_coverage_row(edges, top - row, left, right - left) for row in range(top - bottom)]
    return left, top, rows


def _coverage_row(edges: list[tuple[float, float, float, float]], y_top: float, left: int, width: int) -> bytes:
    """Coverage (0–255) of one pixel row spanning font-space y in (y_top - 1, y_top], by S×S supersampling."""
    size = _SUPERSAMPLE
    counts = [0] * (width + 1)
    for sub in range(size):
        y = y_top - (sub + 0.5) / size
        crossings = sorted(
            (x0 + (y - y0) * (x1 - x0) / (y1 - y0), 1 if y1 > y0 else -1)
            for x0, y0, x1, y1 in edges
            if min(y0, y1) <= y < max(y0, y1)
        )
        winding, start = 0, 0.0
        for x, direction in crossings:
            if winding == 0:
                start = x
            winding += direction
            if winding == 0:
                _add_span(counts, round((start - left) * size), round((x - left) * size), width * size)
    full = size * size
    return bytes(min(255, count * 255 // full) for count in counts[:width])


def _add_span(counts: list[int], begin: int, end: int, limit: int) -> None:
    size = _SUPERSAMPLE
    begin, end = max(0, begin), min(limit, end)
    if end <= begin:
        return
    first, last = divmod(begin, size), divmod(end, size)
    if first[0] == last[0]:
        counts[first[0]] += end - begin
        return
    counts[first[0]] += size - first[1]
    for pixel in range(first[0] + 1, last[0]):
        counts[pixel] += size
    counts[last[0]] += last[1]


# --- canvas -----------------------------------------------------------------------------------------------------------


class _Canvas:
    """An opacity bitmap: rows of bytes, drawing by taking the maximum of what is there and what is drawn."""

    def __init__(self, width_mm: float, height_mm: float) -> None:
        self.width = max(1, round(width_mm * DOTS_PER_MM))
        self.height = max(1, round(height_mm * DOTS_PER_MM))
        self.rows = [bytearray(self.width) for _ in range(self.height)]

    def fill(self, x0: int, y0: int, x1: int, y1: int) -> None:
        x0, x1 = max(0, x0), min(self.width, x1)
        for y in range(max(0, y0), min(self.height, y1)):
            self.rows[y][x0:x1] = b'\xff' * max(0, x1 - x0)

    def frame(self, thickness: int) -> None:
        self.fill(0, 0, self.width, thickness)
        self.fill(0, self.height - thickness, self.width, self.height)
        self.fill(0, 0, thickness, self.height)
        self.fill(self.width - thickness, 0, self.width, self.height)

    def text(self, face: _Face, text: str, size: int, x: float, baseline: int) -> None:
        """Draw `text` at `size` pixels per em, its pen starting at (x, baseline)."""
        scale = size / face.units
        for char in text:
            name = face.glyph_name(char)
            left, top, rows = _glyph(face.weight, name, size)
            self._blit(round(x) + left, baseline - top, rows)
            x += face.advances[name] * scale

    def _blit(self, x: int, y: int, rows: list[bytes]) -> None:
        for index, coverage in enumerate(rows):
            target_y = y + index
            if not 0 <= target_y < self.height:
                continue
            start, end = max(0, x), min(self.width, x + len(coverage))
            if end <= start:
                continue
            part = coverage[start - x : end - x]
            row = self.rows[target_y]
            under = row[start:end]
            row[start:end] = bytes(map(max, under, part)) if under.strip(b'\x00') else part

    def png(self) -> bytes:
        return encode_png(self.width, self.height, self.rows)


# --- the two stamps ---------------------------------------------------------------------------------------------------


def registration_stamp_png(number: str, registered: date, width_mm: float, height_mm: float) -> bytes:
    """The registration stamp: «№ <number> от ДД.ММ.ГГГГ», as large as fits the box, left-aligned and centred
    vertically; a thin frame only when the font is missing."""
    canvas = _Canvas(width_mm, height_mm)
    face = _face('regular')
    if face is None:
        canvas.frame(max(1, canvas.height // 30))
        return canvas.png()
    text = f'№ {number} от {registered:%d.%m.%Y}'
    padding = max(1, canvas.height // 10)
    size = _fitting_size(face, [text], canvas.width - 2 * padding, (canvas.height - 2 * padding) / 1.1)
    baseline = (canvas.height + round(size * 0.7)) // 2
    canvas.text(face, text, size, padding, baseline)
    return canvas.png()


def signature_stamp_png(certificate: bytes, width_mm: float, height_mm: float) -> bytes:
    """The signature stamp of ГОСТ Р 7.0.97 for the signer's certificate (DER) in a frame filling the box."""
    return _signature_stamp(certificate, width_mm, height_mm)


@lru_cache(maxsize=256)
def _signature_stamp(certificate: bytes, width_mm: float, height_mm: float) -> bytes:
    canvas = _Canvas(width_mm, height_mm)
    thickness = max(2, canvas.height // 60)
    canvas.frame(thickness)
    bold, regular = _face('bold'), _face('regular')
    if bold is None or regular is None:
        return canvas.png()
    mark = stamp_mark(CertificateInfo.from_der(certificate))
    padding = thickness + max(4, canvas.height // 12)
    lines = len(mark.header) + len(mark.lines)
    by_height = (canvas.height - 2 * padding) / (_LINE_SPACING * lines + 0.3)
    header_size = _fitting_size(bold, list(mark.header), canvas.width - 2 * padding, by_height)
    text_size = _fitting_size(regular, list(mark.lines), canvas.width - 2 * padding, by_height * 0.9)
    block = _LINE_SPACING * (header_size * len(mark.header) + text_size * len(mark.lines)) + 0.3 * text_size
    baseline = round((canvas.height - block) / 2) + header_size
    for line in mark.header:
        canvas.text(bold, line, header_size, (canvas.width - bold.width(line, header_size)) / 2, baseline)
        baseline += round(header_size * _LINE_SPACING)
    baseline += round(text_size * 0.3)
    for line in mark.lines:
        canvas.text(regular, line, text_size, padding, baseline)
        baseline += round(text_size * _LINE_SPACING)
    return canvas.png()


def _fitting_size(face: _Face, lines: list[str], width: float, height: float) -> int:
    """The largest whole pixel size (at most `height`) at which every line is at most `width` wide."""
    widest = max(face.width(line, 100) for line in lines) / 100 or 1.0
    return max(4, math.floor(min(height, width / widest)))
