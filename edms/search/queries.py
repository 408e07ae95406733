"""Search conditions over the registry; always combined with the registry's visibility rule.

PostgreSQL: a GIN index on `to_tsvector('russian', summary)` (Russian stemming). SQLite: an FTS5 table kept in
step by triggers, matched by word prefixes. Both indexes are created by the migrations.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, select, text

from edms.core.db import db
from edms.registry.models import Card

_WORD = re.compile(r'\w+', re.UNICODE)
MAX_WORDS = 8


def words_of(query: str) -> list[str]:
    """The words of a search string (letters and digits), at most eight."""
    return _WORD.findall(query.lower())[:MAX_WORDS]


def summary_matches(query: str) -> ColumnElement[bool] | None:
    """A condition selecting cards whose summary contains every word of the query; None for an empty query."""
    words = words_of(query)
    if not words:
        return None
    if db.session.get_bind().dialect.name == 'postgresql':
        vector = func.to_tsvector(text("'russian'"), Card.summary)
        return vector.op('@@')(func.plainto_tsquery(text("'russian'"), ' '.join(words)))
    fts_query = ' AND '.join(f'"{word}"*' for word in words)
    matching = (
        select(text('rowid'))
        .select_from(text('registry_cards_fts'))
        .where(text('registry_cards_fts MATCH :fts_query').bindparams(fts_query=fts_query))
    )
    return Card.id.in_(matching)
