"""Multipart form bodies: werkzeug's parser, with a faster search for the boundary that ends a part.

werkzeug 3.1 finds the end of a part with a regular expression that begins with a line break and runs it over the
whole buffered part, so the regex engine tries every CR and LF byte of a file's content: about 1 ms of the 1.8 ms
it takes to parse an application's three 100 KiB PDFs. Here `bytes.find` locates the literal `--<boundary>` first
and the same expression runs from two bytes before it: a match begins with its line break (at most CRLF) right
before that literal, and the first occurrence of the literal bounds where the first match can begin, so the result
is the same. `tests/core/test_multipart.py` compares both decoders on crafted bodies.

`install()` swaps the decoder werkzeug's `MultiPartParser` builds, only on the werkzeug version the override was
written for (`_parse_data` is a private method, changed in 3.1.4 already); any other version keeps its own decoder.
"""

from __future__ import annotations

from importlib.metadata import version

from werkzeug import formparser
from werkzeug.sansio.multipart import LINE_BREAK_RE, MultipartDecoder, State

#: The werkzeug versions whose `MultipartDecoder._parse_data` this module's override reproduces (pinned in
#: requirements.txt): a later release may change the method, and its own must then stay.
SUPPORTED = frozenset({'3.1.9'})


class FastBoundaryDecoder(MultipartDecoder):
    """werkzeug's decoder; the closing boundary of a part is searched from its literal's first occurrence."""

    def _parse_data(self, data: bytes | bytearray, *, start: bool) -> tuple[bytes, int, bool]:
        data_start = _line_break_end(data) if start else 0
        literal = self.buffer.find(b'--' + self.boundary)
        match = self.boundary_re.search(data, max(0, literal - 2)) if literal != -1 else None
        if match is None:
            data_end = del_index = self._last_partial_boundary_index(data[data_start:]) + data_start
            return bytes(data[data_start:data_end]), del_index, True
        self.state = State.EPILOGUE if match.group(1).startswith(b'--') else State.PART
        return bytes(data[data_start : match.start()]), match.end(), False


def _line_break_end(data: bytes | bytearray) -> int:
    """Where a part's body begins: after the line break that ends its headers. The decoder leaves the second half of
    the headers' blank line at the start of the buffer, so there always is one; werkzeug would fail without it."""
    match = LINE_BREAK_RE.match(data)
    return match.end() if match is not None else 0


def install() -> bool:
    """Make werkzeug's multipart parser use `FastBoundaryDecoder`; False (nothing changed) on another version."""
    if version('werkzeug') not in SUPPORTED:
        return False
    formparser.MultipartDecoder = FastBoundaryDecoder  # type: ignore[misc]
    return True
