"""Configuration: defaults, the optional `EDMS_CONFIG` file, `EDMS_*` environment variables, a required-key check.

Order (later wins): `Defaults` → file named by `EDMS_CONFIG` → `EDMS_*` environment → the mapping given to
`create_app` (tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from flask import Flask

from edms.auth.passwords import check_parameters

REQUIRED_KEYS = ('SECRET_KEY', 'SQLALCHEMY_DATABASE_URI', 'BLOB_DIR')


class Defaults:
    """Embedded default: SQLite under `instance/`, synchronous jobs, development secrets."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {}
    #: A pooled PostgreSQL connection idle longer than this many seconds is checked with `SELECT 1` before use
    #: (`core.db.ping_idle_connections`; SQLAlchemy's `pool_pre_ping` would check it on every use).
    DB_PING_IDLE_SECONDS: float = 5.0
    BLOB_DIR: str | None = None
    #: Redis URL for RQ; when empty, jobs run synchronously in the calling process.
    REDIS_URL: str = ''
    JOBS_SYNC: bool = True
    #: Maximum attachment size in bytes (50 MB).
    MAX_ATTACHMENT_SIZE: int = 50 * 1024 * 1024
    MAX_CONTENT_LENGTH: int = 60 * 1024 * 1024
    LOGIN_MAX_FAILURES: int = 5
    LOGIN_LOCK_MINUTES: int = 15
    #: argon2id parameters of new password hashes (`time_cost`, `memory_cost` in KiB, `parallelism`); empty: the
    #: library's defaults (t=3, 64 MiB, p=4). Not below t=2, 19 MiB, p=1 outside testing (edms.auth.passwords).
    PASSWORD_HASHING: ClassVar[Mapping[str, int]] = MappingProxyType({})  # read-only: shared by every app
    SESSION_IDLE_MINUTES: int = 30
    SESSION_ABSOLUTE_HOURS: int = 12
    SESSION_MAX_PER_USER: int = 10
    #: Cookie of the server-side login session (a random secret; the database keeps its hash).
    LOGIN_COOKIE_NAME: str = 'edms_session'
    #: Flask's own signed cookie: flashed messages and the CSRF token only, never the identity.
    SESSION_COOKIE_NAME: str = 'edms_ui'
    SESSION_COOKIE_SECURE: bool = False
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = 'Lax'
    WTF_CSRF_TIME_LIMIT: int | None = None
    PAGE_SIZE: int = 50
    #: Fall back to SQLite and a blob folder under `instance/` when no database or blob folder is configured.
    EMBEDDED_DEFAULTS: bool = True
    TIMEZONE: str = 'Europe/Moscow'
    #: Address of the application as users open it; links in e-mails are built on it.
    BASE_URL: str = 'http://127.0.0.1:5000'
    #: SMTP server for notification e-mails; e-mail is off while it is empty (notifications stay in the app).
    SMTP_HOST: str = ''
    SMTP_PORT: int = 25
    #: Upgrade the connection with STARTTLS before logging in.
    SMTP_STARTTLS: bool = False
    #: SMTP login and password (from the environment: EDMS_SMTP_USER, EDMS_SMTP_PASSWORD); no login when empty.
    SMTP_USER: str = ''
    SMTP_PASSWORD: str = ''
    SMTP_TIMEOUT: int = 30
    MAIL_FROM: str = 'МСЭД <edms@localhost>'
    #: The morning reminders (EDMS_REMINDER_DAYS): assignments due within this many working days are announced.
    REMINDER_DAYS: int = 3
    #: Signature backends in order of preference (EDMS_SIGNATURE_BACKENDS, comma-separated short names or dotted
    #: paths): a certified cryptographic provider is plugged in by naming its class first.
    SIGNATURE_BACKENDS: str = 'standard,gost-engine,gost-python'
    #: Accept a detached signature uploaded for an attachment from any signer, not only the acting user's own
    #: bound certificate (the report is stored either way).
    SIGNATURE_ACCEPT_ANY_SIGNER: bool = False
    #: Fetching certificate revocation lists from the distribution points: seconds per request, largest answer.
    CRL_FETCH_TIMEOUT: int = 20
    CRL_MAX_SIZE: int = 64 * 1024 * 1024
    #: The largest МЭДО packet (the zip of its folder) accepted over HTTP or from the inbox folder.
    EXCHANGE_MAX_PACKET_SIZE: int = 50 * 1024 * 1024
    #: Bearer tokens of partner systems for sending packets to them: JSON {"participant GUID": "token"} (environment).
    EXCHANGE_TOKENS: dict[str, str] = {}  # noqa: RUF012  (a default, replaced, never mutated)
    #: Folder of the directory transport: packets for participants without an HTTP endpoint go to <dir>/<mailbox>/.
    EXCHANGE_OUTBOX_DIR: str = ''
    EXCHANGE_DELIVERY_TIMEOUT: int = 30
    #: Send outbox packets right after the commit even without a worker (the embedded default waits for
    #: `flask edms exchange deliver`, so that no user request waits on a partner's timeout).
    EXCHANGE_DELIVER_INLINE: bool = False
    #: SMS gateway of one-time confirmation codes (EDMS_SMS_GATEWAY_URL): POST of JSON {phone, text}, with
    #: `Authorization: Bearer <EDMS_SMS_GATEWAY_TOKEN>` when a token is set. Without it codes cannot be sent and SMS
    #: confirmation is refused, unless `SMS_DEVELOPMENT_DELIVERY` is set.
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_TOKEN: str = ''
    SMS_GATEWAY_TIMEOUT: int = 10
    #: Without a gateway, deliver codes for development as an in-app notification of the same account (proving nothing
    #: about the phone): config/development.py (`make run`) and the tests set it, never production.
    SMS_DEVELOPMENT_DELIVERY: bool = False


