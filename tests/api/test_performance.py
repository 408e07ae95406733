"""Reading one card costs a fixed, small number of queries, whatever the number of addressees, links and files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from edms.core.db import db
from tests.api.conftest import PDF_BYTES, created_card, upload


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, 'before_cursor_execute', count)
    try:
        yield statements
    finally:
        event.remove(db.engine, 'before_cursor_execute', count)


def statements_to_read(client, who, card_id: int) -> list[str]:
    db.session.remove()
    with counted_statements() as statements:
        response = client.get(f'/api/v1/cards/{card_id}', headers=who.headers)
    assert response.status_code == 200
    return statements


def test_reading_a_card_takes_the_same_few_queries_for_small_and_large_cards(client, clerk):
    targets = [created_card(client, clerk)['id'] for _ in range(3)]
    small = created_card(client, clerk, links=[{'kind': 'related', 'card_id': targets[0]}])
    large = created_card(
        client,
        clerk,
        addressees=[f'Адресат {n}' for n in range(20)],
        links=[{'kind': 'related', 'card_id': target} for target in targets],
    )
    for n in range(3):
        upload(client, clerk, large['id'], PDF_BYTES + bytes([n]))
    small_statements = statements_to_read(client, clerk, small['id'])
    large_statements = statements_to_read(client, clerk, large['id'])
    assert len(large_statements) == len(small_statements)
    # the token with its user and roles; the card with its authors, links and files; the addressees;
    # which link targets the reader may see
    assert len(large_statements) <= 5, large_statements
