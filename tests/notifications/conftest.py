"""Fixtures of the notification tests: an organization with users, a real local SMTP server (aiosmtpd), Redis jobs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask

from edms.auth.models import User
from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.factories import make_organization, make_user
from tests.servers import start_smtp


@dataclass
class MailBox:
    """What the SMTP server received, and the answers it gives to chosen recipients."""

    messages: list[EmailMessage] = field(default_factory=list)
    #: recipient address -> SMTP answer to RCPT TO (e.g. '550 5.1.1 Нет такого ящика').
    refuse: dict[str, str] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return '250 Message accepted for delivery'


@dataclass
class SmtpServer:
    host: str
    port: int
    box: MailBox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port for the duration of one test."""
    box = MailBox()
    controller = start_smtp(box)
    try:
        yield SmtpServer('127.0.0.1', controller.port, box)
    finally:
        controller.stop()


@pytest.fixture
def smtp_config(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The app sends mail to `smtp_server`."""
    monkeypatch.setitem(app.config, 'SMTP_HOST', smtp_server.host)
    monkeypatch.setitem(app.config, 'SMTP_PORT', smtp_server.port)
    monkeypatch.setitem(app.config, 'SMTP_TIMEOUT', 5)
    monkeypatch.setitem(app.config, 'BASE_URL', 'https://edms.example.ru/')
    monkeypatch.setitem(app.config, 'MAIL_FROM', 'МСЭД <noreply@edms.example.ru>')
    return smtp_server


@dataclass
class People:
    organization: Organization
    alice: User
    bob: User
    other_org_user: User


@pytest.fixture
def people(app_ctx: Flask) -> People:
    with atomic():
        organization = make_organization()
        alice = make_user(organization, 'executor', email='alice@example.ru', middle_name='Ивановна')
        bob = make_user(organization, 'controller', email='bob@example.ru')
        stranger = make_user(make_organization('Агентство'), 'executor', email='stranger@example.ru')
    return People(organization, alice, bob, stranger)
