"""The faster multipart decoder gives werkzeug's own decoder's parts and contents on awkward bodies, and the application
uses it."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from werkzeug import formparser
from werkzeug.sansio.multipart import Data, Epilogue, MultipartDecoder, NeedData
from werkzeug.wrappers import Request

from edms import create_app
from edms.core.multipart import FastBoundaryDecoder, install
from tests.conftest import make_config

BOUNDARY = b'----edms-boundary-7f3a'


def _body(parts: list[tuple[str, str | None, bytes]], newline: bytes = b'\r\n') -> bytes:
    out = io.BytesIO()
    for name, filename, content in parts:
        out.write(b'--' + BOUNDARY + newline)
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else '')
        out.write(b'Content-Disposition: ' + disposition.encode() + newline)
        if filename:
            out.write(b'Content-Type: application/octet-stream' + newline)
        out.write(newline + content + newline)
    out.write(b'--' + BOUNDARY + b'--' + newline)
    return out.getvalue()


def _events(decoder_class: type[MultipartDecoder], body: bytes, chunk: int) -> list[object]:
    """Every event of the body fed in pieces of `chunk` bytes, consecutive data of a part joined."""
    decoder, events = decoder_class(BOUNDARY), []
    pieces = [body[start : start + chunk] for start in range(0, len(body), chunk)] + [None]
    for piece in pieces:
        decoder.receive_data(piece)
        event = decoder.next_event()
        while not isinstance(event, NeedData | Epilogue):
            if isinstance(event, Data) and events and isinstance(events[-1], bytearray):
                events[-1] += event.data
            else:
                events.append(bytearray(event.data) if isinstance(event, Data) else event)
            if isinstance(event, Data) and not event.more_data:
                events.append('end of part')
            event = decoder.next_event()
        if isinstance(event, Epilogue):
            events.append(event)
            break
    return events


def _awkward_content(seed: int, size: int) -> bytes:
    """Random bytes rich in CR and LF, with the boundary's literal inside lines and almost-boundaries."""
    rng = random.Random(seed)
    alphabet = b'\r\n-abc\x00\xff'
    data = bytearray(rng.choice(alphabet) for _ in range(size))
    for _ in range(8):
        at = rng.randrange(size)
        data[at:at] = rng.choice([b'x--' + BOUNDARY, b'\r\n--' + BOUNDARY[:-1], b'--' + BOUNDARY + b'x', b'\r'])
    return bytes(data)


@pytest.mark.parametrize('newline', [b'\r\n', b'\n', b'\r'])
@pytest.mark.parametrize('chunk', [1, 7, 64, 4096, 65536])
def test_fast_decoder_gives_werkzeugs_events(newline: bytes, chunk: int) -> None:
    for seed in range(6):
        parts = [
            ('service', None, b'temporary_registration'),
            ('empty', None, b''),
            ('consent', 'consent.pdf', _awkward_content(seed, 3000)),
            ('trailing_cr', 'a.bin', b'ends with a bare CR\r'),
            ('identity', 'passport.pdf', _awkward_content(seed + 100, 20000)),
        ]
        body = _body(parts, newline)
        assert _events(FastBoundaryDecoder, body, chunk) == _events(MultipartDecoder, body, chunk)


def test_fast_decoder_keeps_the_contents() -> None:
    content = _awkward_content(7, 50000)
    body = _body([('field', None, b'value'), ('file', 'f.bin', content)])
    events = _events(FastBoundaryDecoder, body, 65536)
    data = [event for event in events if isinstance(event, bytearray)]
    assert data == [bytearray(b'value'), bytearray(content)]


def test_the_application_parses_with_the_fast_decoder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(formparser, 'MultipartDecoder', MultipartDecoder)
    create_app(make_config('sqlite://', tmp_path))
    assert formparser.MultipartDecoder is FastBoundaryDecoder


def test_install_swaps_the_decoder_werkzeug_parses_requests_with() -> None:
    assert install() is True
    assert formparser.MultipartDecoder is FastBoundaryDecoder
    content = _awkward_content(3, 120000)
    body = _body([('service', None, 'регистрация'.encode()), ('consent', 'согласие.pdf', content)])
    environ = {
        'REQUEST_METHOD': 'POST',
        'CONTENT_TYPE': f'multipart/form-data; boundary={BOUNDARY.decode()}',
        'CONTENT_LENGTH': str(len(body)),
        'wsgi.input': io.BytesIO(body),
    }
    with Request(environ) as request:
        assert request.form['service'] == 'регистрация'
        assert request.files['consent'].filename == 'согласие.pdf'
        assert request.files['consent'].read() == content
