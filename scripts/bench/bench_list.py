"""Card list benchmark: p50/p95 of the filtered list with 1,000,000 cards in one organization; target p95 ≤ 100 ms.

`python -m scripts.bench.bench_list [--rows 1000000] [--runs 200] [--explain]`
Imports the generated cards with `import-cards` into a private PostgreSQL (VACUUM ANALYZE afterwards, as autovacuum
would), then times, for a user of the organization without the ДСП right, 200 random requests of each kind:
`edms.search.queries.search_cards` (page of 50 plus the capped count, as the web list and the API run it) and
`GET /api/v1/cards?...` through the Flask test client with a bearer token. `--explain` prints EXPLAIN ANALYZE.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql

from edms.auth.models import User
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.registry.validation import read_card_filter
from edms.search.queries import search_cards, search_cards_query
from scripts.bench.bench_import import import_file
from scripts.bench.common import (
    bench_organization,
    cards_csv,
    load_average,
    machine,
    migrated_app,
    percentile,
    pg_settings,
    postgres,
    set_database,
    summary_ms,
    wait_for_quiet,
)
from scripts.bench.gen_cards_csv import VOCABULARY

TARGET_MS = 100
KINDS = ('incoming', 'outgoing', 'internal', 'citizen_appeal')
#: Words of the summaries from frequent to rare (their rank in the Zipf vocabulary of the generator).
WORDS = (VOCABULARY[1], VOCABULARY[10], VOCABULARY[60], VOCABULARY[200])


def scenarios(rng: random.Random) -> dict[str, Callable[[], dict[str, str]]]:
    """Query-string generators: a month of one kind, the same with a word of the summary, a year of all kinds."""

    def month(days: int = 30) -> dict[str, str]:
        start = date.today() - timedelta(days=rng.randrange(5 * 365 - days))
        return {'date_from': start.isoformat(), 'date_to': (start + timedelta(days=days)).isoformat()}

    return {
        'month + kind': lambda: {**month(), 'kind': rng.choice(KINDS)},
        'month + kind + word': lambda: {**month(), 'kind': rng.choice(KINDS), 'q': rng.choice(WORDS)},
        'year + word': lambda: {**month(365), 'q': rng.choice(WORDS)},
    }


def time_function(
    app: Flask, user_id: int, make: Callable[[], dict[str, str]], runs: int
) -> tuple[list[float], dict[str | None, list[float]]]:
    """Durations of `search_cards` with random filters, all and by the word searched."""
    samples: list[float] = []
    by_word: dict[str | None, list[float]] = {}
    with app.app_context():
        user = db.session.get(User, user_id)
        for _ in range(runs):
            raw = make()
            values = read_card_filter(raw, strict=True)
            started = time.perf_counter()
            page = search_cards(user, values, 50)
            [card.reg_number for card in page.items]  # the page is loaded, as a view would use it
            samples.append(time.perf_counter() - started)
            by_word.setdefault(raw.get('q'), []).append(samples[-1])
            db.session.rollback()
    return samples, by_word


def time_api(app: Flask, token: str, make: Callable[[], dict[str, str]], runs: int) -> list[float]:
    client, samples = app.test_client(), []
    headers = {'Authorization': f'Bearer {token}'}
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get('/api/v1/cards', query_string=make(), headers=headers)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f'/api/v1/cards answered {response.status_code}: {response.get_data(as_text=True)[:500]}')
    return samples


def explain(app: Flask, user_id: int, raw: dict[str, str]) -> None:
    """EXPLAIN ANALYZE of the page query and of the capped count, as `paginate` runs them."""
    with app.app_context():
        user = db.session.get(User, user_id)
        query = search_cards_query(user, read_card_filter(raw, strict=True))
        capped = query.order_by(None).with_only_columns(Card.id).limit(10_001).subquery()
        for label, statement in (('page', query.limit(51)), ('count', select(func.count()).select_from(capped))):
            sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={'literal_binds': True})
            plan = db.session.execute(text(f'EXPLAIN (ANALYZE, BUFFERS) {sql}')).scalars()
            print(f'--- {label} {raw}\n' + '\n'.join(plan))
        db.session.rollback()


def prepare(app: Flask, rows: int, seed: int) -> tuple[int, str]:
    """Import the cards, VACUUM ANALYZE, and create the reader (no ДСП right) with an API token."""
    from tests.factories import api_token, make_user

    organization = bench_organization(app)
    wait_for_quiet()
    seconds = import_file(app, organization, cards_csv(rows, seed))
    print(f'imported {rows} cards in {seconds:.1f} s')
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
            connection.execute(text('VACUUM ANALYZE registry_cards'))
        with atomic():
            from edms.directory.models import Organization

            reader = make_user(db.session.get(Organization, organization.id), 'executor', login='reader')
            return reader.id, api_token(reader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=1_000_000)
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--explain', action='store_true', help='print EXPLAIN ANALYZE of one query per scenario')
    parser.add_argument('--database-url', help='use this empty database instead of a private cluster')
    parser.add_argument('--set', action='append', default=[], help='a database setting to try, e.g. --set jit=off')
    args = parser.parse_args()
    with postgres(url=args.database_url) as url:
        app = migrated_app(url)
        reader_id, token = prepare(app, args.rows, args.seed)
        set_database(app, args.set)
        print(f'machine:    {machine()}\npostgresql: {pg_settings(app)}')
        wait_for_quiet()
        rng = random.Random(args.seed)
        for name, make in scenarios(rng).items():
            samples, by_word = time_function(app, reader_id, make, args.runs)
            for via, measured in (
                ('search_cards', samples),
                ('GET /api/v1/cards', time_api(app, token, make, args.runs)),
            ):
                p95 = percentile(measured, 0.95) * 1000
                verdict = 'meets' if p95 <= TARGET_MS else 'MISSES'
                print(f'{name:22} {via:18} {summary_ms(measured)} ({verdict} p95 ≤ {TARGET_MS} ms)')
            for word, times in sorted(by_word.items()) if len(by_word) > 1 else ():
                print(f'{"":22} search_cards «{word}»: {summary_ms(times)}')
            if args.explain:
                explain(app, reader_id, make())
        print(f'load avg:   {load_average()} at the end')
        with app.app_context():
            db.engine.dispose()


if __name__ == '__main__':
    main()
