"""A small JSON client of the API over HTTP (urllib): bearer token, JSON bodies, multipart uploads; the answer's
status and JSON body are returned as they are, whatever the status, so that a test can show what a node said."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

TIMEOUT = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    def expect(self, *statuses: int) -> Any:
        """The JSON body when the status is one of `statuses`, else AssertionError with the whole answer."""
        assert self.status in statuses, f'HTTP {self.status}: {json.dumps(self.body, ensure_ascii=False)[:2000]}'
        return self.body


@dataclass(frozen=True)
class ApiClient:
    """Requests to one node's `/api/v1` acting as the token's user."""

    base_url: str
    token: str

    def get(self, path: str) -> Answer:
        return self._send('GET', path, None, {})

    def post(self, path: str, body: Any = None) -> Answer:
        data = json.dumps(body if body is not None else {}).encode()
        return self._send('POST', path, data, {'Content-Type': 'application/json'})

    def upload(self, path: str, files: dict[str, tuple[str, bytes]], fields: dict[str, str] | None = None) -> Answer:
        """multipart/form-data: `files` maps a field to (file name, bytes)."""
        boundary = uuid.uuid4().hex
        data = multipart(boundary, files, fields or {})
        return self._send('POST', path, data, {'Content-Type': f'multipart/form-data; boundary={boundary}'})

    def _send(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> Answer:
        url = f'{self.base_url}/api/v1{path}'
        request = urllib.request.Request(  # noqa: S310 - the test's own loopback node
            url, data=data, method=method, headers={**headers, 'Authorization': f'Bearer {self.token}'}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return Answer(response.status, _json(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _json(error.read()))


def multipart(boundary: str, files: dict[str, tuple[str, bytes]], fields: dict[str, str]) -> bytes:
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            'Content-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b'\r\n')
    parts.append(f'--{boundary}--\r\n'.encode())
    return b''.join(parts)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw[:2000].decode('utf-8', 'replace')