def load(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Fill `app.config` in the documented order and check that the required keys are set."""
    app.config.from_object(Defaults)
    config_file = os.environ.get('EDMS_CONFIG')
    if config_file:
        app.config.from_pyfile(os.path.abspath(config_file))
    app.config.from_prefixed_env('EDMS')
    if overrides:
        app.config.update(overrides)
    _embedded_defaults(app)
    app.config['SQLALCHEMY_DATABASE_URI'] = database_url(app.config['SQLALCHEMY_DATABASE_URI'])
    missing = [key for key in REQUIRED_KEYS if not app.config.get(key)]
    if missing:
        raise RuntimeError(f'Missing required configuration: {", ".join(missing)} (set EDMS_{missing[0]})')
    check_parameters(app.config)


def database_url(url: str | None) -> str | None:
    """PostgreSQL URLs go through psycopg 3, the driver installed: `postgresql://`, `postgres://` and the former
    `postgresql+psycopg2://` name it. psycopg 3 binds parameters on the server and prepares a statement after its
    fifth run on a connection, so PostgreSQL stops planning the same statements again (a third of their time)."""
    if url is None:
        return None
    for prefix in ('postgresql+psycopg2://', 'postgresql://', 'postgres://'):
        if url.startswith(prefix):
            return 'postgresql+psycopg://' + url[len(prefix) :]
    return url


def _embedded_defaults(app: Flask) -> None:
    """Without explicit settings the app runs on SQLite and a blob folder under `instance/` (development only)."""
    if app.config['EMBEDDED_DEFAULTS']:
        instance = app.instance_path
        if not app.config['SQLALCHEMY_DATABASE_URI']:
            app.config['SQLALCHEMY_DATABASE_URI'] = f'sqlite:///{os.path.join(instance, "edms.sqlite3")}'
        if not app.config['BLOB_DIR']:
            app.config['BLOB_DIR'] = os.path.join(instance, 'blobs')
    if (app.config['SQLALCHEMY_DATABASE_URI'] or '').startswith('sqlite'):
        app.config['SQLALCHEMY_ENGINE_OPTIONS'] = {'connect_args': {'timeout': 30}}
    app.config['JOBS_SYNC'] = not app.config.get('REDIS_URL')
