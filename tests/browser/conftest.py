"""Fixtures of the browser tests: a CSRF-enabled app served on a free local port with the demo data loaded, and a
headless Chromium page (Debian's /usr/bin/chromium; Playwright's own browsers are never downloaded).

The served app shares the test PostgreSQL with the session `app` fixture; every table is emptied afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from edms import create_app
from edms.core.db import db
from tests.conftest import clean_tables, make_config

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    '--disable-quic',
]
TIMEOUT_MS = 30_000


@pytest.fixture
def chromium_path() -> Path:
    """The Chromium binary; the test is skipped (before any server starts) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f'Chromium не установлен ({CHROMIUM}); установите его: scripts/install-test-deps.sh')
    pytest.importorskip('playwright.sync_api', reason='Пакет playwright не установлен в .venv')
    return CHROMIUM


@pytest.fixture
def browser_app(chromium_path: Path, app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second app on the already migrated test database, with CSRF protection switched on."""
    application = create_app(make_config(database_url, tmp_path / 'blobs', WTF_CSRF_ENABLED=True))
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            clean_tables()
            db.engine.dispose()


@pytest.fixture
def demo_data(browser_app: Flask) -> str:
    """The demo organizations and users loaded through the real CLI command; returns its output."""
    result = browser_app.test_cli_runner().invoke(args=['edms', 'seed-demo'])
    assert result.exit_code == 0, result.output
    assert 'clerk' in result.output
    return result.output


@pytest.fixture
def live_server(browser_app: Flask, demo_data: str) -> Iterator[str]:
    """The app served by werkzeug in a background thread; yields its base URL."""
    server = make_server('127.0.0.1', 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name='edms-live-server', daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_port}'
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


@pytest.fixture
def page(chromium_path: Path, tmp_path: Path) -> Iterator[Any]:
    """A fresh headless Chromium page with downloads allowed and 30-second timeouts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS, downloads_path=str(tmp_path)
        )
        context = browser.new_context(accept_downloads=True, locale='ru-RU')
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
