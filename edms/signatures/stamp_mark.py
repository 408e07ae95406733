"""The text of the visible signature mark of ГОСТ Р 7.0.97-2016 (п. 5.23), shared by PAdES stamps and МЭДО stamp PNGs.

Kept apart from `pades` so that drawing a mark does not load pyHanko's signing stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edms.core.clock import to_local
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.pdf_fonts import pt_sans, show_text

INK = (0.05, 0.2, 0.55)  # dark blue, the usual colour of the mark


@dataclass(frozen=True)
class StampMark:
    """The text of the mark of ГОСТ Р 7.0.97-2016 (п. 5.23): a bold centred header and the certificate's lines."""

    header: tuple[str, ...]
    lines: tuple[str, ...]
    header_size: float = 9
    text_size: float = 8
    padding: float = 6

    def natural_width(self) -> float:
        bold, regular = pt_sans('bold'), pt_sans('regular')
        widths = [bold.width(bold.clean(line), self.header_size) for line in self.header]
        widths += [regular.width(regular.clean(line), self.text_size) for line in self.lines]
        return max(widths) + 2 * self.padding

    def size(self) -> tuple[float, float]:
        height = 2 * self.padding + 1.25 * (self.header_size * len(self.header) + self.text_size * len(self.lines)) + 2
        return max(self.natural_width(), 200.0), height

    def operators(self, regular: Any, bold: Any, width: float) -> list[bytes]:
        """Content of the mark in a box `width` wide, origin at the bottom left, fonts /F1 and /F2."""
        bold_font, regular_font = pt_sans('bold'), pt_sans('regular')
        _, height = self.size()
        y = height - self.padding - self.header_size
        ops = [b'%g %g %g rg' % INK]
        for line in self.header:
            text = bold_font.clean(line)
            x = (width - bold_font.width(text, self.header_size)) / 2
            ops.append(show_text(bold, 'F2', self.header_size, x, y, text))
            y -= 1.25 * self.header_size
        y -= 2
        for line in self.lines:
            ops.append(show_text(regular, 'F1', self.text_size, self.padding, y, regular_font.clean(line)))
            y -= 1.25 * self.text_size
        return ops


def stamp_mark(info: CertificateInfo) -> StampMark:
    """The mark for a signer's certificate: serial (hex), owner, validity dates in the agency's time zone."""
    since, until = to_local(info.not_before), to_local(info.not_after)
    return StampMark(
        header=('ДОКУМЕНТ ПОДПИСАН', 'ЭЛЕКТРОННОЙ ПОДПИСЬЮ'),
        lines=(
            f'Сертификат: {info.serial.upper()}',
            f'Владелец: {info.owner}',
            f'Действителен: с {since:%d.%m.%Y} по {until:%d.%m.%Y}',
        ),
    )
