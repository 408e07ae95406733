"""Search over cards: attribute filters of the registry plus the summary's words, always within what the user sees.

PostgreSQL: the stored generated column `summary_tsv` (`to_tsvector('russian', summary)`, Russian stemming) with a
GIN index. SQLite: an FTS5 table kept in step by triggers, matched by word prefixes. The migrations create both; the
models do not declare them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text

from edms.auth.models import User
from edms.core.db import db
from edms.registry.models import Card
from edms.registry.queries import COUNT_CAP, CardFilter, Page, cards_query, paginate

#: The count of a search by words stops here.
WORDS_COUNT_CAP = 1_000
_WORD = re.compile(r'\w+', re.UNICODE)
MAX_WORDS = 8
#: The stemmed summary stored in each row (migration 0003); read, never written by the application.
SUMMARY_TSV = literal_column('registry_cards.summary_tsv')


def words_of(query: str) -> list[str]:
    """The words of a search string (letters and digits), at most eight."""
    return _WORD.findall(query.lower())[:MAX_WORDS]


def summary_matches(query: str) -> ColumnElement[bool] | None:
    """A condition selecting cards whose summary contains every word of the query; None for an empty query."""
    words = words_of(query)
    if not words:
        return None
    if db.session.get_bind().dialect.name == 'postgresql':
        return SUMMARY_TSV.op('@@')(func.plainto_tsquery(text("'russian'"), ' '.join(words)))
    fts_query = ' AND '.join(f'"{word}"*' for word in words)
    matching = (
        select(text('rowid'))
        .select_from(text('registry_cards_fts'))
        .where(text('registry_cards_fts MATCH :fts_query').bindparams(fts_query=fts_query))
    )
    return Card.id.in_(matching)


def card_filter(values: dict[str, Any]) -> CardFilter:
    """A registry filter from validated values (`registry.validation.read_card_filter`), words included."""
    flt = CardFilter(
        kind=values.get('kind'),
        status=values.get('status'),
        date_from=values.get('date_from'),
        date_to=values.get('date_to'),
        correspondent=values.get('correspondent') or '',
        number=values.get('number') or '',
        words=values.get('words') or '',
    )
    condition = summary_matches(flt.words)
    if condition is not None:
        flt.extra.append(condition)
    return flt


def search_cards_query(user: User, values: dict[str, Any]) -> Select[tuple[Card]]:
    """The query of visible cards matching the filter values."""
    return cards_query(user, card_filter(values))


def search_cards(user: User, values: dict[str, Any], default_per_page: int) -> Page:
    """One page of visible cards matching the filter values (page, per_page among them)."""
    per_page = values.get('per_page') or default_per_page
    # Counting every card that contains a frequent word costs far more than the page itself (BENCHMARKS.md, 2).
    cap = WORDS_COUNT_CAP if words_of(values.get('words') or '') else COUNT_CAP
    return paginate(search_cards_query(user, values), values.get('page') or 1, per_page, count_cap=cap)
