"""The SQLAlchemy `db` object and its session class, the declarative base with the constraint naming convention, common
column types, and `reference`, the many-to-one relationship that is only read."""

from __future__ import annotations

import time
from datetime import datetime
from functools import partial
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from edms.core.clock import utcnow

NAMING_CONVENTION = {
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive; we re-attach UTC on load)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError('naive datetime given to a UTC column')
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        from datetime import UTC

        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every model; carries the naming convention used by Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OneDatabaseSession(FlaskSession):
    """Flask-SQLAlchemy's session, answering `get_bind` at once when the application has one database (no
    `SQLALCHEMY_BINDS`). The unit of work asks for the bind of every mapper it saves, and Flask-SQLAlchemy looks for
    a bind key in each model's table metadata every time: about 90 of a filing's 23,000 Python calls."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if bind is None:
            engines = self._db.engines
            if len(engines) == 1 and None in engines:
                return engines[None]
        return super().get_bind(mapper, clause, bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={'class_': OneDatabaseSession})


#: `RelationshipProperty.info` key of a relationship made by `reference`.
READ_ONLY = 'edms.read_only'


def reference(*args: Any, **kwargs: Any) -> Any:
    """A many-to-one relationship that code only reads, the foreign key column being what is written (`relationship`'s
    arguments). It stays out of the unit of work (`viewonly`), so a flush of the model does not sort and check it:
    a card's eight references are about 5 % of the Python calls of a filing. Assigning it raises `AttributeError`,
    where a viewonly relationship would drop the value silently. No cascades: `session.merge` of a row leaves its
    references to be loaded through the key instead of assigning them."""
    return relationship(*args, viewonly=True, cascade='', info={READ_ONLY: True}, **kwargs)


@event.listens_for(Mapper, 'mapper_configured')
def _refuse_assignments(mapper: Mapper[Any], class_: type) -> None:
    for prop in mapper.relationships:
        if prop.info.get(READ_ONLY):
            event.listen(getattr(class_, prop.key), 'set', partial(_refuse, f'{class_.__name__}.{prop.key}'))


def _refuse(name: str, target: object, value: object, *rest: object) -> None:
    raise AttributeError(f'{name} is read only: set its foreign key column instead')


class CreatedAtMixin:
    """`created_at`, set on insert."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def is_postgresql() -> bool:
    """True when the bound database is PostgreSQL (some search and locking paths differ from SQLite)."""
    return db.session.get_bind().dialect.name == 'postgresql'


_IDLE_SINCE = 'edms_idle_since'


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled PostgreSQL connection with `SELECT 1` before use when it sat in the pool over `idle_seconds`.

    This replaces SQLAlchemy's `pool_pre_ping`, which pings on every checkout: two round trips (psycopg opens a
    transaction for it) of an API read's seven. A connection used a moment ago is alive unless the server has just
    gone; a dead one found by the ping is replaced at once (the pool retries on `DisconnectionError`), and a statement
    on one that died in between fails and makes the pool drop every connection opened before the failure.
    """
    if engine.dialect.name != 'postgresql':
        return
    event.listen(engine, 'connect', _mark_idle)
    event.listen(engine, 'checkin', _mark_idle)
    event.listen(engine, 'checkout', lambda connection, record, proxy: _ping(connection, record, idle_seconds))


def _mark_idle(dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _ping(dbapi_connection: Any, record: Any, idle_seconds: float) -> None:
    if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) <= idle_seconds:
        return
    autocommit = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True  # no transaction is left open by the ping
        dbapi_connection.execute('SELECT 1')
    except Exception as error:
        raise DisconnectionError(f'the pooled connection is gone: {error}') from error
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = autocommit
