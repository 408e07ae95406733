"""The session class: one database, so every bind question is answered with the application's engine."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from edms.core.db import OneDatabaseSession, db
from edms.registry.models import Card


def test_the_session_binds_every_mapper_and_statement_to_the_one_engine(app_ctx: Flask) -> None:
    session = db.session()
    assert isinstance(session, OneDatabaseSession)
    assert session.get_bind() is db.engine
    assert session.get_bind(Card) is db.engine
    assert session.get_bind(clause=select(Card.id)) is db.engine


def test_an_explicit_bind_is_kept(app_ctx: Flask) -> None:
    with db.engine.connect() as connection:
        assert db.session().get_bind(Card, bind=connection) is connection
        assert connection.execute(text('SELECT 1')).scalar_one() == 1
