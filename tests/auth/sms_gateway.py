"""Test helpers of confirmation codes: a real HTTP SMS gateway on loopback (http.server in a thread) that records what
it was sent, reading a code back from the gateway or from the development delivery (the in-app notification), and
the taxpayer cabinet with a contact phone (the code must go to it)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.catalogue.registry import catalogue
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.fields import FieldSpec
from edms.citizen_services.services import taxpayer_cabinet
from edms.core.db import db
from edms.notifications.models import Notification

CODE = re.compile(r'\b(\d{6})\b')


@dataclass
class Gateway:
    """What the gateway received (JSON bodies and headers); `status` is what it answers next."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200
    url: str = ''

    def code(self, phone: str | None = None) -> str:
        """The code of the last SMS (to `phone` when given)."""
        texts = [message['text'] for message in self.messages if phone is None or message['phone'] == phone]
        assert texts, f'the gateway received no SMS: {self.messages}'
        match = CODE.search(texts[-1])
        assert match, texts[-1]
        return match.group(1)


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            if gateway.status < 300:
                gateway.messages.append(json.loads(body))
                gateway.headers.append(dict(self.headers.items()))
            self.send_response(gateway.status)
            self.send_header('Content-Type', 'application/json')
            self.end_headers()
            self.wfile.write(b'{"status": "accepted"}')

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def sms_gateway(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """The app sends its SMS to a gateway on 127.0.0.1 for the time of the test."""
    gateway = Gateway()
    server = ThreadingHTTPServer(('127.0.0.1', 0), _handler(gateway))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f'http://127.0.0.1:{server.server_address[1]}/sms'
    monkeypatch.setitem(app.config, 'SMS_GATEWAY_URL', gateway.url)
    monkeypatch.setitem(app.config, 'SMS_GATEWAY_TOKEN', 'gateway-token')
    monkeypatch.setitem(app.config, 'SMS_GATEWAY_TIMEOUT', 5)
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


def notified_code(user: User | int) -> str:
    """The code of the user's latest development delivery (no gateway configured): the in-app notification."""
    user_id = user if isinstance(user, int) else user.id
    query = (
        select(Notification.text)
        .where(Notification.user_id == user_id, Notification.kind == 'confirmation_code')
        .order_by(Notification.id.desc())
    )
    text = db.session.scalars(query).first()
    assert text is not None, 'no confirmation code was delivered in the app'
    match = CODE.search(text)
    assert match, text
    return match.group(1)


@pytest.fixture
def taxpayer_with_phone(monkeypatch: pytest.MonkeyPatch) -> ServiceDefinition:
    """The taxpayer cabinet (SMS-confirmed) with an optional contact phone `phone` «Контактный телефон»."""
    service = taxpayer_cabinet.SERVICE
    fields = (*service.fields, FieldSpec('phone', 'Контактный телефон', readers.phone, required=False))
    variant = replace(service, fields=fields)
    monkeypatch.setitem(catalogue._services, service.code, variant)
    return variant
