"""Bulk import benchmark: N generated cards through `flask edms import-cards` on a private PostgreSQL; cards/s.

`python -m scripts.bench.bench_import --rows 1000000 [--batch 10000] [--durable] [--database-url URL]`
The CSV is generated once under $EDMS_BENCH_DIR (/tmp/edms-bench) and reused; the schema comes from the migrations
(so the stored `summary_tsv` column and its GIN index are maintained during the import); the command runs in-process
through Flask's CLI runner, the same code path as `flask --app wsgi edms import-cards`. Target: ≥ 15,000 cards/s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, text

from edms.core.db import db
from edms.registry.models import Card
from scripts.bench.common import (
    BenchOrg,
    bench_organization,
    cards_csv,
    load_average,
    machine,
    migrated_app,
    pg_settings,
    postgres,
    wait_for_quiet,
)

TARGET = 15_000


def import_file(app: Flask, organization: BenchOrg, path: Path, batch: int = 10_000, as_clerk: bool = False) -> float:
    """Run `edms import-cards` in-process (as the system, or `--as-login` the bench clerk); the seconds it took."""
    args = ['edms', 'import-cards', str(path), '--organization', organization.ogrn, '--batch', str(batch)]
    if as_clerk:
        args += ['--as-login', organization.clerk_login]
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=args)
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f'import failed ({result.exit_code}):\n{result.output[-4000:]}')
    print(result.output.strip().splitlines()[-1])
    return seconds


def sizes(app: Flask) -> str:
    """Rows and on-disk sizes of the card table, its GIN index and all its indexes."""
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(Card)).scalar_one()
        row = db.session.execute(
            text(
                "SELECT pg_size_pretty(pg_table_size('registry_cards')), "
                "pg_size_pretty(pg_relation_size('ix_registry_cards_summary_tsv')), "
                "pg_size_pretty(pg_indexes_size('registry_cards'))"
            )
        ).one()
        db.session.rollback()
    return f'{count} cards; table {row[0]}, GIN index {row[1]}, all indexes {row[2]}'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=1_000_000)
    parser.add_argument('--batch', type=int, default=10_000)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--as-clerk', action='store_true', help='import with --as-login (author and department set)')
    parser.add_argument('--durable', action='store_true', help='PostgreSQL with fsync/synchronous_commit on')
    parser.add_argument('--database-url', help='use this empty database instead of a private cluster')
    args = parser.parse_args()
    path = cards_csv(args.rows, args.seed)
    with postgres(args.durable, args.database_url) as url:
        app = migrated_app(url)
        organization = bench_organization(app)
        wait_for_quiet()
        seconds = import_file(app, organization, path, args.batch, args.as_clerk)
        rate = args.rows / seconds
        print(f'machine:    {machine()}')
        print(f'postgresql: {pg_settings(app)}')
        print(f'file:       {path} ({path.stat().st_size / 1e6:.0f} MB), batch {args.batch}, as clerk: {args.as_clerk}')
        print(f'result:     {sizes(app)}; load avg at the end {load_average()}')
        verdict = 'meets' if rate >= TARGET else 'MISSES'
        print(f'import:     {args.rows} cards in {seconds:.1f} s = {rate:,.0f} cards/s ({verdict} ≥ {TARGET:,}/s)')
        with app.app_context():
            db.engine.dispose()


if __name__ == '__main__':
    main()
